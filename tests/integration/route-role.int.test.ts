// Who may call each mutating route, pinned by hand: every mutating contract × every role (and a
// person with no role), through an API token and through a browser session. A new mutating route
// fails this test until it is added to the table. Also: every route file serves exactly the
// contracts of ALL_CONTRACTS, and every route enforces its contract's access.
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_CONTRACTS } from "@/lib/api/contracts";
import { db } from "@/lib/core/db/client";
import { MUTATING_METHODS, type Contract, type HttpMethod } from "@/lib/core/http/contract";
import { ROLES, type RoleName } from "@/lib/core/permissions";
import { makePerson, makeTeam, makeToken, makeUser, unique, type TestPerson, type TestTeam } from "../support/factory";
import { APP_DIR, callJson, callRoute, routeFile, type CallOptions, type ErrorBody } from "../support/http";

type Who = RoleName | "no-role";
const EVERYONE: readonly Who[] = [...ROLES, "no-role"];

const key = (c: Pick<Contract, "method" | "path">) => `${c.method} ${c.path}`;

/**
 * The table. `status` is what an allowed caller gets for the request built below; a refused one
 * gets 403 forbidden. Keep it written out: it is the reviewable record of who may change what.
 */
const EXPECTED: Record<string, { status: number; allowed: Record<Who, boolean> }> = {
  "POST /api/v1/teams": {
    status: 201,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "PATCH /api/v1/teams/{slug}": {
    status: 200,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "PUT /api/v1/teams/{slug}/members/{login}": {
    status: 200,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "DELETE /api/v1/teams/{slug}/members/{login}": {
    status: 204,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "POST /api/v1/users": {
    status: 201,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "PATCH /api/v1/users/{login}": {
    status: 200,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "POST /api/v1/tokens": {
    status: 201,
    allowed: { viewer: true, developer: true, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false },
  },
  "DELETE /api/v1/tokens/{id}": {
    status: 204,
    allowed: { viewer: true, developer: true, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false },
  },
  "POST /api/v1/templates/{name}/preview": {
    status: 200,
    allowed: { viewer: true, developer: true, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false },
  },
  // Developers for their own team, platform admins for any.
  "POST /api/v1/templates/{name}/instantiate": {
    status: 202,
    allowed: { viewer: false, developer: true, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "PUT /api/v1/templates/{name}/versions/{version}/lifecycle": {
    status: 200,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "POST /api/v1/templates/{name}/upgrades": {
    status: 202,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  // A well-formed id of no instance: an allowed caller gets past the permission check to a 404.
  "POST /api/v1/template-instances/{id}/upgrade": {
    status: 404,
    allowed: { viewer: false, developer: true, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  // Sandbox only; a well-formed number of no pull request: an allowed caller gets to a 404.
  "POST /api/v1/sandbox/repos/{owner}/{name}/pulls/{number}/merge": {
    status: 404,
    allowed: { viewer: false, developer: true, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "POST /api/v1/adoption/scan": {
    status: 202,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  // Evaluating is reading: anyone who can see Governance may ask what the policies say.
  "POST /api/v1/policies/evaluate": { status: 200, allowed: { viewer: true, developer: true, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false } },
  "POST /api/v1/policy-exceptions": { status: 201, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "DELETE /api/v1/policy-exceptions/{id}": { status: 404, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/compliance/scan": { status: 202, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  // Services: developers write their own team's services (each person here has a team of their
  // own and the request targets it); organisation-wide release managers and admins write any.
  "POST /api/v1/services": { status: 201, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "PATCH /api/v1/services/{name}": { status: 200, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "DELETE /api/v1/services/{name}": { status: 200, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "PUT /api/v1/services/{name}/dependencies": { status: 200, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/graph/import": { status: 200, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  // Planning writes nothing: anyone who can see services may ask for a plan.
  "POST /api/v1/plans": { status: 200, allowed: { viewer: true, developer: true, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false } },
  // Delivery: an allowed caller gets past the permission check to a 404 (no such environment,
  // promotion, deployment or application), so nothing is deployed by this table.
  "POST /api/v1/promotions": { status: 404, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/promotions/{id}/approve": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/promotions/{id}/reject": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/promotions/{id}/execute": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/deployments/{id}/rollback": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/drift/{application}/reconcile": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  // No GitOps repository in this file's data folder: an allowed caller gets to the 422 that says so.
  "POST /api/v1/services/{name}/strategy-manifests": { status: 422, allowed: { viewer: false, developer: true, "release-manager": true, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "PATCH /api/v1/environments/{name}": { status: 404, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/sandbox/bad-versions": { status: 200, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  // No gitops-app template in the shared test catalog: an allowed caller gets to the 422 that says so.
  "POST /api/v1/gitops/repository": { status: 422, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  // Sandbox only; a repository that does not exist: an allowed caller gets to a 404.
  "PUT /api/v1/gitops/sandbox/workflow-outcome": { status: 404, allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false } },
  // SLOs: developers define them for their own team's services (each person here has a team of
  // their own and the request targets a service of it); SREs and platform admins for any.
  "POST /api/v1/slos": { status: 201, allowed: { viewer: false, developer: true, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "PATCH /api/v1/slos/{id}": { status: 200, allowed: { viewer: false, developer: true, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "DELETE /api/v1/slos/{id}": { status: 200, allowed: { viewer: false, developer: true, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/slos/import": { status: 200, allowed: { viewer: false, developer: true, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  // Committing every team's rules to the GitOps repository is organisation-wide (slos.write: SREs
  // and platform admins). This file's data folder has no GitOps repository: an allowed caller gets
  // past the permission check to a 422.
  "POST /api/v1/slos/rules/commit": { status: 422, allowed: { viewer: false, developer: false, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  // Incidents and self-healing: SREs and platform admins (slos.write) change the guardrails and
  // break the sandbox on purpose; whoever may roll back (promotions.execute) approves a remediation.
  // A well-formed id of no remediation, and a sandbox with no applications in this file's data
  // folder: an allowed caller gets past the permission check to a 404.
  "POST /api/v1/remediations/{id}/approve": { status: 404, allowed: { viewer: false, developer: false, "release-manager": true, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "PATCH /api/v1/remediation-settings": { status: 200, allowed: { viewer: false, developer: false, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  "POST /api/v1/sandbox/chaos": { status: 404, allowed: { viewer: false, developer: false, "release-manager": false, sre: true, "platform-admin": true, leadership: false, "no-role": false } },
  // Insights: recomputing derived figures changes no record; whoever may read insights may ask.
  "POST /api/v1/insights/refresh": { status: 202, allowed: { viewer: false, developer: false, "release-manager": true, sre: true, "platform-admin": true, leadership: true, "no-role": false } },
  // A well-formed id of no job: an allowed caller gets past the permission check to a 404.
  "POST /api/v1/jobs/{id}/retry": {
    status: 404,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
  "POST /api/v1/jobs/{id}/cancel": {
    status: 404,
    allowed: { viewer: false, developer: false, "release-manager": false, sre: false, "platform-admin": true, leadership: false, "no-role": false },
  },
};

/** A request an allowed caller could make successfully; fresh targets for each call. */
const REQUESTS: Record<string, (ctx: { actor: TestPerson; team: TestTeam }) => Promise<CallOptions>> = {
  "POST /api/v1/teams": async () => ({ body: { slug: unique("rr"), name: "Route × role" } }),
  "PATCH /api/v1/teams/{slug}": async ({ team }) => ({ params: { slug: team.slug }, body: { description: unique("described") } }),
  "PUT /api/v1/teams/{slug}/members/{login}": async ({ team }) => {
    const user = await makeUser({ prefix: "joiner" });
    return { params: { slug: team.slug, login: user.login }, body: { roles: ["viewer"] } };
  },
  "DELETE /api/v1/teams/{slug}/members/{login}": async ({ team }) => {
    const user = await makeUser({ roles: ["viewer"], team, prefix: "leaver" });
    return { params: { slug: team.slug, login: user.login } };
  },
  "POST /api/v1/users": async ({ team }) => ({ body: { login: unique("newcomer"), name: "New person", team: team.slug, roles: ["developer"] } }),
  "PATCH /api/v1/users/{login}": async () => {
    const user = await makeUser({ prefix: "renamed" });
    return { params: { login: user.login }, body: { name: "Renamed person" } };
  },
  "POST /api/v1/tokens": async () => ({ body: { name: "route-role" } }),
  "DELETE /api/v1/tokens/{id}": async ({ actor }) => ({ params: { id: (await makeToken(actor.id)).id } }),
  // hello-workflow is the test catalog's template (tests/fixtures/catalog).
  "POST /api/v1/templates/{name}/preview": async () => ({ params: { name: "hello-workflow" }, body: { parameters: { environment: "dev" } } }),
  "POST /api/v1/templates/{name}/instantiate": async () => ({
    params: { name: "hello-workflow" },
    body: { parameters: { environment: "dev" }, target: { repo: `demo/${unique("rr-repo")}`, create: true } },
  }),
  // Only the note changes: other files rely on the fixture's lifecycles.
  "PUT /api/v1/templates/{name}/versions/{version}/lifecycle": async () => ({
    params: { name: "hello-workflow", version: "2.0.0" },
    body: { lifecycle: "stable", note: unique("note") },
  }),
  // Up to 1.0.0, the oldest version: nothing to upgrade, nothing queued for other files' instances.
  "POST /api/v1/templates/{name}/upgrades": async () => ({ params: { name: "hello-workflow" }, body: { version: "1.0.0" } }),
  "POST /api/v1/template-instances/{id}/upgrade": async () => ({ params: { id: randomUUID() }, body: {} }),
  "POST /api/v1/adoption/scan": async () => ({}),
  "POST /api/v1/sandbox/repos/{owner}/{name}/pulls/{number}/merge": async () => ({ params: { owner: "demo", name: unique("nowhere"), number: "1" } }),
  "POST /api/v1/policies/evaluate": async () => ({
    body: { subject: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "rr" }, spec: { template: { spec: { containers: [{ name: "c", image: "x:1" }] } } } } },
  }),
  "POST /api/v1/policy-exceptions": async () => ({
    body: { policy: "require-run-as-non-root", target: { kind: "Deployment", name: unique("rr") }, reason: "route × role test", expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
  }),
  "DELETE /api/v1/policy-exceptions/{id}": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/compliance/scan": async () => ({}),
  "POST /api/v1/services": async ({ actor, team }) => ({ body: { name: unique("rr-svc"), team: (actor.team ?? team).slug } }),
  "PATCH /api/v1/services/{name}": async ({ actor, team }) => ({ params: { name: await makeService(actor.team ?? team) }, body: { description: unique("described") } }),
  "DELETE /api/v1/services/{name}": async ({ actor, team }) => ({ params: { name: await makeService(actor.team ?? team) } }),
  "PUT /api/v1/services/{name}/dependencies": async ({ actor, team }) => ({ params: { name: await makeService(actor.team ?? team) }, body: { dependsOn: ["database"] } }),
  "POST /api/v1/graph/import": async ({ actor, team }) => ({
    rawBody: `services:\n  ${unique("rr-imp")}:\n    owner: ${(actor.team ?? team).slug}\n    dependencies: ["database"]\n`,
    headers: { "content-type": "application/yaml" },
  }),
  "POST /api/v1/plans": async () => ({ body: { environment: "dev", services: ["database"] } }),
  "POST /api/v1/promotions": async () => ({ body: { environment: unique("no-such-env"), services: [{ name: "frontend", version: "1.0.0" }] } }),
  "POST /api/v1/promotions/{id}/approve": async () => ({ params: { id: randomUUID() }, body: {} }),
  "POST /api/v1/promotions/{id}/reject": async () => ({ params: { id: randomUUID() }, body: {} }),
  "POST /api/v1/promotions/{id}/execute": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/deployments/{id}/rollback": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/drift/{application}/reconcile": async () => ({ params: { application: unique("no-such-app") } }),
  "POST /api/v1/services/{name}/strategy-manifests": async ({ actor, team }) => ({ params: { name: await makeService(actor.team ?? team) }, body: {} }),
  "PATCH /api/v1/environments/{name}": async () => ({ params: { name: unique("no-such-env") }, body: { autoRollback: true } }),
  "POST /api/v1/sandbox/bad-versions": async () => ({ body: { service: "frontend", version: unique("v").replace(/_/g, "-"), bad: false } }),
  "POST /api/v1/gitops/repository": async () => ({ body: {} }),
  "PUT /api/v1/gitops/sandbox/workflow-outcome": async () => ({ body: { repository: `demo/${unique("no-such-repo")}`, workflow: "integration-tests.yml", conclusion: "failure" } }),
  "POST /api/v1/slos": async ({ actor, team }) => ({
    body: { name: "availability", service: await makeService(actor.team ?? team), kind: "availability", objective: 99.9, sli: { source: "http" } },
  }),
  "PATCH /api/v1/slos/{id}": async ({ actor, team }) => ({ params: { id: await makeSlo(actor.team ?? team) }, body: { objective: 99.5 } }),
  "DELETE /api/v1/slos/{id}": async ({ actor, team }) => ({ params: { id: await makeSlo(actor.team ?? team) } }),
  "POST /api/v1/slos/import": async ({ actor, team }) => ({
    rawBody: `version: "prometheus/v1"\nservice: ${await makeService(actor.team ?? team)}\nslos:\n  - name: availability\n    objective: 99.9\n    sli:\n      events:\n        error_query: sum(rate(errors_total[{{.window}}]))\n        total_query: sum(rate(requests_total[{{.window}}]))\n`,
    headers: { "content-type": "application/yaml" },
    query: { format: "sloth" },
  }),
  "POST /api/v1/slos/rules/commit": async () => ({}),
  "POST /api/v1/remediations/{id}/approve": async () => ({ params: { id: randomUUID() }, body: {} }),
  // The default cooldown: the settings do not change, the write (and its audit event) still happens.
  "PATCH /api/v1/remediation-settings": async () => ({ body: { cooldownMinutes: 10 } }),
  "POST /api/v1/sandbox/chaos": async () => ({ body: { service: "frontend", environment: "production", mode: "errors" } }),
  "POST /api/v1/insights/refresh": async () => ({ body: {} }),
  "POST /api/v1/jobs/{id}/retry": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/jobs/{id}/cancel": async () => ({ params: { id: randomUUID() } }),
};

async function makeService(team: TestTeam): Promise<string> {
  const name = unique("rr-svc");
  await db().service.create({ data: { name, teamId: team.id } });
  return name;
}

async function makeSlo(team: TestTeam): Promise<string> {
  const service = await db().service.findUniqueOrThrow({ where: { name: await makeService(team) } });
  const slo = await db().slo.create({ data: { serviceId: service.id, ownerTeamId: team.id, name: "availability", kind: "availability", objective: 99.9, sli: { source: "http", selector: "" } } });
  return slo.id;
}

/**
 * Public routes that check credentials of their own instead of a role (Alertmanager holds no Paved
 * account): not in the role table; without their credentials they answer 401 to everyone
 * (tests/integration/webhook.int.test.ts covers them with the right ones).
 */
const SELF_AUTHENTICATED = ["POST /api/v1/webhooks/alertmanager"];

const mutating = ALL_CONTRACTS.filter((c) => MUTATING_METHODS.includes(c.method) && !SELF_AUTHENTICATED.includes(key(c)));

describe("the route × role table", () => {
  it("lists every mutating contract, and only those", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(mutating.map(key).sort());
    expect(Object.keys(REQUESTS).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const row of Object.values(EXPECTED)) expect(Object.keys(row.allowed).sort()).toEqual([...EVERYONE].sort());
  });
});

describe.each(["token", "session"] as const)("mutating routes × roles, authenticated by %s", (via) => {
  const people = new Map<Who, TestPerson>();
  let team: TestTeam;

  beforeAll(async () => {
    team = await makeTeam("rr");
    for (const who of EVERYONE) people.set(who, await makePerson(who === "no-role" ? [] : [who], { prefix: who.replace("platform-admin", "admin") }));
  });

  it.each(mutating.map((c) => [key(c), c] as const))("%s", async (name, contract) => {
    const expected = EXPECTED[name];
    const build = REQUESTS[name];
    if (!expected || !build) throw new Error(`${name} is not in the route × role table: add it with who may call it`);
    const actual: Record<string, string> = {};
    const wanted: Record<string, string> = {};
    for (const who of EVERYONE) {
      const actor = people.get(who);
      if (!actor) throw new Error(who);
      const options = await build({ actor, team });
      const res = await callJson<ErrorBody>(contract.method, contract.path, {
        ...options,
        ...(via === "token" ? { token: actor.token } : { cookie: actor.cookie }),
      });
      if (res.status === 403) {
        // Refused: the exact error body, naming the permission the contract asks for.
        expect(Object.keys(res.body)).toEqual(["error"]);
        expect(res.body.error.code).toBe("forbidden");
        expect(res.body.error.details).toMatchObject({ permission: contract.access });
        expect(res.body.error.requestId).toEqual(expect.any(String));
      }
      actual[who] = res.status === 401 || res.status === 403 ? `refused ${res.status}` : `allowed ${res.status}`;
      wanted[who] = expected.allowed[who] ? `allowed ${expected.status}` : "refused 403";
    }
    expect(actual).toEqual(wanted);
  });
});

/** `app/api/v1/teams/[slug]/route.ts` → `/api/v1/teams/{slug}`. */
async function routeFiles(dir = path.join(APP_DIR, "api")): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await routeFiles(full)));
    else if (entry.name === "route.ts") out.push(full);
  }
  return out;
}

const IGNORED_ROUTES = ["/api/auth/[...nextauth]", "/api/v1/[...rest]"];
const HTTP_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

/** Like callJson, for routes that may answer text (the Prometheus exposition): JSON parsed only when it is JSON. */
async function callAnyBody(method: HttpMethod, templatePath: string, options: CallOptions): Promise<{ status: number; body: ErrorBody }> {
  const res = await callRoute(method, templatePath, options);
  const text = await res.text();
  return { status: res.status, body: (/json/.test(res.headers.get("content-type") ?? "") && text ? JSON.parse(text) : text) as ErrorBody };
}

describe("route files and contracts", () => {
  it("every app/api route file exports exactly the methods of its contracts, and every contract has its route", async () => {
    const served: string[] = [];
    for (const file of await routeFiles()) {
      const dir = `/${path.relative(APP_DIR, path.dirname(file)).split(path.sep).join("/")}`;
      if (IGNORED_ROUTES.includes(dir)) continue;
      const template = dir.replace(/\[(\w+)\]/g, "{$1}");
      expect(routeFile(template)).toBe(file);
      const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
      for (const name of Object.keys(mod)) if (HTTP_METHODS.includes(name)) served.push(`${name} ${template}`);
    }
    expect(served.sort()).toEqual(ALL_CONTRACTS.map(key).sort());
  });

  it("every route enforces its contract's access", async () => {
    const nobody = await makePerson([], { prefix: "nobody" });
    for (const c of ALL_CONTRACTS) {
      const params = Object.fromEntries([...c.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], m[1] === "id" ? randomUUID() : unique("x")]));
      const anonymous = await callAnyBody(c.method as HttpMethod, c.path, { params });
      const roleless = await callAnyBody(c.method as HttpMethod, c.path, { params, token: nobody.token });
      if (SELF_AUTHENTICATED.includes(key(c))) {
        expect([anonymous.status, roleless.status], key(c)).toEqual([401, 401]);
      } else if (c.access === "public") {
        expect([anonymous.status, roleless.status], key(c)).toEqual([200, 200]);
      } else {
        expect(anonymous.status, key(c)).toBe(401);
        expect(anonymous.body.error.code, key(c)).toBe("unauthenticated");
        if (c.access === "authenticated") {
          expect([401, 403], key(c)).not.toContain(roleless.status);
        } else {
          expect(roleless.status, key(c)).toBe(403);
          expect(roleless.body.error.details, key(c)).toMatchObject({ permission: c.access });
        }
      }
    }
  });
});
