// The sandbox cluster against a real database (a copy of the run's, seeded with the demo
// organisation, so that no other file's rows meet these) and a real local git repository
// (demo/gitops in a temp data folder): applications appear on first read, a commit makes one
// OutOfSync, a sync rolls it out with the service's strategy as a fake clock moves, bad versions
// fail, drift shows and a sync clears it, and concurrent syncs from two "processes" (two
// clients, two pools) are applied one after the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Db } from "@/lib/core/db/client";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { EngineRequestError, type ResourceNode } from "@/lib/core/ports/gitops-engine";
import { gitOpsRepositoryOf, overlayKustomizationPath, setImageTag } from "@/lib/gitops/repository";
import { SandboxCluster, createSandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { BASE_ERROR_RATE } from "@/lib/integrations/sandbox-cluster/model";

const T0 = Date.parse("2026-02-02T09:00:00.000Z");

let database: TestDatabase;
let client: Db;
let otherClient: Db;
let host: GitHost;
let repo: RepoRef;
let now = T0;
let cluster: SandboxCluster;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  client = createClient(database.url, 3);
  otherClient = createClient(database.url, 3);
  const git = await useDemoGitOps();
  host = git.host;
  repo = gitOpsRepositoryOf(host);
  cluster = new SandboxCluster({ db: client, host, now: () => now, speed: 1 });
});

afterAll(async () => {
  await client?.$disconnect();
  await otherClient?.$disconnect();
  await database?.drop();
});

/** Commits the service's overlay in the environment pinning `tag` (as a promotion does); returns the commit. */
async function pin(service: string, environment: string, tag: string): Promise<string> {
  const paths = (await host.listFiles(repo)).filter((p) => p.startsWith(`apps/${service}/`));
  const files = Object.fromEntries(await Promise.all(paths.map(async (p) => [p, (await host.readFile(repo, p)) ?? ""] as const)));
  const content = setImageTag(files, service, environment, tag);
  return host.commitFiles(repo, "main", [{ path: overlayKustomizationPath(service, environment), content }], `Promote ${service} to ${tag} in ${environment}`);
}

const info = (node: ResourceNode | undefined, name: string) => node?.info.find((i) => i.name === name)?.value;
const refOf = (n: ResourceNode) => ({ group: n.group, version: n.version, kind: n.kind, namespace: n.namespace, name: n.name });

async function rolloutNode(name: string): Promise<ResourceNode> {
  const node = (await cluster.resourceTree(name)).find((n) => n.kind === "Rollout");
  if (!node) throw new Error(`${name} has no Rollout`);
  return node;
}

describe("the sandbox cluster over demo/gitops", () => {
  it("has an application per argocd/ Application, created on first read: synced to the head, Healthy, one history entry", async () => {
    const head = await host.getBranch(repo, "main");
    const started = performance.now();
    const apps = await cluster.listApplications();
    const first = performance.now() - started;
    expect(apps).toHaveLength(DEMO_SERVICES.length * DEMO_ENVIRONMENTS.length);
    for (const app of apps) {
      expect(app).toMatchObject({ sync: { status: "Synced", revision: head }, health: { status: "Healthy" }, operation: { phase: "Succeeded" } });
      expect(app.history).toHaveLength(1);
      expect(app.images.length).toBeGreaterThan(0);
    }
    expect(await client.sandboxApplication.count()).toBe(apps.length);
    expect(apps.find((a) => a.name === "frontend-production")?.images).toEqual(["ghcr.io/acme/frontend:3.1.2"]);

    // The head's renders are kept: listing again does not render the repository again.
    const again = performance.now();
    expect(await cluster.listApplications()).toEqual(apps);
    expect(performance.now() - again).toBeLessThan(Math.max(first, 200));

    expect((await cluster.listApplications({ selector: "paved.dev/service=frontend" })).map((a) => a.name)).toEqual(["frontend-dev", "frontend-production", "frontend-staging"]);
    expect((await cluster.listApplications({ projects: ["platform"], selector: "environment=production" })).map((a) => a.name)).toContain("auth-service-production");
  });

  it("rolls a rolling service out after a commit: OutOfSync, sync, Progressing, Healthy", async () => {
    const name = "worker-service-staging";
    const before = await cluster.getApplication(name);
    const sha = await pin("worker-service", "staging", "1.9.0");
    expect(await cluster.getApplication(name)).toMatchObject({ sync: { status: "OutOfSync", revision: before?.sync.revision }, health: { status: "Healthy" } });
    const diff = (await cluster.managedResources(name)).find((d) => d.kind === "Deployment");
    expect(diff).toMatchObject({ modified: true });
    expect(diff?.targetState).toContain("ghcr.io/acme/worker-service:1.9.0");
    expect(diff?.liveState).toContain("ghcr.io/acme/worker-service:1.8.1");

    const started = await cluster.sync(name);
    expect(started).toMatchObject({ sync: { status: "Synced", revision: sha }, operation: { phase: "Running", revision: sha }, health: { status: "Progressing" } });

    now += 1000;
    const progressing = await cluster.getApplication(name);
    expect(progressing).toMatchObject({ operation: { phase: "Succeeded" }, health: { status: "Progressing" } });
    const deployment = (await cluster.resourceTree(name)).find((n) => n.kind === "Deployment");
    expect(info(deployment, "Replicas")).toBe("0/2 updated");

    now += 1500;
    expect(info((await cluster.resourceTree(name)).find((n) => n.kind === "Deployment"), "Replicas")).toBe("1/2 updated");
    expect((await cluster.getApplication(name))?.images).toEqual(["ghcr.io/acme/worker-service:1.8.1", "ghcr.io/acme/worker-service:1.9.0"]);

    now += 1500;
    const done = await cluster.getApplication(name);
    expect(done).toMatchObject({ sync: { status: "Synced", revision: sha }, health: { status: "Healthy" }, images: ["ghcr.io/acme/worker-service:1.9.0"] });
    expect(done?.history.map((h) => h.revision)).toEqual([before?.sync.revision, sha]);
    expect(done?.history[1]?.deployedAt).toBe(new Date(now).toISOString());
    expect((await cluster.managedResources(name)).some((d) => d.modified)).toBe(false);

    // A restart: Progressing for a moment, then Healthy, and no new history entry.
    await cluster.runResourceAction(name, refOf(deployment!), "restart");
    expect((await cluster.getApplication(name))?.health.status).toBe("Progressing");
    now += 3000;
    expect(await cluster.getApplication(name)).toMatchObject({ health: { status: "Healthy" }, history: [{}, {}] });
  });

  it("walks a canary through its steps with resume and promote-full, and aborts one", async () => {
    const name = "frontend-staging";
    await cluster.getApplication(name);
    const sha = await pin("frontend", "staging", "3.3.0");
    await cluster.sync(name, { revision: sha });
    now += 2000;
    let rollout = await rolloutNode(name);
    expect(await cluster.getApplication(name)).toMatchObject({ health: { status: "Suspended", message: "Rollout is paused at step 1/3 (weight 10%)" } });
    expect([rollout.group, info(rollout, "Step"), info(rollout, "SetWeight"), info(rollout, "ActualWeight")]).toEqual(["argoproj.io", "1/3", "10", "10"]);

    await cluster.runResourceAction(name, refOf(rollout), "resume");
    now += 1000;
    rollout = await rolloutNode(name);
    expect([info(rollout, "Step"), info(rollout, "SetWeight"), rollout.health?.status]).toEqual(["2/3", "50", "Suspended"]);

    await cluster.runResourceAction(name, refOf(rollout), "resume");
    now += 1000;
    const done = await cluster.getApplication(name);
    expect(done).toMatchObject({ health: { status: "Healthy" }, sync: { status: "Synced", revision: sha }, images: ["ghcr.io/acme/frontend:3.3.0"] });
    expect(done?.history.at(-1)?.revision).toBe(sha);
    await expect(cluster.runResourceAction(name, refOf(rollout), "resume")).rejects.toMatchObject({ name: "EngineRequestError", status: 400 });

    // promote-full goes straight to 100 %.
    const next = await pin("frontend", "staging", "3.4.0");
    await cluster.sync(name, { revision: next });
    now += 2000;
    await cluster.runResourceAction(name, refOf(await rolloutNode(name)), "promote-full");
    now += 1000;
    expect(await cluster.getApplication(name)).toMatchObject({ health: { status: "Healthy" }, images: ["ghcr.io/acme/frontend:3.4.0"] });

    // abort: Degraded, traffic back to the stable version; syncing the stable version back is at once Healthy.
    const bad = await pin("frontend", "staging", "3.5.0");
    await cluster.sync(name, { revision: bad });
    now += 2000;
    await cluster.runResourceAction(name, refOf(await rolloutNode(name)), "abort");
    expect(await cluster.getApplication(name)).toMatchObject({ health: { status: "Degraded", message: "Rollout aborted" }, images: ["ghcr.io/acme/frontend:3.4.0"] });
    const revert = await pin("frontend", "staging", "3.4.0");
    await cluster.sync(name, { revision: revert });
    now += 1000;
    expect(await cluster.getApplication(name)).toMatchObject({ health: { status: "Healthy" }, sync: { status: "Synced", revision: revert }, images: ["ghcr.io/acme/frontend:3.4.0"] });
  });

  it("fails a bad version: an unhealthy blue-green preview goes Degraded with its probe's path", async () => {
    const name = "backend-api-staging";
    await cluster.getApplication(name);
    await cluster.markBadVersion("backend-api", "1.6.0", "unhealthy");
    expect(await cluster.listBadVersions("backend-api")).toEqual([expect.objectContaining({ service: "backend-api", version: "1.6.0", mode: "unhealthy" })]);
    const sha = await pin("backend-api", "staging", "1.6.0");
    await cluster.sync(name, { revision: sha });
    now += 2000;
    expect((await cluster.getApplication(name))?.health.status).toBe("Progressing");
    now += 1000;
    expect((await cluster.getApplication(name))?.health).toEqual({ status: "Degraded", message: "backend-api:1.6.0: readiness probe failed on /api/health (HTTP 503)" });
    const rollout = await rolloutNode(name);
    expect(info(rollout, "Strategy")).toBe("BlueGreen");
    expect(info(rollout, "Active")).not.toBe(info(rollout, "Preview"));
    expect(await cluster.clearBadVersion("backend-api", "1.6.0")).toBe(true);
    expect(await cluster.clearBadVersion("backend-api", "1.6.0")).toBe(false);
  });

  it("reports the error rate of an errors version, weighted by the canary's traffic", async () => {
    const name = "checkout-web-staging";
    await cluster.getApplication(name);
    expect(await cluster.errorRate("checkout-web", "staging")).toBe(BASE_ERROR_RATE);
    await cluster.markBadVersion("checkout-web", "2.7.0", "errors");
    await cluster.sync(name, { revision: await pin("checkout-web", "staging", "2.7.0") });
    now += 2000;
    expect((await cluster.getApplication(name))?.health).toEqual({ status: "Suspended", message: "Rollout is paused at step 1/4 (weight 10%)" });
    expect(await cluster.errorRate("checkout-web", "staging")).toBeCloseTo(0.9 * BASE_ERROR_RATE + 0.1 * 0.25, 5);
    await cluster.runResourceAction(name, refOf(await rolloutNode(name)), "resume");
    now += 1000;
    expect(await cluster.errorRate("checkout-web", "staging")).toBeCloseTo(0.75 * BASE_ERROR_RATE + 0.25 * 0.25, 5);
    await expect(cluster.errorRate("checkout-web", "qa")).rejects.toMatchObject({ status: 404 });
  });

  it("shows drift until a sync puts git's state back", async () => {
    const name = "ledger-production";
    await cluster.getApplication(name);
    await cluster.simulateDrift(name, { replicas: 5 });
    expect((await cluster.getApplication(name))?.sync.status).toBe("OutOfSync");
    const deployment = (await cluster.managedResources(name)).find((d) => d.kind === "Deployment");
    expect(deployment).toMatchObject({ modified: true });
    expect(deployment?.liveState).toContain("replicas: 5");
    expect(deployment?.targetState).toContain("replicas: 3");
    expect((await cluster.resourceTree(name)).filter((n) => n.kind === "Pod")).toHaveLength(5);
    await expect(cluster.simulateDrift(name, { replicas: -1 })).rejects.toBeInstanceOf(EngineRequestError);

    await cluster.sync(name);
    now += 1000;
    expect(await cluster.getApplication(name)).toMatchObject({ sync: { status: "Synced" }, health: { status: "Healthy" } });
    expect((await cluster.managedResources(name)).some((d) => d.modified)).toBe(false);
  });

  it("answers null for an unknown application, 404 or 400 for requests it cannot serve", async () => {
    expect(await cluster.getApplication("nothing-here")).toBeNull();
    await expect(cluster.sync("nothing-here")).rejects.toMatchObject({ name: "EngineRequestError", status: 404 });
    await expect(cluster.resourceTree("nothing-here")).rejects.toMatchObject({ status: 404 });
    await expect(cluster.managedResources("nothing-here")).rejects.toMatchObject({ status: 404 });
    await expect(cluster.sync("ledger-dev", { revision: "f".repeat(40) })).rejects.toMatchObject({ status: 400, message: expect.stringContaining("is not in demo/gitops") });
    await expect(cluster.sync("ledger-dev", { revision: "no-such-branch" })).rejects.toMatchObject({ status: 400 });
    const deployment = (await cluster.resourceTree("ledger-dev")).find((n) => n.kind === "Deployment")!;
    await expect(cluster.runResourceAction("ledger-dev", refOf(deployment), "promote-full")).rejects.toMatchObject({ status: 400 });
    await expect(cluster.runResourceAction("ledger-dev", { ...refOf(deployment), name: "other" }, "restart")).rejects.toMatchObject({ status: 400 });
    const service = (await cluster.resourceTree("ledger-dev")).find((n) => n.kind === "Service")!;
    await expect(cluster.runResourceAction("ledger-dev", refOf(service), "restart")).rejects.toMatchObject({ status: 400 });
    await expect(cluster.listApplications({ selector: "env in (dev)" })).rejects.toMatchObject({ status: 400 });
  });

  it("applies concurrent syncs of one application from two processes one after the other", async () => {
    // Two "processes": two clients with their own pools, two clusters. At speed 0 every rollout
    // completes at once, so each sync's stable version and history entry depend on the sync
    // before it: an interleaving would lose one.
    let tick = T0 + 86_400_000;
    const clock = () => ++tick;
    const a = new SandboxCluster({ db: client, host, now: clock, speed: 0 });
    const b = createSandboxCluster(otherClient, host);
    const bAtSpeed0 = new SandboxCluster({ db: otherClient, host, now: clock, speed: 0 });
    expect(b.kind).toBe("sandbox");
    const name = "notification-service-dev";
    const initial = await a.getApplication(name);
    const first = await pin("notification-service", "dev", "1.2.0");
    const second = await pin("notification-service", "dev", "1.3.0");
    const images: Record<string, string> = { [first]: "ghcr.io/acme/notification-service:1.2.0", [second]: "ghcr.io/acme/notification-service:1.3.0" };

    const revisions = [first, second, first, second, first, second, first, second];
    await Promise.all(revisions.map((revision, i) => (i % 2 ? bAtSpeed0 : a).sync(name, { revision })));

    const row = await client.sandboxApplication.findUniqueOrThrow({ where: { name } });
    const app = (await a.getApplication(name))!;
    expect(app.history).toHaveLength(1 + revisions.length);
    expect(app.history.map((h) => h.id)).toEqual([...Array(1 + revisions.length).keys()]);
    expect(app.history[0]?.revision).toBe(initial?.sync.revision);
    expect(app.history.slice(1).map((h) => h.revision).sort()).toEqual([...revisions].sort());
    // The row is the last sync's, and its previous image the one it last changed from.
    const last = app.history.at(-1)!;
    const changedFrom = app.history.slice(1).findLast((h) => images[h.revision] !== images[last.revision]);
    expect(row.revision).toBe(last.revision);
    expect(row.image).toBe(images[last.revision]);
    expect(row.previousImage).toBe(changedFrom ? images[changedFrom.revision] : "ghcr.io/acme/notification-service:1.2.0-rc.3");
    expect(app).toMatchObject({ sync: { revision: last.revision }, health: { status: "Healthy" } });
  });
});
