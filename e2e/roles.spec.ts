// Each demo user signs in, sees exactly the sections their role opens, can visit each of them,
// is refused the others (on the server, not just hidden), and signs out.
import { expect, test } from "@playwright/test";
import { NAV_BY_USER, SECTIONS, SETTINGS_TABS_BY_USER, signInAs, signOut } from "./support/session";

for (const [login, visible] of Object.entries(NAV_BY_USER)) {
  test(`${login} sees only what their role allows`, async ({ page }) => {
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await signInAs(page, login);

    const nav = page.getByRole("navigation", { name: "Main navigation" });
    await expect(nav.getByRole("link")).toHaveText(visible);

    for (const label of visible) {
      await nav.getByRole("link", { name: label, exact: true }).click();
      await page.waitForURL((url) => url.pathname === SECTIONS[label]);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await expect(page.getByTestId("page-error")).toHaveCount(0);
      await expect(page.getByTestId("no-access")).toHaveCount(0);
      await expect(nav.getByRole("link", { name: label, exact: true })).toHaveAttribute("aria-current", "page");
    }

    for (const [label, href] of Object.entries(SECTIONS)) {
      if (visible.includes(label)) continue;
      await page.goto(href);
      await expect(page.getByTestId("no-access")).toBeVisible();
    }

    await page.goto("/settings");
    await expect(page.getByRole("navigation", { name: "Settings" }).getByRole("link")).toHaveText(SETTINGS_TABS_BY_USER[login] ?? []);
    if (!SETTINGS_TABS_BY_USER[login]?.includes("Jobs")) {
      await page.goto("/settings/jobs");
      await expect(page.getByTestId("no-access")).toBeVisible();
    }

    await signOut(page);
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/signin/);
    expect(errors).toEqual([]);
  });
}

test("the sandbox is labelled as such on every page", async ({ page }) => {
  await signInAs(page, "victor");
  await expect(page.getByTestId("sandbox-banner")).toContainText("Sandbox mode");
  await page.goto("/services");
  await expect(page.getByTestId("sandbox-banner")).toBeVisible();
});

test("signing in returns to the page asked for", async ({ page }) => {
  await page.goto("/services?team=payments");
  await expect(page).toHaveURL(/\/signin/);
  await page.getByTestId("demo-user-bob").click();
  await page.waitForURL((url) => url.pathname === "/services");
  await expect(page.getByTestId("services-table")).toBeVisible();
});

test("an unknown demo login is refused with a clear message", async ({ page, request }) => {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const res = await request.post("/api/auth/callback/demo", { form: { login: "mallory", csrfToken: csrf.csrfToken }, maxRedirects: 0 });
  expect([302, 303]).toContain(res.status());
  expect(res.headers().location).toContain("error=");
  await page.goto(res.headers().location ?? "/signin");
  await expect(page.getByTestId("signin-error")).toBeVisible();
});
