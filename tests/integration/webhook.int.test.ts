// POST /api/v1/webhooks/alertmanager: only with the configured bearer token or basic credentials
// (401 otherwise, before the body is read), Alertmanager's version-4 body schema-checked (400 naming
// the field), both changing nothing; each alert stored once per fingerprint, start and status, so a
// duplicate delivery queues nothing; a real Alertmanager's notifications accepted as they are sent.
// The request only stores and queues (nothing is processed in it); its speed is the bench's
// (scripts/bench/incidents.ts), since tests never assert times.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { resetEnvCache, SANDBOX_ALERTMANAGER_TOKEN } from "@/lib/core/env";
import { processAlertJob } from "@/lib/incidents/jobs";
import { startAlertmanager, startPavedServer } from "../support/alertmanager";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson } from "../support/factory";
import { callJson, expectErrorBody, type CallOptions } from "../support/http";
import { eventually } from "../support/prometheus";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await useDatabase(database.url);
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

const fingerprint = () => randomBytes(8).toString("hex");

function alert(overrides: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return {
    status: "firing",
    labels: { alertname: "SLOErrorBudgetBurn", service: "checkout-web", slo: "availability", severity: "page", automation: "auto-rollback", ...labels },
    annotations: { summary: "checkout-web is burning its error budget" },
    startsAt: "2026-11-27T10:00:00.123456789Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.example/graph?g0.expr=x",
    fingerprint: fingerprint(),
    ...overrides,
  };
}

function body(alerts: unknown[], overrides: Record<string, unknown> = {}) {
  return {
    receiver: "paved",
    status: "firing",
    alerts,
    groupLabels: { alertname: "SLOErrorBudgetBurn" },
    commonLabels: { alertname: "SLOErrorBudgetBurn" },
    commonAnnotations: {},
    externalURL: "http://alertmanager.example",
    version: "4",
    groupKey: '{}:{alertname="SLOErrorBudgetBurn"}',
    truncatedAlerts: 0,
    ...overrides,
  };
}

const bearer = (token = SANDBOX_ALERTMANAGER_TOKEN) => ({ authorization: `Bearer ${token}` });
const send = (options: CallOptions) => callJson<{ accepted: number; duplicates: number }>("POST", "/api/v1/webhooks/alertmanager", options);

async function state() {
  const [events, audit, jobs] = await Promise.all([
    db().alertEvent.count(),
    db().auditEvent.count(),
    db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*)::bigint AS n FROM pgboss.job WHERE name = $1`, processAlertJob.name).catch(() => [{ n: 0n }]),
  ]);
  return { events, audit, jobs: Number(jobs[0]?.n ?? 0) };
}

describe("the Alertmanager webhook", () => {
  it("accepts the sandbox's bearer token, stores each alert and queues its processing, audited", async () => {
    const before = await state();
    const a = alert();
    const res = await send({ body: body([a, alert({ status: "resolved", endsAt: "2026-11-27T10:05:00Z" })]), headers: bearer() });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ accepted: 2, duplicates: 0 });
    const after = await state();
    expect(after.events - before.events).toBe(2);
    expect(after.jobs - before.jobs).toBe(2);
    const stored = await db().alertEvent.findFirstOrThrow({ where: { fingerprint: a.fingerprint } });
    expect(stored).toMatchObject({ status: "firing", alertname: "SLOErrorBudgetBurn", endsAt: null, receiver: "paved", processedAt: null });
    expect(stored.startsAt.toISOString()).toBe("2026-11-27T10:00:00.123Z");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "alerts.received" }, orderBy: { seq: "desc" } });
    expect(audit).toMatchObject({ actorLogin: "alertmanager", targetId: "paved" });
  });

  it("runs nothing twice: a repeated delivery stores and queues nothing", async () => {
    const a = alert();
    expect((await send({ body: body([a]), headers: bearer() })).body).toEqual({ accepted: 1, duplicates: 0 });
    const before = await state();
    const again = await send({ body: body([a]), headers: bearer() });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: 0, duplicates: 1 });
    // The same alert twice in one body, and once more with its resolution: only the resolution is new.
    const mixed = await send({ body: body([a, a, { ...a, status: "resolved", endsAt: "2026-11-27T10:09:00Z" }]), headers: bearer() });
    expect(mixed.body).toEqual({ accepted: 1, duplicates: 2 });
    const after = await state();
    expect(after.events - before.events).toBe(1);
    expect(after.jobs - before.jobs).toBe(1);
  });

  it("refuses without the configured credentials (401), before reading the body, changing nothing", async () => {
    const before = await state();
    const valid = body([alert()]);
    const person = await makePerson(["platform-admin"]);
    const cases: CallOptions[] = [
      { body: valid },
      { body: valid, headers: bearer("not-the-token") },
      { body: valid, headers: { authorization: `Basic ${Buffer.from("alertmanager:guess").toString("base64")}` } },
      // A Paved API token is no webhook credential, whoever it belongs to.
      { body: valid, token: person.token },
      // Malformed and unauthenticated: still 401 (the body is not read).
      { rawBody: "{not json", headers: { "content-type": "application/json" } },
    ];
    for (const c of cases) expectErrorBody(await send(c), 401, "unauthenticated");
    expect(await state()).toEqual(before);
  });

  it("refuses what is not Alertmanager's version-4 body (400, naming the field), changing nothing", async () => {
    const before = await state();
    const cases: [CallOptions, RegExp][] = [
      [{ rawBody: "{not json", headers: { ...bearer(), "content-type": "application/json" } }, /not valid JSON/],
      [{ body: body([alert()], { version: "3" }), headers: bearer() }, /version/],
      [{ body: body([]), headers: bearer() }, /alerts/],
      [{ body: body([alert({ status: "pending" })]), headers: bearer() }, /alerts\.0\.status/],
      [{ body: body([alert({ startsAt: "yesterday" })]), headers: bearer() }, /alerts\.0\.startsAt/],
      [{ body: body([alert({ startsAt: "0001-01-01T00:00:00Z" })]), headers: bearer() }, /alerts\.0\.startsAt: the alert has no start time/],
      [{ body: body([alert({ fingerprint: undefined })]), headers: bearer() }, /alerts\.0\.fingerprint/],
      [{ body: body([alert({}, { alertname: "" })]), headers: bearer() }, /alertname/],
      [{ body: { ...body([alert()]), receiver: undefined }, headers: bearer() }, /receiver/],
    ];
    for (const [options, message] of cases) {
      const res = await send(options);
      const error = expectErrorBody(res, 400, res.status === 400 && (res.body as unknown as { error: { code: string } }).error.code === "invalid_json" ? "invalid_json" : "invalid_input");
      expect(error.message).toMatch(message);
    }
    expect(await state()).toEqual(before);
  });

  it("accepts basic credentials when they are configured, and then the sandbox token no longer", async () => {
    process.env.ALERTMANAGER_WEBHOOK_USERNAME = "alertmanager";
    process.env.ALERTMANAGER_WEBHOOK_PASSWORD = "s3cret-pass";
    resetEnvCache();
    try {
      const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}` });
      expect((await send({ body: body([alert()]), headers: basic("alertmanager", "s3cret-pass") })).status).toBe(202);
      expectErrorBody(await send({ body: body([alert()]), headers: basic("alertmanager", "wrong") }), 401, "unauthenticated");
      expectErrorBody(await send({ body: body([alert()]), headers: bearer() }), 401, "unauthenticated");
      process.env.ALERTMANAGER_WEBHOOK_TOKEN = "configured-token";
      resetEnvCache();
      expect((await send({ body: body([alert()]), headers: bearer("configured-token") })).status).toBe(202);
    } finally {
      delete process.env.ALERTMANAGER_WEBHOOK_USERNAME;
      delete process.env.ALERTMANAGER_WEBHOOK_PASSWORD;
      delete process.env.ALERTMANAGER_WEBHOOK_TOKEN;
      resetEnvCache();
    }
  });

  it("outside sandbox mode with nothing configured, accepts nothing", async () => {
    process.env.PAVED_SANDBOX = "false";
    resetEnvCache();
    try {
      const res = await send({ body: body([alert()]), headers: bearer() });
      expect(expectErrorBody(res, 401, "unauthenticated").message).toContain("no credentials configured");
    } finally {
      process.env.PAVED_SANDBOX = "true";
      resetEnvCache();
    }
  });

  it("takes a real Alertmanager's notifications, firing then resolved, with its bearer token", async () => {
    const server = await startPavedServer([{ method: "POST", path: "/api/v1/webhooks/alertmanager" }]);
    const am = await startAlertmanager({ webhookUrl: `${server.url}/api/v1/webhooks/alertmanager`, bearerToken: SANDBOX_ALERTMANAGER_TOKEN });
    try {
      const service = `svc-${randomBytes(3).toString("hex")}`;
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      await am.postAlerts([{ labels: { alertname: "SLOErrorBudgetBurn", service, severity: "page", automation: "restart" }, annotations: { summary: "burning" }, startsAt, generatorURL: "http://prometheus.example/graph" }]);
      const firing = await eventually(() => db().alertEvent.findFirst({ where: { labels: { path: ["service"], equals: service }, status: "firing" } }), { what: "the firing notification" });
      expect(firing.startsAt.toISOString()).toBe(startsAt);
      expect(firing.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      await am.postAlerts([{ labels: { alertname: "SLOErrorBudgetBurn", service, severity: "page", automation: "restart" }, annotations: { summary: "burning" }, startsAt, endsAt: new Date().toISOString() }]);
      const resolved = await eventually(() => db().alertEvent.findFirst({ where: { fingerprint: firing.fingerprint, status: "resolved" } }), { what: "the resolved notification" });
      expect(resolved.endsAt).not.toBeNull();
      expect(server.requests.every((r) => r.status === 202)).toBe(true);
    } finally {
      await am.stop();
      await server.close();
    }
  });
});
