// The Argo CD adapter of the GitOps engine port, against an Argo CD double that routes and
// validates every request and every answer against Argo CD's published Swagger in strict mode
// (tests/support/argocd-double). No database is involved, so this runs in the unit project, like
// the GitHub adapter's tests against the GitHub double. After each test the double's violations
// must be empty: every request the adapter made, and every answer it read, followed the Swagger.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EngineRequestError, EngineUnavailableError, type EngineApplication, type ResourceRef } from "@/lib/core/ports/gitops-engine";
import { ArgoCdEngine, createArgoCdEngine, type ArgoCdEngineOptions } from "@/lib/integrations/argocd";
import { argocdSpec, commitSha, startArgoCdDouble, type ApplicationSeed, type ArgoCdDouble } from "@/tests/support/argocd-double";
import { freePort } from "@/tests/support/servers";

let double: ArgoCdDouble;
let seq = 0;

beforeAll(async () => {
  double = await startArgoCdDouble();
});
afterEach(() => {
  double.clearFaults();
  double.latencyMs = 0;
  double.autoAdvance = true;
  // Emptied at each check, so that one test's finding does not fail the next.
  expect(double.violations.splice(0)).toEqual([]);
});
afterAll(async () => {
  // The whole file: every request was a documented operation, every answer checked.
  expect(double.violations).toEqual([]);
  expect(double.calls.length).toBeGreaterThan(50);
  await double?.close();
});

function engine(options: Partial<ArgoCdEngineOptions> = {}): ArgoCdEngine {
  return new ArgoCdEngine({ url: double.url, token: double.token, timeoutMs: 2000, retryBaseMs: 1, ...options });
}

const REPO = "https://git.example.com/acme/gitops.git";
const CLUSTER = "https://kubernetes.default.svc";

/** Seeds an application with a unique name ("<service>-<environment>") and returns its name. */
function seed(service: string, extra: Partial<ApplicationSeed> = {}): string {
  const name = `${service}${++seq}-prod`;
  double.seedApplication({
    name,
    labels: { "paved.dev/service": `${service}${seq}`, "paved.dev/environment": "prod" },
    source: { repoURL: REPO, path: `apps/${service}/prod`, targetRevision: "main" },
    destination: { server: CLUSTER, namespace: `${service}${seq}` },
    images: [`registry.example.com/${service}:1.0.0`],
    revision: commitSha(name, "first"),
    ...extra,
  });
  return name;
}

function since(before: number) {
  return double.calls.slice(before);
}

describe("listApplications", () => {
  it("lists by label selector and projects, mapped field for field", async () => {
    const a = seed("checkout", { labels: { "paved.dev/service": "checkout", "paved.dev/environment": "prod" }, project: "payments" });
    const b = seed("checkout", { labels: { "paved.dev/service": "checkout", "paved.dev/environment": "staging" }, project: "payments-staging" });
    seed("search");
    const before = double.calls.length;
    const apps = await engine().listApplications({ selector: "paved.dev/service=checkout" });
    expect(apps.map((x) => x.name)).toEqual([a, b]);
    expect(apps[0]).toEqual({
      name: a,
      project: "payments",
      source: { repoURL: REPO, path: "apps/checkout/prod", targetRevision: "main" },
      destination: { server: CLUSTER, namespace: expect.any(String) },
      sync: { status: "Synced", revision: commitSha(a, "first") },
      health: { status: "Healthy", message: null },
      images: ["registry.example.com/checkout:1.0.0"],
      operation: null,
      history: [{ id: 0, revision: commitSha(a, "first"), deployedAt: expect.stringMatching(/Z$/), deployStartedAt: expect.stringMatching(/Z$/) }],
      reconciledAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    } satisfies EngineApplication);
    expect(since(before).map((c) => [c.operationId, c.query])).toEqual([["ApplicationService_List", { selector: ["paved.dev/service=checkout"] }]]);

    // `projects` is repeated once per project (collectionFormat multi).
    const filtered = await engine().listApplications({ selector: "paved.dev/service=checkout", projects: ["payments", "elsewhere"] });
    expect(filtered.map((x) => x.name)).toEqual([a]);
    expect(double.calls.at(-1)?.query).toEqual({ selector: ["paved.dev/service=checkout"], projects: ["payments", "elsewhere"] });
    expect(await engine().listApplications({ selector: "paved.dev/service=checkout,paved.dev/environment!=prod" })).toHaveLength(1);
    expect(await engine().listApplications({ selector: "paved.dev/service=nothing" })).toEqual([]);
  });

  it("lists everything without a filter, sending no query", async () => {
    const name = seed("all");
    expect((await engine().listApplications()).map((x) => x.name)).toContain(name);
    expect(double.calls.at(-1)?.url).toBe("/api/v1/applications");
  });
});

describe("getApplication", () => {
  it("gets one application, with the refresh asked for", async () => {
    const name = seed("orders");
    const app = await engine().getApplication(name);
    expect(app).toMatchObject({ name, sync: { status: "Synced" }, health: { status: "Healthy" } });
    const before = double.calls.length;
    await engine().getApplication(name, { refresh: "hard" });
    await engine().getApplication(name, { refresh: "normal" });
    expect(since(before).map((c) => c.url)).toEqual([`/api/v1/applications/${name}?refresh=hard`, `/api/v1/applications/${name}?refresh=normal`]);
    expect(since(before).every((c) => c.operationId === "ApplicationService_Get" && c.status === 200)).toBe(true);
  });

  it("is null for an application Argo CD does not have: 403 asked without a project, 404 with one", async () => {
    const before = double.calls.length;
    await expect(engine().getApplication("no-such-app")).resolves.toBeNull();
    expect(since(before).map((c) => c.status)).toEqual([403]);
    // Argo CD answers 404 only when the request names a project; the adapter never does, so put one in on the way.
    const withProject: typeof fetch = (input, init) => {
      const url = new URL(String(input));
      url.searchParams.set("project", "default");
      return fetch(url, init);
    };
    await expect(engine({ fetch: withProject }).getApplication("no-such-app")).resolves.toBeNull();
    expect(double.calls.at(-1)?.status).toBe(404);
  });
});

describe("sync", () => {
  it("posts the documented body, then follows the operation from Running to Succeeded and the history grows", async () => {
    const name = seed("cart");
    const sha = commitSha(name, "v2");
    double.setHead(name, sha, ["registry.example.com/cart:2.0.0"]);
    const argo = engine();
    const before = double.calls.length;
    const started = await argo.sync(name, { revision: sha, prune: true });

    const [post] = since(before);
    expect(post).toMatchObject({ method: "POST", operationId: "ApplicationService_Sync", url: `/api/v1/applications/${name}/sync`, status: 200, authorization: `Bearer ${double.token}` });
    expect(post?.body).toEqual({ name, revision: sha, prune: true });
    // Argo CD answers at once: the request is recorded, the controller has not started it.
    expect(started.operation).toEqual({ phase: "Running", message: "waiting to start", revision: sha, startedAt: expect.stringMatching(/Z$/), finishedAt: null });
    expect(started.sync).toEqual({ status: "OutOfSync", revision: sha });
    expect(started.history).toHaveLength(1);

    const running = await argo.getApplication(name);
    expect(running?.operation).toEqual({ phase: "Running", message: "one or more tasks are running", revision: sha, startedAt: expect.any(String), finishedAt: null });

    const synced = await argo.getApplication(name);
    expect(synced?.operation).toEqual({ phase: "Succeeded", message: "successfully synced (all tasks run)", revision: sha, startedAt: running?.operation?.startedAt, finishedAt: expect.any(String) });
    expect(synced?.sync).toEqual({ status: "Synced", revision: sha });
    expect(synced?.health.status).toBe("Progressing");
    expect(synced?.images).toEqual(["registry.example.com/cart:2.0.0"]);
    expect(synced?.history.map((h) => [h.id, h.revision])).toEqual([
      [0, commitSha(name, "first")],
      [1, sha],
    ]);
    expect(synced?.history[1]?.deployStartedAt).toBe(running?.operation?.startedAt);

    expect((await argo.getApplication(name))?.health).toEqual({ status: "Healthy", message: null });
  });

  it("stays waiting to start until the controller takes it up (advance, with autoAdvance off)", async () => {
    double.autoAdvance = false;
    const name = seed("queue");
    const sha = commitSha(name, "v2");
    double.setHead(name, sha, ["registry.example.com/queue:2.0.0"]);
    const argo = engine();
    await argo.sync(name, { revision: sha });
    expect((await argo.getApplication(name))?.operation).toMatchObject({ phase: "Running", message: "waiting to start" });
    expect(double.advance(name)).toBe("syncing");
    expect((await argo.getApplication(name))?.operation).toMatchObject({ phase: "Running", message: "one or more tasks are running" });
    expect(double.advance(name, { health: "Degraded", message: "Deployment has minimum availability: 0/2" })).toBe("rolling");
    expect(await argo.getApplication(name)).toMatchObject({ operation: { phase: "Succeeded" }, health: { status: "Progressing" } });
    expect(double.advance(name)).toBe("idle");
    expect((await argo.getApplication(name))?.health).toEqual({ status: "Degraded", message: "Deployment has minimum availability: 0/2" });
  });

  it("sends only the name when asked for nothing else (Argo CD syncs the target revision)", async () => {
    const name = seed("plain");
    const app = await engine().sync(name);
    expect(double.calls.at(-1)?.body).toEqual({ name });
    expect(app.operation).toMatchObject({ phase: "Running", revision: commitSha(name, "first") });
  });

  it("reports a workload that turns Degraded, and a sync that fails without growing the history", async () => {
    const argo = engine();
    const degraded = seed("pay");
    double.setHead(degraded, commitSha(degraded, "bad"), ["registry.example.com/pay:6.6.6"]);
    double.setOutcome(degraded, { health: "Degraded" });
    await argo.sync(degraded, { revision: commitSha(degraded, "bad") });
    for (let i = 0; i < 3; i++) await argo.getApplication(degraded);
    expect((await argo.getApplication(degraded))?.health).toEqual({ status: "Degraded", message: expect.stringContaining("exceeded its progress deadline") });

    const failed = seed("ledger");
    double.setHead(failed, commitSha(failed, "broken"), ["registry.example.com/ledger:2.0.0"]);
    double.setOutcome(failed, { phase: "Failed", message: "one or more objects failed to apply, reason: admission webhook denied the request" });
    await argo.sync(failed, { revision: commitSha(failed, "broken") });
    await argo.getApplication(failed);
    const after = await argo.getApplication(failed);
    expect(after?.operation).toMatchObject({ phase: "Failed", message: expect.stringContaining("admission webhook"), revision: commitSha(failed, "broken"), finishedAt: expect.any(String) });
    expect(after?.sync.status).toBe("OutOfSync");
    expect(after?.history).toHaveLength(1);
  });

  it("is refused while another operation runs, and for an application Argo CD does not have", async () => {
    const name = seed("busy");
    const argo = engine();
    await argo.sync(name);
    const second = argo.sync(name);
    await expect(second).rejects.toBeInstanceOf(EngineRequestError);
    await expect(second).rejects.toMatchObject({ status: 400, message: expect.stringContaining("another operation is already in progress") });
    await expect(argo.sync("no-such-app")).rejects.toMatchObject({ name: "EngineRequestError", status: 403, message: expect.stringContaining("permission denied") });
  });
});

describe("resourceTree", () => {
  it("maps a Deployment's tree: ReplicaSet and Pods with their parents, health, info and images", async () => {
    const name = seed("web", { workload: "web", replicas: 2 });
    const nodes = await engine().resourceTree(name);
    expect(double.calls.at(-1)).toMatchObject({ operationId: "ApplicationService_ResourceTree", url: `/api/v1/applications/${name}/resource-tree` });
    expect(nodes.map((n) => `${n.group}/${n.version}/${n.kind}`)).toEqual(["/v1/Service", "apps/v1/Deployment", "apps/v1/ReplicaSet", "/v1/Pod", "/v1/Pod"]);
    const deployment = nodes[1];
    const rs = nodes[2];
    const pod = nodes[3];
    expect(deployment).toMatchObject({ name: "web", health: { status: "Healthy", message: null }, info: [{ name: "Revision", value: "Rev:1" }], parentRefs: [] });
    expect(rs?.parentRefs).toEqual([{ group: "apps", version: "", kind: "Deployment", namespace: deployment?.namespace, name: "web" }]);
    expect(pod).toMatchObject({
      group: "",
      uid: expect.any(String),
      parentRefs: [{ group: "apps", kind: "ReplicaSet", name: rs?.name }],
      health: { status: "Healthy", message: null },
      images: ["registry.example.com/web:1.0.0"],
      createdAt: expect.stringMatching(/Z$/),
    });
    expect(pod?.info).toEqual([
      { name: "Status Reason", value: "Running" },
      { name: "Node", value: expect.any(String) },
      { name: "Containers", value: "1/1" },
    ]);
  });

  it("shows a Rollout's canary step and weight in its info, which resource actions move", async () => {
    const name = seed("api", { workload: "api", rollout: { steps: [20, 50, 100] }, replicas: 5 });
    const argo = engine();
    const sha = commitSha(name, "canary");
    double.setHead(name, sha, ["registry.example.com/api:2.0.0"]);
    await argo.sync(name, { revision: sha });
    await argo.getApplication(name);
    expect((await argo.getApplication(name))?.health).toEqual({ status: "Suspended", message: "Rollout is paused" });

    const rollout = async () => (await argo.resourceTree(name)).find((n) => n.kind === "Rollout");
    const info = async () => Object.fromEntries(((await rollout())?.info ?? []).map((i) => [i.name, i.value]));
    expect(await rollout()).toMatchObject({ group: "argoproj.io", version: "v1alpha1", health: { status: "Suspended", message: "Rollout is paused" } });
    expect(await info()).toEqual({ Revision: "Rev:2", Step: "1/3", SetWeight: "20" });
    const pods = (await argo.resourceTree(name)).filter((n) => n.kind === "Pod");
    expect(pods.filter((p) => p.images.includes("registry.example.com/api:2.0.0"))).toHaveLength(1);
    expect(pods.filter((p) => p.images.includes("registry.example.com/api:1.0.0"))).toHaveLength(4);

    const ref: ResourceRef = { group: "argoproj.io", version: "v1alpha1", kind: "Rollout", namespace: (await rollout())?.namespace ?? "", name: "api" };
    await argo.runResourceAction(name, ref, "resume");
    expect(await info()).toMatchObject({ Step: "2/3", SetWeight: "50" });
    await argo.runResourceAction(name, ref, "promote-full");
    expect(await info()).toMatchObject({ Step: "3/3", SetWeight: "100" });
    expect((await argo.getApplication(name))?.health.status).toBe("Healthy");
    expect(double.actions.filter((a) => a.application === name).map((a) => a.action)).toEqual(["resume", "promote-full"]);
  });
});

describe("managedResources", () => {
  it("reports desired against live state, modified where someone changed the live workload", async () => {
    const name = seed("inventory", { workload: "inventory" });
    const argo = engine();
    expect((await argo.managedResources(name)).map((d) => [d.kind, d.modified])).toEqual([
      ["Service", false],
      ["Deployment", false],
    ]);
    double.setDrift(name);
    const diffs = await argo.managedResources(name);
    expect(double.calls.at(-1)).toMatchObject({ operationId: "ApplicationService_ManagedResources", url: `/api/v1/applications/${name}/managed-resources` });
    const deployment = diffs.find((d) => d.kind === "Deployment");
    // ResourceDiff carries no version: the adapter reads it from the manifests' apiVersion.
    expect(deployment).toMatchObject({ group: "apps", version: "v1", name: "inventory", modified: true });
    const target = JSON.parse(deployment?.targetState ?? "null") as { spec: { replicas: number } };
    const live = JSON.parse(deployment?.liveState ?? "null") as { spec: { replicas: number } };
    expect([target.spec.replicas, live.spec.replicas]).toEqual([2, 5]);
    expect(diffs.find((d) => d.kind === "Service")).toMatchObject({ group: "", version: "v1", modified: false });
    expect((await argo.getApplication(name))?.sync.status).toBe("OutOfSync");
  });
});

describe("runResourceAction", () => {
  it("posts the documented v2 request, and a restart replaces the pods", async () => {
    const name = seed("mail", { workload: "mail" });
    const argo = engine();
    const podNames = async () => (await argo.resourceTree(name)).filter((n) => n.kind === "Pod").map((n) => n.name);
    const before = await podNames();
    const ref: ResourceRef = { group: "apps", version: "v1", kind: "Deployment", namespace: double.application(name).destination.namespace, name: "mail" };
    const at = double.calls.length;
    await argo.runResourceAction(name, ref, "restart");
    const [post] = since(at);
    expect(post).toMatchObject({ method: "POST", operationId: "ApplicationService_RunResourceActionV2", url: `/api/v1/applications/${name}/resource/actions/v2`, status: 200 });
    expect(post?.body).toEqual({ name, namespace: ref.namespace, resourceName: "mail", group: "apps", version: "v1", kind: "Deployment", action: "restart" });
    expect(double.actions.at(-1)).toEqual({ application: name, action: "restart", resource: ref });
    const after = await podNames();
    expect(after).toHaveLength(before.length);
    expect(after.some((p) => before.includes(p))).toBe(false);
  });

  it("aborts a Rollout (Degraded); refuses a resource outside the application; an unknown action is Argo CD's 500", async () => {
    const name = seed("feed", { workload: "feed", rollout: true });
    const argo = engine();
    double.setHead(name, commitSha(name, "v2"), ["registry.example.com/feed:2.0.0"]);
    await argo.sync(name, { revision: commitSha(name, "v2") });
    await argo.getApplication(name);
    await argo.getApplication(name);
    const namespace = double.application(name).destination.namespace;
    const rollout: ResourceRef = { group: "argoproj.io", version: "v1alpha1", kind: "Rollout", namespace, name: "feed" };
    await argo.runResourceAction(name, rollout, "abort");
    expect((await argo.getApplication(name))?.health).toEqual({ status: "Degraded", message: "RolloutAborted: Rollout aborted update to revision 2" });

    const elsewhere = argo.runResourceAction(name, { ...rollout, name: "not-ours" }, "abort");
    await expect(elsewhere).rejects.toBeInstanceOf(EngineRequestError);
    await expect(elsewhere).rejects.toMatchObject({ status: 400, message: expect.stringContaining("not found as part of application") });
    // Argo CD answers a missing Lua action with a plain error (gRPC Unknown → 500): it reads as unavailable, and a POST is not retried.
    const at = double.calls.length;
    await expect(argo.runResourceAction(name, rollout, "frobnicate")).rejects.toMatchObject({ name: "EngineUnavailableError", status: 500, message: expect.stringContaining("does not exist") });
    expect(since(at)).toHaveLength(1);
  });
});

describe("failures", () => {
  it("401 without a valid token is a request error, with Argo CD's message, not retried", async () => {
    const name = seed("auth");
    const at = double.calls.length;
    await expect(engine({ token: "wrong" }).getApplication(name)).rejects.toMatchObject({ name: "EngineRequestError", status: 401, message: expect.stringContaining("invalid session") });
    await expect(engine({ token: undefined }).listApplications()).rejects.toMatchObject({ status: 401, message: expect.stringContaining("no session information") });
    expect(since(at).map((c) => [c.status, c.authorization])).toEqual([
      [401, "Bearer wrong"],
      [401, undefined],
    ]);
  });

  it("retries GETs answered 503 with backoff, then gives up as unavailable; never retries a sync", async () => {
    const name = seed("flaky");
    double.inject({ answer: 503, times: 2, when: (r) => r.method === "GET" });
    let at = double.calls.length;
    await expect(engine({ retryBaseMs: 20 }).getApplication(name)).resolves.toMatchObject({ name });
    const tries = since(at);
    expect(tries.map((c) => c.status)).toEqual([503, 503, 200]);
    // Backoff: 20 ms, then 40 ms (a millisecond of timer slack allowed).
    expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(19);
    expect((tries[2]?.at ?? 0) - (tries[1]?.at ?? 0)).toBeGreaterThanOrEqual(39);

    double.inject({ answer: 503, times: Infinity });
    at = double.calls.length;
    const down = engine().resourceTree(name);
    await expect(down).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(down).rejects.toMatchObject({ status: 503, message: expect.stringMatching(/503 .*connection refused.*\(after 3 attempts\)/) });
    expect(since(at)).toHaveLength(3);

    at = double.calls.length;
    await expect(engine().sync(name)).rejects.toMatchObject({ name: "EngineUnavailableError", status: 503 });
    expect(since(at)).toHaveLength(1);
    expect(double.application(name).operation).toBeNull();
    double.clearFaults();

    double.inject({ answer: 429, times: 1 });
    at = double.calls.length;
    await expect(engine().listApplications()).rejects.toMatchObject({ name: "EngineUnavailableError", status: 429 });
    expect(since(at)).toHaveLength(1);
  });

  it("retries a GET whose connection dropped; a dropped sync is unavailable, not retried", async () => {
    const name = seed("drop");
    double.inject({ answer: "drop", times: 1 });
    let at = double.calls.length;
    await expect(engine().managedResources(name)).resolves.toHaveLength(2);
    expect(since(at).map((c) => c.injected)).toEqual(["drop", null]);

    double.inject({ answer: "drop", times: Infinity });
    await expect(engine().getApplication(name)).rejects.toMatchObject({ name: "EngineUnavailableError", status: null, message: expect.stringContaining("did not answer") });
    at = double.calls.length;
    await expect(engine().sync(name)).rejects.toMatchObject({ name: "EngineUnavailableError", status: null });
    expect(since(at)).toHaveLength(1);
  });

  it("a refused connection is unavailable", async () => {
    const nobody = new ArgoCdEngine({ url: `http://127.0.0.1:${await freePort()}`, token: "t", retryBaseMs: 1 });
    const attempt = nobody.listApplications();
    await expect(attempt).rejects.toBeInstanceOf(EngineUnavailableError);
    await expect(attempt).rejects.toMatchObject({ status: null, message: expect.stringMatching(/ECONNREFUSED.*after 3 attempts/) });
  });

  it("times out an attempt that gets no answer, retries a GET, and gives up after the last", async () => {
    const name = seed("slow");
    double.inject({ answer: "hang", times: 1 });
    let at = double.calls.length;
    await expect(engine({ timeoutMs: 150 }).getApplication(name)).resolves.toMatchObject({ name });
    expect(since(at).map((c) => c.injected)).toEqual(["hang", null]);

    double.inject({ answer: "hang", times: Infinity });
    at = double.calls.length;
    const started = Date.now();
    await expect(engine({ timeoutMs: 150 }).resourceTree(name)).rejects.toMatchObject({ name: "EngineUnavailableError", status: null, message: expect.stringContaining("no answer within 150 ms (after 3 attempts)") });
    expect(since(at)).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it("an answer that is not Argo CD's is a clear error naming the field, not a crash later", async () => {
    const answer = (status: number, body: string, type = "application/json"): typeof fetch => async () => new Response(body, { status, headers: { "content-type": type } });
    await expect(engine({ fetch: answer(200, JSON.stringify({ items: [{ metadata: {}, spec: {} }] })) }).listApplications()).rejects.toMatchObject({
      name: "EngineUnavailableError",
      message: expect.stringContaining("not an ApplicationList: items.0.metadata.name"),
    });
    await expect(engine({ fetch: answer(200, "<html>Sign in</html>", "text/html") }).getApplication("x")).rejects.toMatchObject({ name: "EngineUnavailableError", message: expect.stringContaining("not an Application") });
    // A proxy's page in front of Argo CD: its text is the message.
    await expect(engine({ fetch: answer(502, "upstream connect error", "text/plain"), retries: 0 }).listApplications()).rejects.toMatchObject({ status: 502, message: expect.stringContaining("upstream connect error") });
  });

  it("createArgoCdEngine builds the adapter from ARGOCD_URL / ARGOCD_TOKEN, and says so when unset", async () => {
    const name = seed("env");
    const configured = createArgoCdEngine({ argocd: { url: double.url, token: double.token } });
    expect(configured.kind).toBe("argocd");
    await expect(configured.getApplication(name)).resolves.toMatchObject({ name });
    expect(() => createArgoCdEngine({ argocd: undefined })).toThrow(/ARGOCD_URL/);
  });
});

describe("the double itself (strict mode)", () => {
  async function raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${double.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${double.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  }

  it("refuses a body field, a query parameter and a path Argo CD does not document", async () => {
    const name = seed("strict");
    expect((await raw("POST", `/api/v1/applications/${name}/sync`, { name, revison: "typo" })).status).toBe(400);
    expect(double.violations.splice(0).join("\n")).toMatch(/request body: .*must NOT have additional properties/);
    await raw("POST", `/api/v1/applications/${name}/sync`, { name, prune: "yes" });
    expect(double.violations.splice(0).join("\n")).toMatch(/prune.*must be boolean/);
    await raw("GET", `/api/v1/applications?labelSelector=a%3Db`);
    expect(double.violations.splice(0).join("\n")).toMatch(/query parameter "labelSelector" is not documented/);
    expect((await raw("GET", `/api/v1/apps/${name}`)).status).toBe(404);
    expect(double.violations.splice(0).join("\n")).toMatch(/documents no such operation/);
    await raw("POST", `/api/v1/applications/${name}/sync`, { name }, { "content-type": "text/plain" });
    expect(double.violations.splice(0).join("\n")).toMatch(/consumes application\/json/);
    // The double's own refusals were checked as answers too (runtimeError): nothing else recorded.
    expect(double.violations).toEqual([]);
  });

  it("flags the deprecated v1 resource action endpoint", async () => {
    const name = seed("old");
    await raw("POST", `/api/v1/applications/${name}/resource/actions?kind=Deployment&group=apps&resourceName=old`, "restart");
    const found = double.violations.splice(0).join("\n");
    expect(found).toMatch(/ApplicationService_RunResourceAction\): Argo CD documents it as deprecated/);
  });

  it("validates answers closed at every level, the ResourceNode's allOf merged", () => {
    const spec = argocdSpec();
    const node = { group: "apps", version: "v1", kind: "Deployment", namespace: "web", name: "web", uid: "u", health: { status: "Healthy" }, createdAt: "2026-05-04T12:00:00Z" };
    expect(spec.validateDefinition("v1alpha1ResourceNode", node)).toEqual([]);
    expect(spec.validateDefinition("v1alpha1ResourceNode", { ...node, colour: "blue" }).join()).toMatch(/must NOT have additional properties/);
    expect(spec.validateDefinition("v1alpha1Application", { metadata: { name: "x" }, status: { health: { status: "Healthy", mood: "good" } } }).join()).toMatch(/additional properties/);
    expect(spec.validateDefinition("applicationApplicationResponse", {})).toEqual([]);
    expect(spec.validateDefinition("applicationApplicationResponse", { ok: true })).not.toEqual([]);
    expect(spec.validateDefinition("v1alpha1RevisionHistory", { id: "1" }).join()).toMatch(/must be integer/);
  });
});
