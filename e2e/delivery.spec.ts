// Delivery as release managers use it: a promotion of backend-api and frontend from staging to
// production asked for from the matrix, its diff, plan and gates, approved by another release
// manager, run wave by wave (frontend through its canary steps) and found on the timeline; then a
// version marked bad in the sandbox cluster fails its rollout in staging and is rolled back.
// Set PAVED_SANDBOX_SPEED (e.g. 0.2) in the environment to make the sandbox cluster faster.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { signInAs, signOut } from "./support/session";

const RUN_TIMEOUT = 120_000;

/** Alice (platform admin) in a browser context of her own, beside the page under test. */
async function asAlice(browser: Browser): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, "alice");
  return { page, close: () => context.close() };
}

async function openPromote(page: Page, source: string, target: string) {
  await page.getByTestId("promote-button").click();
  await expect(page.getByTestId("promote-dialog")).toBeVisible();
  await page.getByTestId("promote-source").selectOption(source);
  await page.getByTestId("promote-target").selectOption(target);
}

async function promotionIdOf(page: Page): Promise<string> {
  await page.waitForURL(/\/delivery\/promotions\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname.split("/").at(-1)!;
}

test("carol promotes backend-api and frontend to production, frank approves, the run goes wave by wave through the canary", async ({ page }) => {
  test.setTimeout(300_000);
  await signInAs(page, "carol", "/delivery");
  await expect(page.getByTestId("delivery-nav").getByRole("link", { name: "Matrix" })).toHaveAttribute("aria-current", "page");
  // The first read of git and the engine after the server starts takes a few seconds.
  await expect(page.getByTestId("environments-matrix")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("cell-backend-api-staging").getByTestId("cell-version")).toHaveText("1.5.0");
  await expect(page.getByTestId("cell-backend-api-production").getByTestId("cell-version")).toHaveText("1.4.0");

  // The dialog opens on staging → production with nothing checked.
  await page.getByTestId("promote-button").click();
  await expect(page.getByTestId("promote-source")).toHaveValue("staging");
  await expect(page.getByTestId("promote-target")).toHaveValue("production");
  await expect(page.getByTestId("promote-versions-backend-api")).toContainText("1.4.0");
  await expect(page.getByTestId("promote-versions-backend-api")).toContainText("1.5.0");
  await expect(page.getByTestId("promote-versions-frontend")).toContainText("3.1.2");
  await expect(page.getByTestId("promote-versions-frontend")).toContainText("3.2.0");
  await expect(page.getByTestId("promote-submit")).toBeDisabled();
  await page.getByTestId("promote-check-backend-api").check();
  await page.getByTestId("promote-check-frontend").check();
  await page.getByTestId("promote-reason").fill("Checkout redesign: API 1.5 and the new frontend");
  await page.getByTestId("promote-submit").click();
  const id = await promotionIdOf(page);

  // Diff, plan and gates.
  await expect(page.getByTestId("promotion-title")).toHaveText(/Promotion #\d+/);
  await expect(page.getByTestId("diff-versions-backend-api")).toHaveText("1.4.0 → 1.5.0");
  await expect(page.getByTestId("diff-versions-frontend")).toHaveText("3.1.2 → 3.2.0");
  await expect(page.getByTestId("diff-backend-api")).toContainText("+");
  await expect(page.getByTestId("diff-backend-api")).toContainText("1.5.0");
  await expect(page.getByTestId("plan-wave-1")).toContainText("backend-api");
  await expect(page.getByTestId("plan-wave-2")).toContainText("frontend");
  await expect(page.getByTestId("plan-detail-backend-api")).toContainText("db-migration.sql");
  await expect(page.getByTestId("plan-detail-frontend")).toContainText("10 → 50 → 100");
  await expect(page.getByTestId("gate-approvals")).toHaveAttribute("data-status", "pending");
  await expect(page.getByTestId("gate-approvals")).toContainText("release manager other than carol");
  await expect(page.getByTestId("gate-policies")).toHaveAttribute("data-status", /passed|warning/);
  // frontend runs as root in every environment already (a known issue of the demo): that warns, it does not block.
  await expect(page.getByTestId("gate-manifests")).toHaveAttribute("data-status", /passed|warning/);
  // Carol asked for it: no approve button for her, and the API refuses her approval.
  await expect(page.getByTestId("self-approval-note")).toBeVisible();
  await expect(page.getByTestId("approve")).toHaveCount(0);
  await expect(page.getByTestId("run-promotion")).toBeDisabled();
  const self = await page.request.post(`/api/v1/promotions/${id}/approve`, { data: {} });
  expect(self.status()).toBe(403);
  expect((await self.json()).error.message).toContain("someone else must approve it");

  // Frank approves.
  await signOut(page);
  await signInAs(page, "frank", `/delivery/promotions/${id}`);
  await page.getByTestId("approval-comment").fill("Looks good, staging has been green all week");
  await page.getByTestId("approve").click();
  await expect(page.getByTestId("approval-frank")).toContainText("approved");
  await expect(page.getByTestId("gate-approvals")).toHaveAttribute("data-status", "passed");

  // Carol runs it and watches it.
  await signOut(page);
  await signInAs(page, "carol", `/delivery/promotions/${id}`);
  await expect(page.getByTestId("gates-summary")).toContainText("it can run");
  await page.getByTestId("run-promotion").click();
  await expect(page.getByTestId("run")).toBeVisible();
  await expect(page.getByTestId("run-wave-1")).toContainText("backend-api");
  await expect(page.getByTestId("run-wave-2")).toContainText("frontend");
  await expect(page.getByTestId("run-service-backend-api")).toHaveAttribute("data-status", "succeeded", { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId("step-backend-api-migrate")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("step-backend-api-commit")).toContainText(/[0-9a-f]{7}/);
  await expect(page.getByTestId("canary-weights-frontend")).toContainText("10%", { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId("canary-weights-frontend")).toHaveText("10% → 50% → 100%", { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId("run")).toHaveAttribute("data-status", "succeeded", { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId("run-service-frontend")).toHaveAttribute("data-status", "succeeded");
  await expect(page.getByTestId("run-final")).toContainText("succeeded");
  await expect(page.getByTestId("run-status")).toHaveText("succeeded");

  // The matrix shows the new versions in production.
  await page.goto("/delivery");
  await expect(page.getByTestId("cell-backend-api-production").getByTestId("cell-version")).toHaveText("1.5.0");
  await expect(page.getByTestId("cell-frontend-production").getByTestId("cell-version")).toHaveText("3.2.0");
  await expect(page.getByTestId("recent-promotions")).toContainText("succeeded");

  // Both deployments are on the timeline, and a bar leads back to the promotion.
  await page.getByTestId("delivery-nav").getByRole("link", { name: "Timeline" }).click();
  await page.waitForURL("**/delivery/timeline");
  const bar = (service: string) => page.locator(`[data-testid="timeline-bar"][data-service="${service}"][data-environment="production"]`);
  await expect(bar("backend-api")).toHaveCount(1);
  await expect(bar("frontend")).toHaveCount(1);
  await expect(bar("backend-api")).toHaveAttribute("data-outcome", "succeeded");
  await expect(bar("frontend")).toHaveAttribute("data-outcome", "succeeded");
  await bar("frontend").hover();
  await expect(page.getByTestId("timeline-tooltip")).toContainText("3.1.2 → 3.2.0");
  await expect(page.getByTestId("timeline-tooltip")).toContainText("carol");
  await page.getByTestId("timeline-lanes-environment").click();
  await expect(page.getByTestId("timeline-lane-production")).toBeVisible();
  await bar("frontend").click();
  await page.waitForURL(`**/delivery/promotions/${id}`);
});

test("a version marked bad fails its canary analysis in staging, and the run rolls back", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const alice = await asAlice(browser);
  const markBad = (bad: boolean) => alice.page.request.post("/api/v1/sandbox/bad-versions", { data: { service: "frontend", version: "3.3.0-rc.2", mode: "errors", bad } });
  try {
    // Bad as in "serves errors": dev stays Healthy (so the promotion's gates pass), and the
    // canary's analysis catches the error rate once the version takes enough traffic.
    const marked = await markBad(true);
    expect(marked.status(), await marked.text()).toBe(200);
    await signInAs(page, "carol", "/delivery");
    await openPromote(page, "dev", "staging");
    await expect(page.getByTestId("promote-versions-frontend")).toContainText("3.2.0");
    await expect(page.getByTestId("promote-versions-frontend")).toContainText("3.3.0-rc.2");
    await page.getByTestId("promote-check-frontend").check();
    await page.getByTestId("promote-submit").click();
    await promotionIdOf(page);
    await expect(page.getByTestId("diff-versions-frontend")).toHaveText("3.2.0 → 3.3.0-rc.2");
    await expect(page.getByTestId("gate-approvals")).toHaveAttribute("data-status", "passed");
    await expect(page.getByTestId("gate-approvals")).toContainText("needs no approval");

    await page.getByTestId("run-promotion").click();
    await expect(page.getByTestId("run")).toBeVisible();

    await expect(page.getByTestId("run")).toHaveAttribute("data-status", "rolled_back", { timeout: RUN_TIMEOUT });
    await expect(page.getByTestId("run-status")).toHaveText("rolled back");
    await expect(page.getByTestId("run-service-frontend")).toHaveAttribute("data-status", "failed");
    await expect(page.getByTestId("step-frontend-rollout")).toHaveAttribute("data-status", "failed");
    await expect(page.getByTestId("step-frontend-rollout")).toContainText(/error rate/);
    const rollback = page.getByTestId("rollback-service-frontend");
    await expect(rollback).toHaveAttribute("data-status", "succeeded");
    for (const kind of ["rollback_commit", "rollback_sync", "rollback_rollout"]) {
      await expect(rollback.getByTestId(`step-frontend-${kind}`)).toHaveAttribute("data-status", "succeeded");
    }
    await expect(page.getByTestId("run-final")).toContainText("rolled back");
    await expect(page.getByTestId("run-message")).toContainText("Rolling back frontend");

    // Staging pins 3.2.0 again; the timeline shows the failed deployment and its rollback.
    await page.goto("/delivery");
    await expect(page.getByTestId("cell-frontend-staging").getByTestId("cell-version")).toHaveText("3.2.0");
    await page.goto("/delivery/timeline?environment=staging&service=frontend&range=24h");
    const failed = page.locator('[data-testid="timeline-bar"][data-kind="deploy"][data-version="3.3.0-rc.2"]');
    await expect(failed).toHaveCount(1);
    await expect(failed).toHaveAttribute("data-outcome", /failed|rolled_back/);
    await expect(page.locator('[data-testid="timeline-bar"][data-kind="rollback"][data-version="3.2.0"]')).toHaveAttribute("data-outcome", "succeeded");
  } finally {
    await markBad(false);
    await alice.close();
  }
});

test("victor sees the matrix and the timeline but no way to promote", async ({ page }) => {
  await signInAs(page, "victor", "/delivery");
  await expect(page.getByTestId("environments-matrix")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("promote-button")).toHaveCount(0);
  await page.goto("/delivery/timeline");
  await expect(page.getByTestId("delivery-nav").getByRole("link", { name: "Timeline" })).toHaveAttribute("aria-current", "page");
});
