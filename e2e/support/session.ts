import { expect, type Page } from "@playwright/test";

/** Signs in as a demo user from the sign-in page and waits for the overview. */
export async function signInAs(page: Page, login: string, next = "/"): Promise<void> {
  await page.goto(`/signin${next === "/" ? "" : `?next=${encodeURIComponent(next)}`}`);
  await page.getByTestId(`demo-user-${login}`).click();
  await page.waitForURL((url) => url.pathname + url.search === next);
  await expect(page.getByTestId("user-menu")).toBeVisible();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByTestId("user-menu").click();
  await page.getByTestId("sign-out").click();
  await page.waitForURL((url) => url.pathname === "/signin");
}

/** What each demo role is expected to see in the navigation (pinned, not derived). */
export const NAV_BY_USER: Record<string, string[]> = {
  alice: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Insights", "Audit", "Settings"],
  bob: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Settings"],
  carol: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Insights", "Audit", "Settings"],
  frank: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Insights", "Audit", "Settings"],
  dave: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Insights", "Audit", "Settings"],
  erin: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Insights", "Audit", "Settings"],
  victor: ["Overview", "Catalog", "Services", "Delivery", "SLOs", "Governance", "Settings"],
};

export const SECTIONS: Record<string, string> = {
  Overview: "/",
  Catalog: "/catalog",
  Services: "/services",
  Delivery: "/delivery",
  SLOs: "/slos",
  Governance: "/governance",
  Insights: "/insights",
  Audit: "/audit",
  Settings: "/settings",
};

/** Settings tabs each demo user is expected to see. */
export const SETTINGS_TABS_BY_USER: Record<string, string[]> = {
  alice: ["Profile", "API tokens", "Teams & people", "Jobs"],
  bob: ["Profile", "API tokens", "Teams"],
  carol: ["Profile", "API tokens", "Teams"],
  frank: ["Profile", "API tokens", "Teams"],
  dave: ["Profile", "API tokens", "Teams", "Jobs"],
  erin: ["Profile", "API tokens", "Teams"],
  victor: ["Profile", "API tokens", "Teams"],
};
