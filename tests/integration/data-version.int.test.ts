// The data version: every change to a table that processes cache between requests (who someone
// is and may do, the services list) moves it on in the change's own transaction, so caches keyed
// by it are never behind a committed change, whichever instance made it. Sign-in bookkeeping
// does not move it.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { asReadOnlyRequest, readDataVersion } from "@/lib/core/db/data-version";
import type { ServiceDto } from "@/lib/services";
import { makePerson, makeTeam, unique } from "../support/factory";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { callJson, expectErrorBody } from "../support/http";

/**
 * A database of its own: other test files writing to the shared one would move the version on
 * between two reads here. `other` is another instance: its own connection, no share in this
 * process's caches.
 */
let database: TestDatabase;
let other: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  other = new pg.Client({ connectionString: database.url });
  await other.connect();
}, 60_000);
afterAll(async () => {
  await other?.end();
  await useSharedDatabase();
  await database?.drop();
});

async function movesOn(change: () => Promise<unknown>): Promise<boolean> {
  const before = BigInt(await readDataVersion(db()));
  await change();
  return BigInt(await readDataVersion(db())) > before;
}

describe("the data version", () => {
  it("moves on with every change to who someone is and may do, and to the services list", async () => {
    const person = await makePerson(["developer"]);
    const team = await makeTeam("dv");
    const name = unique("dv-svc");
    const manager = await makePerson(["release-manager"]);
    const changes: [string, () => Promise<unknown>][] = [
      ["a user changed", () => other.query(`UPDATE "users" SET "name" = 'Renamed' WHERE "id" = $1`, [person.id])],
      ["a user disabled", () => other.query(`UPDATE "users" SET "disabled_at" = now() WHERE "id" = $1`, [person.id])],
      ["a membership removed", () => other.query(`DELETE FROM "memberships" WHERE "user_id" = $1`, [person.id])],
      ["a token revoked", () => other.query(`UPDATE "api_tokens" SET "revoked_at" = now() WHERE "id" = $1`, [person.tokenId])],
      ["a token's expiry changed", () => other.query(`UPDATE "api_tokens" SET "expires_at" = now() WHERE "id" = $1`, [person.tokenId])],
      ["a session signed out", () => other.query(`INSERT INTO "revoked_sessions" ("sid", "user_id", "expires_at") VALUES ($1, $2, now() + interval '1 day')`, [unique("sid"), person.id])],
      ["a team renamed", () => other.query(`UPDATE "teams" SET "name" = 'Renamed', "updated_at" = now() WHERE "id" = $1`, [team.id])],
      ["a service created", () => callJson("POST", "/api/v1/services", { body: { name, team: "platform" }, token: manager.token })],
      ["a service changed", () => callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { description: "changed" }, token: manager.token })],
      ["a dependency added", () => callJson("PUT", "/api/v1/services/{name}/dependencies", { params: { name }, body: { dependsOn: ["database"] }, token: manager.token })],
      ["a service deleted", () => callJson("DELETE", "/api/v1/services/{name}", { params: { name }, token: manager.token })],
    ];
    for (const [what, change] of changes) expect(await movesOn(change), what).toBe(true);
  });

  it("stays put for sign-in bookkeeping (last seen, token last used) and for unrelated writes", async () => {
    const person = await makePerson(["viewer"]);
    expect(await movesOn(() => other.query(`UPDATE "users" SET "last_seen_at" = now(), "updated_at" = now() WHERE "id" = $1`, [person.id]))).toBe(false);
    expect(await movesOn(() => other.query(`UPDATE "api_tokens" SET "last_used_at" = now() WHERE "id" = $1`, [person.tokenId]))).toBe(false);
    expect(await movesOn(() => other.query(`SELECT 1`))).toBe(false);
  });
});

describe("reading the data version", () => {
  it("once per read-only request (its answer is as of its start), afresh everywhere else", async () => {
    const team = await makeTeam("dv-read");
    const bump = () => other.query(`UPDATE "teams" SET "description" = $2 WHERE "id" = $1`, [team.id, unique("d")]);
    const [first, second] = await asReadOnlyRequest(async () => {
      const a = await readDataVersion(db());
      await bump();
      return [a, await readDataVersion(db())];
    });
    expect(second).toBe(first);
    const before = await readDataVersion(db());
    await bump();
    expect(BigInt(await readDataVersion(db()))).toBeGreaterThan(BigInt(before));
  });
});

describe("caches keyed by the data version", () => {
  it("answer from the cache while nothing changed, and see another instance's change on the very next request", async () => {
    const manager = await makePerson(["release-manager"]);
    const name = unique("cached");
    expect((await callJson("POST", "/api/v1/services", { body: { name, team: "platform", description: "first" }, token: manager.token })).status).toBe(201);
    const read = async () => {
      const page = await callJson<{ items: ServiceDto[] }>("GET", "/api/v1/services", { query: { q: name }, token: manager.token });
      expect(page.status).toBe(200);
      return page.body.items[0]?.description;
    };
    expect(await read()).toBe("first");

    // Changed without the triggers (as no instance of Paved ever writes): the cached page stands,
    // which shows the answer came from the cache...
    await other.query(`BEGIN; SET LOCAL session_replication_role = replica; UPDATE "services" SET "description" = 'unseen' WHERE "name" = $1; COMMIT;`.replace("$1", `'${name}'`));
    expect(await read()).toBe("first");
    // ...and a change through the triggers, from another instance, is seen at once.
    await other.query(`UPDATE "services" SET "description" = 'second' WHERE "name" = $1`, [name]);
    expect(await read()).toBe("second");
  });

  it("refuse a token or a session the moment another instance revokes, disables or demotes", async () => {
    const me = await makePerson(["release-manager"]);
    expect((await callJson("GET", "/api/v1/me", { token: me.token })).status).toBe(200);
    expect((await callJson("GET", "/api/v1/me", { cookie: me.cookie })).status).toBe(200);

    // Demoted elsewhere: the next write is judged by the new role.
    await other.query(`UPDATE "memberships" SET "role" = 'viewer' WHERE "user_id" = $1`, [me.id]);
    expectErrorBody(await callJson("POST", "/api/v1/services", { body: { name: unique("nope"), team: "platform" }, token: me.token }), 403, "forbidden");

    await other.query(`UPDATE "users" SET "disabled_at" = now() WHERE "id" = $1`, [me.id]);
    expect(expectErrorBody(await callJson("GET", "/api/v1/me", { token: me.token }), 401, "unauthenticated").message).toMatch(/disabled/);
    expectErrorBody(await callJson("GET", "/api/v1/me", { cookie: me.cookie }), 401, "unauthenticated");

    await other.query(`UPDATE "users" SET "disabled_at" = NULL WHERE "id" = $1`, [me.id]);
    await other.query(`UPDATE "api_tokens" SET "revoked_at" = now() WHERE "id" = $1`, [me.tokenId]);
    expect(expectErrorBody(await callJson("GET", "/api/v1/me", { token: me.token }), 401, "unauthenticated").message).toMatch(/revoked/);
    expect((await callJson("GET", "/api/v1/me", { cookie: me.cookie })).status).toBe(200);
  });
});
