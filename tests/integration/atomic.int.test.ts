// Writes are all or nothing: a transaction that fails part-way (here its audit insert, refused by
// a trigger installed for one marker) leaves none of its rows, and a process killed with SIGKILL in
// the middle of a write leaves nothing behind and no lock held.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { makePerson, makeTeam, makeUser, unique } from "../support/factory";
import { callJson, expectErrorBody, type ErrorBody } from "../support/http";

/** Makes every audit insert whose payload mentions `marker` fail, for the duration of `fn`. */
async function withFailingAudit<T>(marker: string, fn: () => Promise<T>): Promise<T> {
  const name = marker.replace(/-/g, "_");
  await db().$executeRawUnsafe(
    `CREATE FUNCTION "fail_${name}"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END; $$`,
  );
  await db().$executeRawUnsafe(
    `CREATE TRIGGER "fail_${name}" BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.payload::text LIKE '%${marker}%' OR NEW.target_label LIKE '%${marker}%') EXECUTE FUNCTION "fail_${name}"()`,
  );
  try {
    return await fn();
  } finally {
    await db().$executeRawUnsafe(`DROP TRIGGER "fail_${name}" ON audit_events`);
    await db().$executeRawUnsafe(`DROP FUNCTION "fail_${name}"()`);
  }
}

describe("a transaction that fails part-way", () => {
  it("leaves no rows when the audit insert fails after the change", async () => {
    const admin = await makePerson(["platform-admin"]);
    const marker = unique("atomic");
    const team = await makeTeam("atomic-home");
    const member = await makeUser({ prefix: "atomic-member" });
    const tokensBefore = await db().apiToken.count({ where: { userId: admin.id } });

    await withFailingAudit(marker, async () => {
      const createdTeam = await callJson<ErrorBody>("POST", "/api/v1/teams", { token: admin.token, body: { slug: marker, name: "Never" } });
      expectErrorBody(createdTeam, 500, "internal");
      expect(createdTeam.body.error.message).not.toMatch(/injected/);

      const createdUser = await callJson<ErrorBody>("POST", "/api/v1/users", { token: admin.token, body: { login: marker, name: "Never", team: team.slug, roles: ["sre"] } });
      expectErrorBody(createdUser, 500, "internal");

      const token = await callJson<ErrorBody>("POST", "/api/v1/tokens", { token: admin.token, body: { name: marker } });
      expectErrorBody(token, 500, "internal");

      const renamed = await callJson<ErrorBody>("PATCH", "/api/v1/users/{login}", { token: admin.token, params: { login: member.login }, body: { name: marker } });
      expectErrorBody(renamed, 500, "internal");
    });

    expect(await db().team.findUnique({ where: { slug: marker } })).toBeNull();
    expect(await db().user.findUnique({ where: { login: marker } })).toBeNull();
    expect(await db().membership.count({ where: { teamId: team.id } })).toBe(0);
    expect(await db().apiToken.count({ where: { userId: admin.id } })).toBe(tokensBefore);
    expect((await db().user.findUniqueOrThrow({ where: { id: member.id } })).name).not.toBe(marker);
    expect(await db().auditEvent.count({ where: { OR: [{ targetLabel: { contains: marker } }, { actorLogin: marker }] } })).toBe(0);

    // With the fault gone, the same writes succeed: nothing was left half-done in the way.
    expect((await callJson("POST", "/api/v1/teams", { token: admin.token, body: { slug: marker, name: "Now" } })).status).toBe(201);
  });
});

describe("a process killed mid-write", () => {
  it("leaves no team, no audit event and no lock behind", async () => {
    const slug = unique("killed");
    const child = spawn(process.execPath, ["--import", "tsx", path.resolve(import.meta.dirname, "../support/hang-in-transaction.ts"), slug], {
      env: { ...process.env, LOG_LEVEL: "silent", PAVED_DB_POOL_SIZE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    try {
      const teamId = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const match = /inserted (\S+)\n/.exec(out);
          if (match?.[1]) resolve(match[1]);
        });
        child.on("exit", () => reject(new Error(`child exited before inserting: ${stderr}`)));
        setTimeout(() => reject(new Error(`child did not insert in time: ${stderr}`)), 30_000);
      });
      expect(teamId).toMatch(/^[0-9a-f-]{36}$/);
      // The row exists inside the child's open transaction; now the process dies without a word.
      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      expect(await db().team.findUnique({ where: { slug } })).toBeNull();
      expect(await db().team.findUnique({ where: { id: teamId } })).toBeNull();
      expect(await db().auditEvent.count({ where: { targetLabel: slug } })).toBe(0);

      // The audit lock it held is gone: the next audited write goes through at once.
      const admin = await makePerson(["platform-admin"]);
      const started = Date.now();
      expect((await callJson("POST", "/api/v1/teams", { token: admin.token, body: { slug, name: "After the crash" } })).status).toBe(201);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});
