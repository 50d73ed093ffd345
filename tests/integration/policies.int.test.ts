// Policy as code through the API, on both databases: evaluation, exceptions that apply until
// they expire and not after, who may grant them, and the compliance scan and its numbers.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { runComplianceScan } from "@/lib/policies/compliance";
import type { ComplianceDto, EvaluationDto, ExceptionDto, PolicyDto } from "@/lib/policies/schemas";
import type { z } from "zod";
import { makePerson, unique, type TestPerson } from "../support/factory";
import { callJson, type ErrorBody } from "../support/http";

type Evaluation = z.infer<typeof EvaluationDto>;

let admin: TestPerson;
let dev: TestPerson;
let viewer: TestPerson;

beforeAll(async () => {
  admin = await makePerson(["platform-admin"], { prefix: "poladmin" });
  dev = await makePerson(["developer"], { prefix: "poldev" });
  viewer = await makePerson(["viewer"], { prefix: "polviewer" });
});

function deployment(name: string, nonRoot: boolean) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "shop", labels: { team: "storefront", service: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          ...(nonRoot ? { securityContext: { runAsNonRoot: true } } : {}),
          containers: [{ name, image: "ghcr.io/acme/web:1.2.3", resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } } }],
        },
      },
    },
  };
}

const evaluate = (subject: unknown, token = viewer.token) => callJson<Evaluation & ErrorBody>("POST", "/api/v1/policies/evaluate", { body: { subject }, token });
const runAsNonRoot = (e: Evaluation) => e.results.filter((r) => r.policy === "require-run-as-non-root");

describe("evaluation", () => {
  it("denies a Deployment without runAsNonRoot with the policy's message, and allows a compliant one", async () => {
    const denied = await evaluate(deployment(unique("web"), false));
    expect(denied.status).toBe(200);
    expect(denied.body.decision).toBe("deny");
    expect(runAsNonRoot(denied.body)).toEqual([expect.objectContaining({ action: "Deny", message: "Containers must run as non-root user", exception: null })]);
    const allowed = await evaluate(deployment(unique("web"), true));
    expect(runAsNonRoot(allowed.body)).toEqual([]);
    expect(allowed.body.evaluated).toContain("require-run-as-non-root");
  });

  it("refuses a subject that is not an object with apiVersion and kind", async () => {
    const res = await evaluate({ kind: "Deployment" });
    expect(res.status).toBe(400);
    expect((res.body.error.details as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(["subject", "apiVersion"]);
  });

  it("lists the policies with their sources", async () => {
    const res = await callJson<{ items: PolicyDto[]; errors: unknown[] }>("GET", "/api/v1/policies", { token: viewer.token });
    const policy = res.body.items.find((p) => p.name === "require-run-as-non-root");
    expect(policy).toMatchObject({ action: "Deny", kubernetes: true });
    expect(policy?.source).toContain("runAsNonRoot");
    // Its test cases (policies/require-run-as-non-root.cases.yaml), for people to read.
    expect(policy?.cases.length).toBeGreaterThan(1);
    expect(policy?.cases.map((c) => c.expect)).toEqual(expect.arrayContaining(["deny", "allow"]));
    expect(res.body.errors).toEqual([]);
  });
});

describe("exceptions", () => {
  it("only platform admins grant them, and bad requests are refused", async () => {
    const body = { policy: "require-run-as-non-root", target: { kind: "Deployment", name: unique("legacy") }, reason: "Legacy image runs as root until TICKET-1", expiresAt: new Date(Date.now() + 3600_000).toISOString() };
    expect((await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body, token: dev.token })).status).toBe(403);
    expect((await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body: { ...body, policy: "no-such-policy" }, token: admin.token })).status).toBe(404);
    const past = await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body: { ...body, expiresAt: new Date(Date.now() - 1000).toISOString() }, token: admin.token });
    expect(past.status).toBe(400);
    expect((past.body.error.details as { issues: { path: string[] }[] }).issues[0]?.path).toEqual(["expiresAt"]);
    const tooLong = await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body: { ...body, expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, token: admin.token });
    expect(tooLong.status).toBe(400);
    const shortReason = await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body: { ...body, reason: "because" }, token: admin.token });
    expect(shortReason.status).toBe(400);
    expect((await callJson<ExceptionDto>("POST", "/api/v1/policy-exceptions", { body, token: admin.token })).status).toBe(201);
    expect((await callJson<ErrorBody>("POST", "/api/v1/policy-exceptions", { body, token: admin.token })).status).toBe(409);
  });

  it("allows the target until the exception expires, and not after; revoking ends it at once", async () => {
    const name = unique("waived");
    const subject = deployment(name, false);
    const expiresAt = new Date(Date.now() + 1500);
    const created = await callJson<ExceptionDto>("POST", "/api/v1/policy-exceptions", {
      body: { policy: "require-run-as-non-root", target: { kind: "Deployment", name }, reason: "Migrating to a non-root image this sprint", expiresAt: expiresAt.toISOString() },
      token: admin.token,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ approver: admin.login, status: "active" });

    const during = await evaluate(subject);
    expect(runAsNonRoot(during.body)).toEqual([expect.objectContaining({ exception: expect.objectContaining({ id: created.body.id, approver: admin.login }) })]);
    expect(during.body.results.filter((r) => r.action === "Deny" && !r.exception)).toEqual([]);

    // Another Deployment is not covered.
    expect((await evaluate(deployment(unique("other"), false))).body.decision).toBe("deny");

    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt.getTime() - Date.now() + 50)));
    const after = await evaluate(subject);
    expect(after.body.decision).toBe("deny");
    expect(runAsNonRoot(after.body)[0]?.exception).toBeNull();

    const again = await callJson<ExceptionDto>("POST", "/api/v1/policy-exceptions", {
      body: { policy: "require-run-as-non-root", target: { kind: "Deployment", name }, reason: "Second chance for the migration", expiresAt: new Date(Date.now() + 3600_000).toISOString() },
      token: admin.token,
    });
    expect(runAsNonRoot((await evaluate(subject)).body)[0]?.exception).not.toBeNull();
    const revoked = await callJson<ExceptionDto>("DELETE", "/api/v1/policy-exceptions/{id}", { params: { id: again.body.id }, token: admin.token });
    expect(revoked.body.status).toBe("revoked");
    expect((await evaluate(subject)).body.decision).toBe("deny");

    const events = await db().auditEvent.findMany({ where: { action: { startsWith: "policy_exception." }, targetId: { in: [created.body.id, again.body.id] } } });
    expect(events.map((e) => e.action).sort()).toEqual(["policy_exception.granted", "policy_exception.granted", "policy_exception.revoked"]);
  });
});

describe("compliance", () => {
  it("a scan stores results and the numbers per scope, and the API answers them", async () => {
    const result = await runComplianceScan();
    expect(result.evaluations).toBeGreaterThanOrEqual(0);
    const res = await callJson<ComplianceDto>("GET", "/api/v1/compliance", { token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.body.lastRun?.id).toBe(result.runId);
    expect(res.body.trend.length).toBeGreaterThanOrEqual(1);
    if (result.evaluations > 0) {
      expect(res.body.overall?.evaluations).toBe(result.evaluations);
      expect(res.body.overall?.percent).toBeCloseTo((result.passed / result.evaluations) * 100, 1);
    }
  });
});
