// What people do in Settings: API tokens (shown once, usable at once, revoked at once) and, for
// platform admins, teams and members — all of it landing in the audit trail.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("bob creates an API token, uses it, and revokes it", async ({ page, request }) => {
  await signInAs(page, "bob", "/settings/tokens");
  await page.getByTestId("new-token").click();
  await page.getByTestId("create-token").click();
  await expect(page.getByTestId("field-error")).toContainText(/at least 1 character|Too small/i);
  const name = `e2e-${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByTestId("create-token").click();
  const token = (await page.getByTestId("created-token").textContent())?.trim() ?? "";
  expect(token).toMatch(/^pvd_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("tokens-table")).toContainText(name);
  await expect(page.getByTestId("tokens-table")).not.toContainText(token);

  const me = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).user.login).toBe("bob");

  await page.getByRole("button", { name: `Revoke ${name}` }).click();
  await page.getByTestId("confirm-revoke").click();
  await expect(page.getByTestId("tokens-table").getByRole("row", { name: new RegExp(name) })).toContainText("revoked");
  const after = await request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.message).toContain("revoked");
});

test("alice creates a team, adds bob, and finds both changes in the audit trail", async ({ page }) => {
  const slug = `e2e-${Date.now().toString(36)}`;
  await signInAs(page, "alice", "/settings/teams");
  await page.getByTestId("new-team").click();
  await page.getByLabel("Name").fill(`E2E ${slug}`);
  await page.getByLabel("Slug").fill(slug);
  await page.getByRole("button", { name: "Create team" }).click();
  await expect(page.getByTestId("teams-list")).toContainText(`E2E ${slug}`);

  await page.getByTestId("add-member").click();
  await page.getByLabel("Person").selectOption("bob");
  await page.getByRole("button", { name: "Save roles" }).click();
  await expect(page.getByTestId("members-table")).toContainText("@bob");
  await expect(page.getByTestId("members-table")).toContainText("Developer");

  await page.goto(`/audit?target=${slug}`);
  const table = page.getByTestId("audit-table");
  await expect(table).toContainText("team.created");
  await page.goto(`/audit?actor=alice&action=membership.*`);
  await expect(page.getByTestId("audit-table")).toContainText("membership.updated");
  await page.getByRole("button", { name: "Verify chain now" }).click();
  await expect(page.getByTestId("verify-result")).toContainText("Intact");
});

test("the last platform admin cannot be removed", async ({ page }) => {
  await signInAs(page, "alice", "/settings/teams");
  await page.getByTestId("teams-list").getByRole("button", { name: /Platform/ }).click();
  const row = page.getByTestId("members-table").getByRole("row", { name: /@alice/ });
  await row.getByRole("button", { name: "Remove" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("dialog")).toContainText("at least one active platform admin");
});
