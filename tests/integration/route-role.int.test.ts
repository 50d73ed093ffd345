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
import { APP_DIR, callJson, routeFile, type CallOptions, type ErrorBody } from "../support/http";

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
  "POST /api/v1/jobs/{id}/retry": async () => ({ params: { id: randomUUID() } }),
  "POST /api/v1/jobs/{id}/cancel": async () => ({ params: { id: randomUUID() } }),
};

async function makeService(team: TestTeam): Promise<string> {
  const name = unique("rr-svc");
  await db().service.create({ data: { name, teamId: team.id } });
  return name;
}

const mutating = ALL_CONTRACTS.filter((c) => MUTATING_METHODS.includes(c.method));

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
      const anonymous = await callJson<ErrorBody>(c.method as HttpMethod, c.path, { params });
      const roleless = await callJson<ErrorBody>(c.method as HttpMethod, c.path, { params, token: nobody.token });
      if (c.access === "public") {
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
