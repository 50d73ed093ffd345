// Organisations that run OPA: with OPA_URL set, its Rego rules (`deny` and `warn` message sets in
// OPA_PACKAGE) count next to Paved's own policies, through OPA's REST Data API (a double that
// follows OPA's documented API). An OPA that cannot be asked fails closed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import type { HealthDto } from "@/lib/api/health";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";
import { startOpaDouble, type OpaDouble } from "../support/opa-double";

let opa: OpaDouble;
let viewer: TestPerson;
let admin: TestPerson;
type Evaluation = { decision: string; results: { policy: string; action: string; message: string; error: boolean }[] };

beforeAll(async () => {
  viewer = await makePerson(["viewer"], { prefix: "opa" });
  admin = await makePerson(["platform-admin"], { prefix: "opa-admin" });
  opa = await startOpaDouble({
    // package company.k8s — deny Services of type NodePort; warn about missing owner annotation.
    "company/k8s/deny": (input) => (input.kind === "Service" && (input.spec as { type?: string } | undefined)?.type === "NodePort" ? ["NodePort services are not allowed"] : []),
    "company/k8s/warn": (input) => ((input.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.owner ? [] : [{ msg: "Add an owner annotation" }]),
  });
});

afterEach(() => {
  delete process.env.OPA_URL;
  delete process.env.OPA_PACKAGE;
  resetEnvCache();
});

afterAll(async () => {
  expect(opa.violations).toEqual([]);
  await opa.close();
});

const service = (type: string) => ({ apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { type, ports: [{ port: 80 }] } });
const evaluate = (subject: unknown) => callJson<Evaluation>("POST", "/api/v1/policies/evaluate", { body: { subject }, token: viewer.token });

describe("with OPA_URL", () => {
  it("adds the Rego rules' deny and warn messages, sending the subject as input", async () => {
    Object.assign(process.env, { OPA_URL: opa.url, OPA_PACKAGE: "company/k8s" });
    resetEnvCache();
    const before = opa.requests.length;
    const res = await evaluate(service("NodePort"));
    expect(res.body.decision).toBe("deny");
    expect(res.body.results).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ policy: "opa:company/k8s", action: "Deny", message: "NodePort services are not allowed" }),
        expect.objectContaining({ policy: "opa:company/k8s", action: "Warn", message: "Add an owner annotation" }),
      ]),
    );
    const sent = opa.requests.slice(before);
    expect(sent.map((r) => r.path).sort()).toEqual(["company/k8s/deny", "company/k8s/warn"]);
    expect(sent[0]?.body).toEqual({ input: service("NodePort") });

    const fine = await evaluate({ ...service("ClusterIP"), metadata: { name: "web", annotations: { owner: "storefront" } } });
    expect(fine.body.results.filter((r) => r.policy.startsWith("opa:"))).toEqual([]);
  });

  it("fails closed when OPA cannot be asked", async () => {
    Object.assign(process.env, { OPA_URL: "http://127.0.0.1:1", OPA_PACKAGE: "company/k8s" });
    resetEnvCache();
    const res = await evaluate(service("ClusterIP"));
    expect(res.body.decision).toBe("deny");
    expect(res.body.results).toEqual(expect.arrayContaining([expect.objectContaining({ policy: "opa:company/k8s", action: "Deny", error: true, message: expect.stringContaining("fails closed") })]));
  });

  it("waives the Rego rules for one target with an exception named opa:<package>", async () => {
    Object.assign(process.env, { OPA_URL: opa.url, OPA_PACKAGE: "company/k8s" });
    resetEnvCache();
    const name = `legacy-${Date.now().toString(36)}`;
    const subject = { ...service("NodePort"), metadata: { name } };
    expect((await evaluate(subject)).body.decision).toBe("deny");
    const created = await callJson<{ id: string }>("POST", "/api/v1/policy-exceptions", {
      body: { policy: "opa:company/k8s", target: { kind: "Service", name }, reason: "Legacy load balancer until the migration lands", expiresAt: new Date(Date.now() + 3600_000).toISOString() },
      token: admin.token,
    });
    expect(created.status).toBe(201);
    const waived = await evaluate(subject);
    expect(waived.body.decision).not.toBe("deny");
    expect(waived.body.results.filter((r) => r.policy === "opa:company/k8s").every((r) => (r as { exception?: unknown }).exception)).toBe(true);
    // Another package's name is not a policy.
    const other = await callJson("POST", "/api/v1/policy-exceptions", {
      body: { policy: "opa:someone/else", target: { kind: "Service", name }, reason: "Not a package Paved asks at all", expiresAt: new Date(Date.now() + 3600_000).toISOString() },
      token: admin.token,
    });
    expect(other.status).toBe(404);
    await callJson("DELETE", "/api/v1/policy-exceptions/{id}", { params: { id: created.body.id }, token: admin.token });
  });

  it("reports OPA in /api/health, and a degraded status when it does not answer", async () => {
    Object.assign(process.env, { OPA_URL: opa.url, OPA_PACKAGE: "company/k8s" });
    resetEnvCache();
    resetIntegrationHealthCache();
    const up = await callJson<HealthDto>("GET", "/api/health");
    expect(up.body.integrations.opa).toMatchObject({ mode: "opa", ok: true });
    Object.assign(process.env, { OPA_URL: "http://127.0.0.1:1" });
    resetEnvCache();
    resetIntegrationHealthCache();
    const down = await callJson<HealthDto>("GET", "/api/health");
    expect(down.body.integrations.opa).toMatchObject({ mode: "opa", ok: false });
    expect(down.body.status).toBe("degraded");
    delete process.env.OPA_URL;
    resetEnvCache();
    resetIntegrationHealthCache();
    expect((await callJson<HealthDto>("GET", "/api/health")).body.integrations.opa).toBeUndefined();
  });

  it("without OPA_URL asks nobody", async () => {
    const before = opa.requests.length;
    const res = await evaluate(service("NodePort"));
    expect(res.body.results.filter((r) => r.policy.startsWith("opa:"))).toEqual([]);
    expect(opa.requests.length).toBe(before);
  });
});
