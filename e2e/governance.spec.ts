// Governance as leadership and platform admins see it: compliance per team from the scan the
// sandbox runs at start, drill-down to a violation's file, and an exception granted from it.
import { expect, test, type Page } from "@playwright/test";
import { signInAs } from "./support/session";

async function waitForCompliance(page: Page) {
  // The sandbox queues a compliance scan at start; the page shows numbers once it has run.
  await expect(async () => {
    await page.goto("/governance");
    await expect(page.getByTestId("compliance-summary")).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 45_000 });
}

test("erin reads compliance per team and follows a team to its violations", async ({ page }) => {
  await signInAs(page, "erin");
  await waitForCompliance(page);
  const byTeam = page.getByTestId("compliance-by-team");
  await expect(byTeam).toContainText("storefront");
  await expect(byTeam).toContainText("payments");
  await expect(byTeam).toContainText("%");
  await expect(page.getByTestId("compliance-trend")).toBeVisible();
  await byTeam.getByRole("link", { name: "storefront" }).click();
  await expect(page).toHaveURL(/tab=violations.*team=storefront|team=storefront.*tab=violations/);
  const violations = page.getByTestId("violations-table");
  await expect(violations).toContainText("Containers must run as non-root user");
  await expect(violations).toContainText("apps/frontend/base/deployment.yaml");
  // Leadership reads; it does not grant exceptions.
  await expect(page.getByTestId("grant-exception")).toHaveCount(0);
});

test("alice grants an exception from a violation and finds it listed", async ({ page }) => {
  await signInAs(page, "alice");
  await waitForCompliance(page);
  await page.goto("/governance?tab=violations&policy=require-internal-load-balancer");
  const row = page.getByTestId("violations-table").getByRole("row", { name: /api-gateway/ }).first();
  await row.getByTestId("grant-exception").click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("Name", { exact: true })).toHaveValue("api-gateway");
  await dialog.getByLabel("Reason").fill("Public edge gateway by design; reviewed by security (SEC-42)");
  await dialog.getByRole("button", { name: "Grant exception" }).click();
  await expect(dialog).toBeHidden();
  await page.goto("/governance?tab=exceptions");
  const exceptions = page.getByTestId("exceptions-table");
  await expect(exceptions).toContainText("require-internal-load-balancer");
  await expect(exceptions).toContainText("SEC-42");
  await expect(exceptions).toContainText("active");
});

test("the policies tab shows each policy's source and test cases", async ({ page }) => {
  await signInAs(page, "victor", "/governance?tab=policies");
  const list = page.getByTestId("policies-list");
  await expect(list).toContainText("Workloads run as non-root");
  await list.getByText("Workloads run as non-root", { exact: true }).click();
  await expect(list).toContainText("runAsNonRoot");
  const cases = list.locator("details[open]").getByTestId("policy-cases");
  await expect(cases).toBeVisible();
  await expect(cases).toContainText("deny");
});
