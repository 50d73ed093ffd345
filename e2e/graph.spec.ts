// The dependency-graph editor as release managers use it: carol drags a new dependency between
// two services (the layout moves and the revision goes up), is refused a dependency that would
// close a cycle and sees the cycle drawn, removes her dependency through the confirmation,
// undoes and redoes it with Undo, and finds her changes in the audit trail. Viewers see the same
// graph without handles; a developer gets "depends on" handles only on their team's services.
//
// Other specs share this database: everything here ends as it started (search-service depends
// only on catalog-service), and a finally block puts it back if an assertion fails midway. If
// another spec edits the graph at the same moment, the editor answers "the graph changed;
// reloaded — try again", and so does this test.
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { signInAs } from "./support/session";

test.use({ viewport: { width: 1440, height: 900 } });

/** Drags with the mouse from the centre of one element to the centre of another, as a person does. */
async function drag(page: Page, fromTestId: string, toTestId: string): Promise<void> {
  const from = await page.getByTestId(fromTestId).boundingBox();
  const to = await page.getByTestId(toTestId).boundingBox();
  if (!from || !to) throw new Error(`${fromTestId} or ${toTestId} is not on screen`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 8 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 8 });
  await page.mouse.up();
}

/** Waits until the layout is done and no node (nor the view) is still moving. */
async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId("graph-editor")).toHaveAttribute("data-layout", "idle");
}

const STALE = /The graph changed \(someone else edited it\); reloaded/;

/**
 * Does what a person does: act, and if the editor says the graph changed under them (another
 * spec edited it), try again on the reloaded graph. Returns once `done` is attached.
 */
async function untilDone(page: Page, action: () => Promise<void>, done: Locator, attempts = 4): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await settled(page);
    const staleBefore = await page.getByText(STALE).count();
    await action();
    let outcome: "done" | "stale" | null = null;
    await expect
      .poll(async () => {
        if ((await done.count()) > 0) outcome = "done";
        else if ((await page.getByText(STALE).count()) > staleBefore) outcome = "stale";
        return outcome;
      })
      .not.toBeNull();
    if (outcome === "done" || attempt >= attempts) {
      await expect(done.first()).toBeAttached();
      return;
    }
  }
}

async function revisionOf(page: Page): Promise<number> {
  return Number(await page.getByTestId("graph-revision").getAttribute("data-revision"));
}

async function centreX(page: Page, service: string): Promise<number> {
  const box = await page.getByTestId(`graph-node-${service}`).boundingBox();
  return box ? box.x + box.width / 2 : Number.NaN;
}

async function fitView(page: Page): Promise<void> {
  await page.getByRole("button", { name: /fit view/i }).click();
  // fitView animates nothing by default, but give the transform a frame.
  await page.waitForTimeout(100);
}

/** Puts search-service back to depending on catalog-service only, whatever happened. */
async function restore(request: APIRequestContext): Promise<void> {
  const res = await request.get("/api/v1/services/search-service");
  if (!res.ok()) return;
  const service = (await res.json()) as { dependsOn: string[] };
  if (!service.dependsOn.includes("checkout-web")) return;
  await request.put("/api/v1/services/search-service/dependencies", { data: { dependsOn: service.dependsOn.filter((d) => d !== "checkout-web") } });
}

test("carol drags a dependency in, is refused a cycle, removes it, undoes, and finds it audited", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, "carol", "/services/graph");
  const editor = page.getByTestId("graph-editor");
  for (const name of ["database", "backend-api", "frontend", "worker-service", "search-service", "checkout-web"]) {
    await expect(editor.getByTestId(`graph-node-${name}`)).toBeVisible();
  }
  await expect(editor.getByTestId("graph-edge-frontend--backend-api")).toBeAttached();
  await expect(editor.getByTestId("graph-edge-worker-service--database")).toBeAttached();
  await expect(editor.getByTestId("graph-legend")).toContainText("B depends on A");
  await settled(page);
  await expect(editor.getByTestId("graph-undo")).toBeDisabled();
  const startRevision = await revisionOf(page);
  expect(startRevision).toBeGreaterThan(0);
  const edge = editor.getByTestId("graph-edge-search-service--checkout-web");
  const revision = editor.getByTestId("graph-revision");

  try {
    // search-service (wave 3) sits left of checkout-web (wave 4) …
    expect(await centreX(page, "search-service")).toBeLessThan(await centreX(page, "checkout-web"));

    // … drag from checkout-web's "needed by" handle onto search-service's "depends on" handle:
    // search-service now depends on checkout-web, so it moves to the wave after it.
    await untilDone(page, () => drag(page, "handle-source-checkout-web", "handle-target-search-service"), edge);
    const added = await revisionOf(page);
    expect(added).toBeGreaterThan(startRevision);
    await expect(page.getByText(/^search-service now depends on checkout-web$/)).toBeVisible();
    await expect(editor.getByTestId("graph-undo")).toBeEnabled();
    await settled(page);
    expect((await centreX(page, "search-service")) - (await centreX(page, "checkout-web"))).toBeGreaterThan(100);

    // database → worker-service would close a cycle: refused, drawn in red, nothing saved.
    await fitView(page);
    const cycle = editor.getByTestId("graph-cycle");
    await untilDone(page, () => drag(page, "handle-source-worker-service", "handle-target-database"), cycle);
    await expect(cycle).toContainText(/That would close a cycle: database → worker-service → (backend-api → )?database/);
    await expect(editor.getByTestId("graph-node-database")).toHaveAttribute("data-emphasis", "cycle");
    await expect(editor.getByTestId("graph-node-worker-service")).toHaveAttribute("data-emphasis", "cycle");
    await expect(editor.getByTestId("graph-ghost-edge")).toBeAttached();
    await expect(editor.getByTestId("graph-edge-database--worker-service")).toHaveCount(0);
    // The red goes away by itself after a few seconds.
    await expect(cycle).toBeHidden({ timeout: 10_000 });
    await expect(editor.getByTestId("graph-node-database")).toHaveAttribute("data-emphasis", "normal");

    // Select the new dependency, press Delete, and confirm.
    await fitView(page);
    const dialog = page.getByRole("dialog");
    await untilDone(
      page,
      async () => {
        await edge.click();
        await expect(editor.getByTestId("graph-side-panel")).toContainText("search-service depends on checkout-web");
        await page.keyboard.press("Delete");
        await expect(dialog).toContainText("Remove: search-service no longer depends on checkout-web?");
        await dialog.getByTestId("graph-confirm-remove").click();
        await expect(dialog).toBeHidden();
      },
      page.getByText(/^search-service no longer depends on checkout-web$/),
    );
    await expect(edge).toHaveCount(0);
    expect(await revisionOf(page)).toBeGreaterThan(added);
    await settled(page);
    expect(await centreX(page, "search-service")).toBeLessThan(await centreX(page, "checkout-web"));

    // Undo puts it back (the inverse PUT), Ctrl+Z takes it out again; then nothing is left to undo.
    await untilDone(page, () => editor.getByTestId("graph-undo").click(), edge);
    await expect(revision).not.toHaveAttribute("data-revision", String(added));
    await untilDone(page, () => page.keyboard.press("ControlOrMeta+z"), page.getByText(/^Undone: search-service now depends on checkout-web/));
    await expect(edge).toHaveCount(0);
    await expect(editor.getByTestId("graph-undo")).toBeDisabled();

    // Selecting a service highlights its lineage and lists it.
    await editor.getByTestId("graph-search").fill("backend");
    await page.keyboard.press("Enter");
    await expect(editor.getByTestId("graph-node-backend-api")).toHaveAttribute("data-emphasis", "selected");
    await expect(editor.getByTestId("graph-upstream")).toContainText("database");
    await expect(editor.getByTestId("graph-downstream")).toContainText("frontend");
    await expect(editor.getByTestId("graph-downstream")).toContainText("checkout-web");
    await expect(editor.getByTestId("graph-node-message-broker")).toHaveAttribute("data-emphasis", "dimmed");

    // The audit trail has both changes, by carol, with what was added and removed.
    const audit = await page.request.get("/api/v1/audit?action=service.dependencies_changed&target=search-service&limit=20");
    expect(audit.status()).toBe(200);
    const events = ((await audit.json()) as { items: { actor: { login: string }; target: { label: string | null }; payload: { added?: string[]; removed?: string[] } }[] }).items.filter(
      (e) => e.actor.login === "carol" && e.target.label === "search-service",
    );
    expect(events.filter((e) => e.payload.added?.includes("checkout-web")).length).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.payload.removed?.includes("checkout-web")).length).toBeGreaterThanOrEqual(2);
  } finally {
    await restore(page.request);
  }
});

test("victor sees the graph read-only, without handles", async ({ page }) => {
  await signInAs(page, "victor", "/services/graph");
  const editor = page.getByTestId("graph-editor");
  await expect(editor.getByTestId("graph-node-backend-api")).toBeVisible();
  await expect(editor.getByTestId("graph-edge-frontend--backend-api")).toBeAttached();
  await expect(editor.getByTestId("graph-readonly")).toContainText("Read-only: you can view the graph");
  await expect(page.locator('[data-testid^="handle-"]')).toHaveCount(0);
  await expect(editor.getByTestId("graph-undo")).toHaveCount(0);
  await editor.getByTestId("graph-node-backend-api").click();
  await expect(editor.getByTestId("graph-upstream")).toContainText("database");
  await expect(editor.getByTestId("graph-delete-service")).toHaveCount(0);
});

test("bob, a payments developer, gets 'depends on' handles only on payments services", async ({ page }) => {
  await signInAs(page, "bob", "/services/graph");
  const editor = page.getByTestId("graph-editor");
  await expect(editor.getByTestId("graph-node-backend-api")).toBeVisible();
  await expect(editor.getByTestId("handle-target-backend-api")).toBeAttached();
  await expect(editor.getByTestId("handle-target-frontend")).toHaveCount(0);
  // Anything may become a dependency of his services, so every service offers the other handle.
  await expect(editor.getByTestId("handle-source-frontend")).toBeAttached();
  await expect(editor.getByTestId("graph-scope")).toContainText("payments");
});
