// Insights as leadership reads it in the demo organisation (90 days of seeded delivery history):
// the four enterprise metrics against their targets, the DORA keys in their bands, a team
// filter kept in the URL, a number followed to its records, and the records downloaded as CSV.
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

const ENTERPRISE = [
  ["templateAdoption", "Template Adoption", "> 80 %"],
  ["deploymentSuccessRate", "Deployment Success Rate", "> 99 %"],
  ["mttrMinutes", "Mean Time to Recovery", "< 5 minutes"],
  ["policyCompliance", "Policy Compliance", "100 %"],
] as const;

test("erin sees the enterprise metrics against their targets, filters to a team, follows a number to its records and downloads them", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await signInAs(page, "erin", "/insights");

  const table = page.getByTestId("enterprise-metrics");
  await expect(table.getByRole("row")).toHaveCount(1 + ENTERPRISE.length);
  for (const [metric, label, target] of ENTERPRISE) {
    await expect(page.getByTestId(`metric-row-${metric}`)).toContainText(label);
    await expect(page.getByTestId(`metric-target-${metric}`)).toHaveText(target);
    await expect(page.getByTestId(`metric-status-${metric}`)).toHaveAttribute("data-status", /^(met|not_met|no_data)$/);
  }
  // The demo's history gives the delivery numbers a value, a status and a trend.
  await expect(page.getByTestId("metric-value-deploymentSuccessRate")).toHaveText(/^\d+(\.\d+)? %$/);
  await expect(page.getByTestId("metric-status-deploymentSuccessRate")).toHaveAttribute("data-status", /^(met|not_met)$/);
  await expect(page.getByTestId("metric-value-mttrMinutes")).toHaveText(/min|h/);
  await expect(page.getByTestId("metric-row-deploymentSuccessRate").getByTestId("sparkline")).toBeVisible();
  for (const key of ["deploymentFrequency", "leadTime", "changeFailureRate", "timeToRestore"]) {
    await expect(page.getByTestId(`dora-band-${key}`)).toHaveAttribute("data-band", /^(elite|high|medium|low)$/);
  }
  await expect(page.getByTestId("definitions")).toContainText("first commit");
  await expect(page.getByTestId("dora-bands")).toContainText("one day or less");
  await expect(page.getByTestId("definitions")).toContainText("Accelerate State of DevOps Report 2023");

  // One team, over 90 days: the URL keeps both.
  await page.getByTestId("insights-team").selectOption("payments");
  await page.waitForURL(/[?&]team=payments/);
  await expect(page.getByTestId("insights-period")).toContainText("team Payments");
  await page.getByTestId("range-90d").click();
  await page.waitForURL(/[?&]range=90d/);
  expect(new URL(page.url()).searchParams.get("team")).toBe("payments");
  await expect(page.getByTestId("insights-period")).toContainText("(90 days, UTC)");
  await expect(page.getByTestId("team-row-payments")).toBeVisible();

  // A number leads to its records, for the same team and period.
  await page.getByTestId("metric-value-deploymentSuccessRate").click();
  await page.waitForURL(/\/insights\/records\?/);
  const url = new URL(page.url());
  expect([url.searchParams.get("metric"), url.searchParams.get("team"), url.searchParams.get("range")]).toEqual(["deploymentSuccessRate", "payments", "90d"]);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Failed and rolled-back deployments");
  const records = page.getByTestId("records-table");
  await expect(records).toBeVisible();
  await expect(records.getByRole("row").nth(1)).toContainText("payments");
  await expect(page.getByTestId("records-total")).toContainText("of");

  // And downloads as CSV: every record of the period, this team only.
  const downloading = page.waitForEvent("download");
  await page.getByTestId("records-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^insights-deploymentSuccessRate-payments-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile(await download.path(), "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toBe("Started,Service,Team,Environment,Version,Outcome,Finished,By,Promotion");
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) expect(line.split(",")[2]).toBe("payments");

  // Back to the page with the same selection.
  await page.getByTestId("records-back").click();
  await page.waitForURL((u) => u.pathname === "/insights" && u.searchParams.get("team") === "payments" && u.searchParams.get("range") === "90d");
  expect(errors).toEqual([]);
});

test("the per-team table sorts, and downloads as CSV", async ({ page }) => {
  await signInAs(page, "erin", "/insights?range=90d");
  const table = page.getByTestId("teams-table");
  for (const team of ["Payments", "Storefront", "Platform"]) await expect(table).toContainText(team);
  // Lead time, shortest first: payments ships within the day in the demo.
  await page.getByTestId("teams-sort-leadTime").click();
  await expect(table.getByRole("row").nth(1)).toContainText("Payments");
  await expect(page.getByTestId("teams-sort-leadTime").locator("xpath=..")).toHaveAttribute("aria-sort", "ascending");

  const downloading = page.waitForEvent("download");
  await page.getByTestId("teams-csv").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^insights-teams-.*\.csv$/);
  const csv = await readFile(await download.path(), "utf8");
  expect(csv.split("\r\n")[0]).toContain("Team,Template Adoption (%)");
  expect(csv).toContain("payments,");
});

test("a custom period is kept in the URL", async ({ page }) => {
  await signInAs(page, "erin", "/insights");
  await page.getByTestId("range-custom").click();
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId("range-from").fill(from);
  await page.getByTestId("range-to").fill(to);
  await page.getByTestId("range-apply").click();
  await page.waitForURL((u) => u.searchParams.get("range") === "custom" && u.searchParams.get("from") === from && u.searchParams.get("to") === to);
  await expect(page.getByTestId("insights-period")).toContainText(`${from} to ${to} (14 days, UTC)`);
});
