// Services as release managers and viewers use them: a service page with its environments and
// plan, a dependency added and a cycle refused from the page, the seed's deployment-config.yaml
// checked and imported from the dialog, and the planner's waves.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

const SEED = readFileSync(path.resolve(import.meta.dirname, "../tests/fixtures/graph/deployment-config.yaml"), "utf8");

test("carol edits backend-api's dependencies from its page, and a cycle is refused with the cycle", async ({ page }) => {
  await signInAs(page, "carol");
  await page.goto("/services");
  await page.getByTestId("service-link-backend-api").click();
  await expect(page.getByTestId("service-name")).toHaveText("backend-api");
  await expect(page.getByTestId("service-environments")).toContainText("ghcr.io/acme/backend-api:");
  await expect(page.getByTestId("plan-wave-1")).toContainText("backend-api");
  await expect(page.getByTestId("plan-wave-2")).toContainText("frontend");

  const editor = page.getByTestId("dependency-editor");
  await page.getByTestId("add-dependency").fill("message-broker");
  await editor.getByRole("button", { name: "Add" }).click();
  await expect(editor.getByRole("link", { name: "message-broker" })).toBeVisible();
  await expect(page.getByTestId("service-history")).toContainText("service.dependencies_changed");
  await editor.getByRole("button", { name: "Remove the dependency on message-broker" }).click();
  await expect(editor.getByRole("link", { name: "message-broker" })).toHaveCount(0);

  await page.goto("/services/database");
  await page.getByTestId("add-dependency").fill("worker-service");
  await page.getByTestId("dependency-editor").getByRole("button", { name: "Add" }).click();
  await expect(page.getByTestId("dependency-error")).toContainText("database → worker-service → database");
});

test("carol checks and imports the seed's deployment-config.yaml, then plans the four services", async ({ page }) => {
  await signInAs(page, "carol");
  await page.goto("/services");
  await page.getByTestId("import-graph").click();
  await page.getByTestId("import-text").fill("services:\n  api:\n    dependencies: [database\n");
  await page.getByTestId("import-check-button").click();
  await expect(page.getByTestId("import-error")).toContainText(/line \d+, column \d+/);
  await page.getByTestId("import-text").fill(SEED);
  await page.getByTestId("import-check-button").click();
  await expect(page.getByTestId("import-check")).toContainText("create 0");
  await page.getByTestId("import-submit").click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await page.goto("/services/plan?environment=production&services=database,backend-api,frontend,worker-service");
  await expect(page.getByTestId("plan-wave-1")).toContainText("database");
  await expect(page.getByTestId("plan-wave-2")).toContainText("backend-api");
  await expect(page.getByTestId("plan-wave-3")).toContainText("frontend");
  await expect(page.getByTestId("plan-wave-3")).toContainText("worker-service");
  await expect(page.getByTestId("plan-service-worker-service")).toContainText("waits for backend-api, database");
  await expect(page.getByTestId("plan-wave-4")).toHaveCount(0);
});

test("victor reads services but is offered no way to change them", async ({ page }) => {
  await signInAs(page, "victor");
  await page.goto("/services");
  await expect(page.getByTestId("services-table")).toContainText("backend-api");
  await expect(page.getByTestId("new-service")).toHaveCount(0);
  await expect(page.getByTestId("import-graph")).toHaveCount(0);
  await page.goto("/services/backend-api");
  await expect(page.getByTestId("edit-service")).toHaveCount(0);
  await expect(page.getByTestId("delete-service")).toHaveCount(0);
  await expect(page.getByTestId("add-dependency")).toHaveCount(0);
});
