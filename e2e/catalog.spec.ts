// The catalog as bob (developer, payments) uses it: find dotnet-ci-cd, fill its form (and see the
// validator catch a missing parameter), preview the workflow with GitHub's own expressions intact,
// open the pull request into a sandbox repository, read its files, and find the instance on the
// template's usage tab.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("bob adopts dotnet-ci-cd through a pull request", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, "bob", "/catalog");

  await page.getByTestId("catalog-search").fill("dotnet");
  await expect(page).toHaveURL(/q=dotnet/);
  const results = page.getByTestId("catalog-results");
  await expect(results.getByTestId("template-card-dotnet-ci-cd")).toBeVisible();
  await expect(results.getByTestId("template-card-node-ci-cd")).toHaveCount(0);
  await results.getByTestId("template-card-dotnet-ci-cd").click();

  await expect(page.getByRole("heading", { level: 1 })).toHaveText(".NET CI/CD reusable workflow");
  await expect(page.getByTestId("template-name")).toHaveText("dotnet-ci-cd@2.1.0");
  await page.getByTestId("use-template").click();

  // The required environment is left empty: the same validator as the server's says so, inline.
  const environment = page.getByLabel(/^environment/);
  await expect(environment).toHaveValue("");
  await page.getByTestId("preview").click();
  await expect(page.locator('[data-field="environment"] [data-testid="field-error"]')).toHaveText("Required.");
  await expect(environment).toHaveAttribute("aria-invalid", "true");

  await environment.fill("staging");
  await page.getByTestId("target-repo").selectOption("demo/ledger");
  await page.getByTestId("preview").click();
  const files = page.getByTestId("preview-files");
  await expect(files).toContainText(".github/workflows/dotnet-ci-cd.yml");
  await files.getByRole("button", { name: /dotnet-ci-cd\.yml/ }).click();
  await expect(page.getByTestId("preview-content")).toContainText("${{ inputs.dotnet-version }}");

  await page.getByTestId("create-instance").click();
  await page.waitForURL(/\/catalog\/instances\//);
  await expect(page.getByTestId("instance-progress")).toContainText("Pull request open", { timeout: 30_000 });
  await expect(page.getByTestId("open-pull-request")).toBeVisible({ timeout: 30_000 });
  await page.getByTestId("open-pull-request").click();

  await expect(page.getByTestId("pull-request-title")).toContainText(".NET CI/CD reusable workflow 2.1.0");
  const prFiles = page.getByTestId("pull-request-files");
  await expect(prFiles).toContainText(".github/workflows/dotnet-ci-cd.yml");
  await expect(prFiles).toContainText("${{ inputs.dotnet-version }}");

  await page.goto("/catalog/dotnet-ci-cd?tab=usage");
  const usage = page.getByTestId("usage-table");
  await expect(usage).toContainText("demo/ledger");
  await expect(usage).toContainText("2.1.0");
  await expect(usage).toContainText("pull request open");

  // In the sandbox bob also plays the repository's maintainer: merging adopts the template.
  await usage.getByRole("link", { name: /^#\d+$/ }).click();
  await page.getByTestId("merge-pull-request").click();
  await expect(page.getByText("Paved updated the template instance")).toBeVisible();
  await page.goto("/catalog/dotnet-ci-cd?tab=usage");
  await expect(page.getByTestId("usage-table")).toContainText("completed");
});

test("a viewer browses the catalog but cannot use a template", async ({ page }) => {
  await signInAs(page, "victor", "/catalog/dotnet-ci-cd?tab=versions");
  await expect(page.getByTestId("versions-table")).toContainText("1.4.2");
  await expect(page.getByTestId("versions-table")).toContainText("deprecated");
  await expect(page.getByTestId("use-template")).toHaveCount(0);
  await page.goto("/catalog/dotnet-ci-cd/new");
  await expect(page.getByTestId("no-access")).toBeVisible();
});
