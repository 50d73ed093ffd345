// Environment settings as a platform admin changes them: the table on Delivery → Environments,
// the settings dialog with the server's field errors, a cross-service integration check saved
// and shown, and the GitOps repository card. Works on `dev` and puts it back, since other specs
// promote into staging and production.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("alice configures dev's integration tests, sees a bad URL refused on its field, and puts it back", async ({ page }) => {
  await signInAs(page, "alice", "/delivery/environments");
  const dev = page.getByTestId("environment-dev");
  await expect(dev).toContainText("none");
  await expect(page.getByTestId("gitops-repository")).toContainText("exists");

  await page.getByTestId("edit-environment-dev").click();
  await page.getByTestId("env-check-kind").selectOption("http");
  await page.getByLabel("URL").fill("ftp://tests.internal/run");
  await page.getByTestId("save-environment").click();
  await expect(page.getByTestId("field-error").first()).toContainText("http");

  await page.getByLabel("URL").fill("http://127.0.0.1:9/health");
  await page.getByTestId("save-environment").click();
  await expect(dev).toContainText("GET http://127.0.0.1:9/health → 200");

  await page.getByTestId("edit-environment-dev").click();
  await page.getByTestId("env-check-kind").selectOption("none");
  await page.getByTestId("save-environment").click();
  await expect(dev).not.toContainText("127.0.0.1");
  await expect(dev).toContainText("none");
});

test("victor reads environment settings but is offered no way to change them", async ({ page }) => {
  await signInAs(page, "victor", "/delivery/environments");
  await expect(page.getByTestId("environments-table")).toContainText("Production");
  await expect(page.getByTestId("edit-environment-dev")).toHaveCount(0);
  await expect(page.getByTestId("create-gitops-repository")).toHaveCount(0);
});
