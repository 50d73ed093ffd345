// SLOs as SREs use them: dave (sre) reads the overview, defines an SLO through the form (a bad
// name refused in the browser, broken PromQL refused by the server with its line and column on
// the field), reads its budget (the burn-down chart's SVG, the numbers, the burn rates and how they
// are computed), finds it in the overview and commits every SLO's rules to the GitOps repository;
// victor (viewer) reads the same pages with no way to change anything.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("dave defines an SLO through the form and reads its budget chart", async ({ page }) => {
  await signInAs(page, "dave", "/slos");
  // The demo's SLOs, most at risk first, each with its budget.
  await expect(page.getByTestId("slos-table")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("slo-row").first()).toBeVisible();
  await expect(page.getByTestId("slos-table").getByTestId("budget-left").first()).toContainText("%");

  await page.getByTestId("new-slo").click();
  await page.waitForURL("**/slos/new");
  await page.locator("#slo-service").selectOption("checkout-web");

  // Checked in the browser with the API's own schema: nothing is sent.
  await page.locator("#slo-name").fill("Not A Slug");
  await page.getByTestId("save-slo").click();
  await expect(page.locator("#slo-name-error")).toContainText("Lower-case letters");
  await expect(page).toHaveURL(/\/slos\/new$/);

  await page.locator("#slo-name").fill("e2e-availability");
  await page.locator("#slo-display-name").fill("Checkout answers (e2e)");
  await page.locator("#slo-kind").selectOption("availability");
  await page.locator("#slo-objective").fill("99.5");
  await page.locator("#slo-window").selectOption("30d");
  await page.locator("#slo-environment").selectOption("production");

  // Broken PromQL: the server's parser answers with the line and column, shown on the field.
  await page.locator("#slo-sli-source").selectOption("raw");
  await page.locator("#slo-raw-query").fill('sum(rate(http_requests_total{code=~"5.."}[{{.window}}])');
  await page.getByTestId("save-slo").click();
  await expect(page.locator("#slo-raw-query-error")).toContainText(/line 1, column \d+: unclosed left parenthesis/);

  // The common HTTP metrics instead.
  await page.locator("#slo-sli-source").selectOption("http");
  await page.locator("#slo-automation").selectOption("auto-rollback");
  await page.getByTestId("save-slo").click();
  await page.waitForURL(/\/slos\/[0-9a-f-]{36}$/);

  await expect(page.getByTestId("slo-title")).toHaveText("Checkout answers (e2e)");
  // The burn-down chart renders as SVG, with the budget numbers beside it.
  const chart = page.getByTestId("budget-chart");
  await expect(chart).toBeVisible({ timeout: 30_000 });
  await expect(chart.locator("svg.recharts-surface").first()).toBeVisible();
  await expect(chart.locator(".recharts-area-area").first()).toBeAttached();
  await expect(page.getByTestId("slo-budget")).toContainText(/-?\d+(\.\d+)?%/);
  await expect(page.getByTestId("slo-budget")).toContainText("requests");
  await expect(page.getByTestId("slo-sli")).toContainText("%");
  await expect(page.getByTestId("burn-rates")).toContainText("1h");
  await expect(page.getByTestId("alert-conditions")).toContainText("14.4×");
  await expect(page.getByTestId("slo-definitions")).toContainText('http_requests_total{service="checkout-web",environment="production",code=~"5.."}');
  await expect(page.getByTestId("download-rules")).toHaveAttribute("href", /\/api\/v1\/slos\/[0-9a-f-]{36}\/rules$/);

  await page.goto("/slos?service=checkout-web");
  await expect(page.getByTestId("slo-link-checkout-web-e2e-availability")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("slos-service")).toHaveValue("checkout-web");
});

test("dave commits every SLO's rules to the GitOps repository", async ({ page }) => {
  await signInAs(page, "dave", "/slos");
  await page.getByTestId("commit-rules").click();
  await page.getByTestId("confirm-commit").click();
  await expect(page.getByTestId("commit-result")).toContainText(/Committed [0-9a-f]{7} to demo\/gitops|already holds exactly these rules/);
  await expect(page.getByTestId("commit-result")).toContainText("monitoring/slos/");
});

test("victor reads the SLOs but is offered no way to change them", async ({ page }) => {
  await signInAs(page, "victor", "/slos");
  await expect(page.getByTestId("slos-table")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("new-slo")).toHaveCount(0);
  await expect(page.getByTestId("commit-rules")).toHaveCount(0);
  await page.getByTestId("slo-link-checkout-web-availability").click();
  await expect(page.getByTestId("slo-title")).toHaveText("Checkout availability");
  await expect(page.getByTestId("edit-slo")).toHaveCount(0);
  await expect(page.getByTestId("delete-slo")).toHaveCount(0);
});
