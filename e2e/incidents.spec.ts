// Incidents and self-healing as SREs and viewers use them: dave (sre) opens self-healing's
// settings, finds the kill switch behind a confirmation, turns dry-run mode on and off (each change
// saved with a new revision); dave breaks a service on purpose from the sandbox page, sees the
// chaos listed with what the platform will do about it, and clears it; victor (viewer) reads the
// incidents and an incident's page, and finds the settings and the chaos control read-only.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("dave turns dry-run mode on and off in self-healing's settings", async ({ page }) => {
  await signInAs(page, "dave", "/slos/self-healing");
  await expect(page.getByTestId("slos-nav").getByRole("link", { name: "Self-healing" })).toHaveAttribute("aria-current", "page");
  const settings = page.getByTestId("self-healing-settings");
  await expect(settings).toBeVisible();
  const revision = Number(await settings.getAttribute("data-revision"));

  // The kill switch asks before it stops anything; cancelling changes nothing.
  await expect(page.getByTestId("kill-switch-state")).toHaveAttribute("data-on", "false");
  await page.getByTestId("kill-switch-toggle").click();
  await expect(page.getByRole("dialog")).toContainText("Turn the kill switch on?");
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByTestId("kill-switch-state")).toHaveAttribute("data-on", "false");
  await expect(settings).toHaveAttribute("data-revision", String(revision));

  // Dry-run on, then off again: each is a saved change with its own revision.
  const before = await page.getByTestId("dry-run-state").getAttribute("data-on");
  const flipped = before === "true" ? "false" : "true";
  await page.getByTestId("dry-run-toggle").click();
  await expect(page.getByTestId("dry-run-state")).toHaveAttribute("data-on", flipped);
  await expect(page.getByTestId("dry-run-toggle")).toHaveAttribute("aria-checked", flipped);
  await expect(settings).toHaveAttribute("data-revision", String(revision + 1));
  await expect(page.getByTestId("settings-revision")).toContainText("last changed by dave");

  // Saved on the server: a reload shows the same.
  await page.reload();
  await expect(page.getByTestId("dry-run-state")).toHaveAttribute("data-on", flipped);

  await page.getByTestId("dry-run-toggle").click();
  await expect(page.getByTestId("dry-run-state")).toHaveAttribute("data-on", before ?? "false");
  await expect(settings).toHaveAttribute("data-revision", String(revision + 2));

  // The limits and the auto-approve rules are editable for an SRE.
  await expect(page.getByTestId("limit-maxActionsPerHour")).toBeEditable();
  await expect(page.getByTestId("save-limits")).toBeDisabled();
  await expect(page.getByTestId("add-rule")).toBeVisible();
});

test("dave breaks a service with chaos from the sandbox page, sees it listed, and clears it", async ({ page }) => {
  await signInAs(page, "dave", "/sandbox");
  const card = page.getByTestId("chaos-card");
  await expect(card).toBeVisible();
  await page.getByTestId("chaos-service").selectOption("notification-service");
  await page.getByTestId("chaos-environment").selectOption("dev");
  await page.getByTestId("chaos-mode-errors").check();
  // What the platform will do is explained before anything breaks.
  await expect(page.getByTestId("chaos-outlook")).toContainText("What the platform will do");

  await page.getByTestId("chaos-break").click();
  const row = page.getByTestId("chaos-notification-service-dev");
  await expect(row).toBeVisible();
  await expect(row).toContainText("errors");
  await expect(row).toContainText("in force");
  await expect(row).toHaveAttribute("data-active", "true");

  // Listed for everyone after a reload, too (it is stored, not page state).
  await page.reload();
  await expect(page.getByTestId("chaos-notification-service-dev")).toContainText("errors");

  await page.getByTestId("chaos-clear-notification-service-dev").click();
  await expect(page.getByTestId("chaos-notification-service-dev")).toHaveCount(0);
});

test("victor sees the incidents but no self-healing or chaos controls", async ({ page }) => {
  // The demo's history holds resolved incidents over the last 90 days.
  await signInAs(page, "victor", "/slos/incidents?range=90d");
  await expect(page.getByTestId("slos-nav").getByRole("link", { name: "Incidents" })).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("incidents-table")).toBeVisible();
  await expect(page.getByTestId("incidents-range")).toHaveValue("90d");
  const first = page.getByTestId("incident-row").first();
  await expect(first).toBeVisible();
  await expect(first.getByTestId("incident-duration")).not.toHaveText("—");

  // Filters are kept in the URL.
  await page.getByTestId("incidents-status-resolved").click();
  await expect(page).toHaveURL(/status=resolved/);
  await expect(page.getByTestId("incident-row").first()).toHaveAttribute("data-status", "resolved");

  // An incident's page: its MTTR, the alert's labels and the deployment before it.
  await page.getByTestId("incident-row").first().getByRole("link", { name: /^#\d+$/ }).click();
  await page.waitForURL(/\/slos\/incidents\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("incident-title")).toHaveText(/Incident #\d+/);
  await expect(page.getByTestId("incident-mttr")).toContainText("Time to recover");
  await expect(page.getByTestId("alert-labels")).toContainText("severity=page");
  await expect(page.getByTestId("approve-remediation")).toHaveCount(0);

  // Self-healing's settings read as text: no switch, no form, no button.
  await page.goto("/slos/self-healing");
  await expect(page.getByTestId("kill-switch-state")).toBeVisible();
  await expect(page.getByTestId("dry-run-state")).toBeVisible();
  await expect(page.getByTestId("kill-switch-toggle")).toHaveCount(0);
  await expect(page.getByTestId("dry-run-toggle")).toHaveCount(0);
  await expect(page.getByTestId("save-limits")).toHaveCount(0);
  await expect(page.getByTestId("add-rule")).toHaveCount(0);
  await expect(page.getByTestId("settings-revision")).toContainText("Read-only");

  // The chaos list, without the control.
  await page.goto("/sandbox");
  await expect(page.getByTestId("chaos-read-only")).toBeVisible();
  await expect(page.getByTestId("chaos-break")).toHaveCount(0);
});
