// The shell for keyboard users and in both themes.
import { expect, test } from "@playwright/test";
import { signInAs } from "./support/session";

test("the first Tab reaches 'Skip to content', which moves focus past the navigation", async ({ page }) => {
  await signInAs(page, "carol");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("the theme can be switched to dark and back", async ({ page }) => {
  await signInAs(page, "erin");
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitemradio", { name: "Dark" }).click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByTestId("user-menu").click();
  await page.getByRole("menuitemradio", { name: "Light" }).click();
  await expect(page.locator("html")).not.toHaveClass(/dark/);
});

test("services can be searched, filtered by team and sorted", async ({ page }) => {
  await signInAs(page, "victor", "/services");
  const table = page.getByTestId("services-table");
  await expect(table.locator("tbody tr")).toHaveCount(14);
  await page.getByTestId("services-team").selectOption("payments");
  await expect(page).toHaveURL(/team=payments/);
  await expect(table.locator("tbody tr")).toHaveCount(5);
  await page.getByTestId("services-search").fill("ledger");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  await page.getByTestId("services-team").selectOption("");
  await page.getByTestId("services-search").fill("");
  await page.getByRole("button", { name: /^Service/ }).click();
  await expect(table.locator("tbody tr").first()).toContainText("worker-service");
});

test("a change made while another is still loading builds on it (a slow server)", async ({ page }) => {
  await signInAs(page, "victor", "/services?q=ledger");
  const table = page.getByTestId("services-table");
  await expect(table.locator("tbody tr")).toHaveCount(3);
  // Every navigation of the list takes a while: the URL only moves when it has loaded.
  await page.route(/\/services(\?|$)/, async (route) => {
    if (route.request().headers()["rsc"]) await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  // Clear the search, then sort before it has loaded: the debounced search fires after the click.
  await page.getByTestId("services-search").fill("");
  await page.getByRole("button", { name: /^Service/ }).click();
  await expect(page).toHaveURL(/sort=-name/);
  await expect(page).not.toHaveURL(/q=/);
  await expect(table.locator("tbody tr")).toHaveCount(14);
  await expect(table.locator("tbody tr").first()).toContainText("worker-service");
});

test("the services list keeps its view in the URL and pages on the server", async ({ page }) => {
  await signInAs(page, "victor", "/services?strategy=canary&sort=-name");
  const table = page.getByTestId("services-table");
  await expect(page.getByTestId("services-strategy")).toHaveValue("canary");
  await expect(table.getByRole("columnheader", { name: /Service/ })).toHaveAttribute("aria-sort", "descending");
  const names = await table.locator("tbody tr td:first-child a").allTextContents();
  expect(names.length).toBeGreaterThan(0);
  expect(names).toEqual([...names].sort().reverse());
  await expect(page.getByTestId("services-range")).toContainText(`1–${names.length} of ${names.length}`);
  await expect(page.getByTestId("services-next")).toBeDisabled();
  // A search finds services by the name of a dependency too.
  await page.goto("/services?q=message-broker");
  await expect(table).toContainText("ledger");
  // Past the last page: say so, rather than an empty table.
  await page.goto("/services?offset=5000");
  await expect(page.getByText("This page is past the end of the list.")).toBeVisible();
  await page.goto("/services?q=no-such-service-anywhere");
  await page.getByRole("button", { name: "Clear search and filters" }).click();
  await expect(page).toHaveURL(/\/services$/);
  await expect(table.locator("tbody tr")).not.toHaveCount(0);
});
