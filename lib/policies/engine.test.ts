// The policy engine: compiled once at load, broken policies reported with file and line while
// the others load, Kubernetes' ValidatingAdmissionPolicy semantics (matchConstraints with
// operations, matchConditions, variables, params, message and messageExpression), failing
// closed, and waivers that apply until their expiry and not a millisecond after.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// Count every parse and plan the engine asks @bufbuild/cel for (the real functions still run).
const calls = vi.hoisted(() => ({ parse: 0, plan: 0 }));
vi.mock("@bufbuild/cel", async (importOriginal) => {
  const real = await importOriginal<typeof import("@bufbuild/cel")>();
  return {
    ...real,
    parse: (...args: Parameters<typeof real.parse>) => {
      calls.parse++;
      return real.parse(...args);
    },
    plan: (...args: Parameters<typeof real.plan>) => {
      calls.plan++;
      return real.plan(...args);
    },
  };
});

const { compilePolicy, evaluateSubject, isPolicyLoadError, loadPolicies, waiverFor } = await import("./engine.ts");
type PolicyWaiver = import("./engine.ts").PolicyWaiver;
type Subject = import("./format.ts").Subject;
const { resourceOf } = await import("./format.ts");

function policy(name: string, spec: string, extra = "action: Deny"): string {
  return `apiVersion: paved.dev/v1
kind: Policy
metadata:
  name: ${name}
  title: ${name}
  description: a test policy
${extra}
spec:
${spec}`;
}

const DEPLOYMENTS = `  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]`;

function deployment(name: string, containers: Record<string, unknown>[], extra: Record<string, unknown> = {}): Subject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "shop" },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers, ...extra } } },
  };
}

function loadError(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (isPolicyLoadError(e)) return e;
    throw e;
  }
  throw new Error("expected a PolicyLoadError");
}

describe("compiling once", () => {
  it("parses and plans every expression at load, never per evaluation", () => {
    calls.parse = 0;
    calls.plan = 0;
    const p = compilePolicy(
      "count.yaml",
      policy(
        "count",
        `${DEPLOYMENTS}
  matchConditions:
    - name: named
      expression: has(object.metadata.name)
  variables:
    - name: containers
      expression: object.spec.template.spec.containers
  validations:
    - expression: variables.containers.all(c, has(c.image))
      message: every container names an image
      messageExpression: "'missing images in ' + object.metadata.name"`,
      ),
    );
    // 4 expressions: a match condition, a variable, a validation and its message.
    expect(calls).toEqual({ parse: 4, plan: 4 });
    for (let i = 0; i < 500; i++) evaluateSubject([p], deployment(`web-${i}`, i % 2 ? [{ name: "a", image: "x:1" }] : [{ name: "a" }]));
    expect(calls).toEqual({ parse: 4, plan: 4 });
  });

  it("compiles every shipped policy once and evaluates without compiling", async () => {
    const { policies, errors } = await loadPolicies(path.resolve(import.meta.dirname, "../../policies"));
    expect(errors).toEqual([]);
    const before = { ...calls };
    for (let i = 0; i < 100; i++) evaluateSubject(policies, deployment(`web-${i}`, [{ name: "app", image: "ghcr.io/acme/web:1.0.0" }]));
    expect(calls).toEqual(before);
  });
});

describe("loading", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "paved-policies-"));
    await writeFile(path.join(dir, "good.yaml"), policy("good", `${DEPLOYMENTS}\n  validations:\n    - expression: "true"\n      message: fine`));
    // Line 16 holds the broken expression.
    await writeFile(path.join(dir, "broken-cel.yaml"), policy("broken-cel", `${DEPLOYMENTS}\n  validations:\n    - expression: "object.spec.replicas >"\n      message: broken`));
    await writeFile(path.join(dir, "broken-yaml.yaml"), "apiVersion: paved.dev/v1\nkind: Policy\nmetadata: [unclosed\n");
    await writeFile(path.join(dir, "good.cases.yaml"), "cases: []\n");
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("reports a CEL parse error with its file and line while the other policies load", async () => {
    const { policies, errors } = await loadPolicies(dir);
    expect(policies.map((p) => p.name)).toEqual(["good"]);
    const cel = errors.find((e) => e.file.endsWith("broken-cel.yaml"));
    expect(cel?.line).toBe(16);
    expect(cel?.message).toMatch(/^spec\.validations\.0\.expression: CEL does not parse: /);
    const yaml = errors.find((e) => e.file.endsWith("broken-yaml.yaml"));
    expect(yaml?.line).toBe(4);
    expect(yaml?.message).toMatch(/^YAML: /);
    // *.cases.yaml files are test cases, not policies.
    expect(errors).toHaveLength(2);
  });

  it("refuses names Kubernetes does not bind, with the line", () => {
    const e = loadError(() => compilePolicy("rego.yaml", policy("rego-habit", `${DEPLOYMENTS}\n  validations:\n    - expression: input.kind == 'Deployment'\n      message: m`)));
    expect(e).toMatchObject({ file: "rego.yaml", line: 16 });
    expect(e.message).toContain("unknown name input");
  });

  it("refuses params in a policy without parameters, and a variable read before it is declared", () => {
    expect(loadError(() => compilePolicy("p.yaml", policy("no-params", `${DEPLOYMENTS}\n  validations:\n    - expression: params.data.x == 'y'\n      message: m`))).message).toContain(
      "reads params, but the policy declares no params",
    );
    const early = loadError(() =>
      compilePolicy(
        "v.yaml",
        policy("order", `${DEPLOYMENTS}\n  variables:\n    - name: a\n      expression: variables.b\n    - name: b\n      expression: "1"\n  validations:\n    - expression: variables.a == 1\n      message: m`),
      ),
    );
    expect(early.message).toBe("spec.variables.0.expression: reads variables.b before it is declared");
    expect(loadError(() => compilePolicy("u.yaml", policy("undeclared", `${DEPLOYMENTS}\n  validations:\n    - expression: variables.nope\n      message: m`))).message).toContain(
      "reads variables.nope, which is not declared",
    );
    expect(
      loadError(() =>
        compilePolicy("m.yaml", policy("cond-vars", `${DEPLOYMENTS}\n  matchConditions:\n    - name: c\n      expression: variables.a\n  variables:\n    - name: a\n      expression: "true"\n  validations:\n    - expression: "true"\n      message: m`)),
      ).message,
    ).toContain("matchConditions cannot read variables");
  });

  it("refuses an unknown function at load instead of failing closed at every evaluation", () => {
    const e = loadError(() => compilePolicy("f.yaml", policy("typo", `${DEPLOYMENTS}\n  validations:\n    - expression: object.metadata.name.startWith('a')\n      message: m`)));
    expect(e.message).toContain("unknown function startWith()");
    // Comprehension variables are not free names.
    expect(() => compilePolicy("ok.yaml", policy("bound", `${DEPLOYMENTS}\n  validations:\n    - expression: object.spec.template.spec.containers.all(c, c.name.startsWith('a'))\n      message: m`))).not.toThrow();
  });
});

describe("evaluation", () => {
  const limits = compilePolicy(
    "limits.yaml",
    policy(
      "limits",
      `${DEPLOYMENTS}
  variables:
    - name: unlimited
      expression: object.spec.template.spec.containers.filter(c, !has(c.resources) || !has(c.resources.limits)).map(c, c.name)
    - name: broken
      expression: object.spec.nothing.here
  validations:
    - expression: size(variables.unlimited) == 0
      message: every container needs limits
      messageExpression: "'containers without limits: ' + variables.unlimited.join(', ')"`,
    ),
  );

  it("denies with the messageExpression, and allows a compliant object; an unread failing variable does not matter", () => {
    const denied = evaluateSubject([limits], deployment("web", [{ name: "app", image: "a:1" }, { name: "side", image: "b:1", resources: { limits: { cpu: "1" } } }]));
    expect(denied.decision).toBe("deny");
    expect(denied.results).toEqual([expect.objectContaining({ policy: "limits", action: "Deny", message: "containers without limits: app", error: false, exception: null })]);
    const allowed = evaluateSubject([limits], deployment("web", [{ name: "app", image: "a:1", resources: { limits: { cpu: "1" } } }]));
    expect(allowed).toEqual({ decision: "allow", results: [], evaluated: ["limits"] });
  });

  it("matches apiVersions as well as groups, resources and operations", () => {
    const beta = { ...deployment("web", [{ name: "app", image: "a:1" }]), apiVersion: "apps/v1beta2" };
    expect(evaluateSubject([limits], beta)).toEqual({ decision: "allow", results: [], evaluated: [] });
    const any = compilePolicy("any.yaml", policy("any", DEPLOYMENTS.replace('apiVersions: ["v1"]', 'apiVersions: ["*"]') + `\n  validations:\n    - expression: "false"\n      message: no`));
    expect(evaluateSubject([any], beta).evaluated).toEqual(["any"]);
  });

  it("knows the resource names of irregular kinds", () => {
    expect(resourceOf("Endpoints")).toBe("endpoints");
    expect(resourceOf("NetworkPolicy")).toBe("networkpolicies");
    expect(resourceOf("Ingress")).toBe("ingresses");
    expect(resourceOf("Deployment")).toBe("deployments");
  });

  it("falls back to the message when the messageExpression fails or is blank", () => {
    const p = compilePolicy(
      "fallback.yaml",
      policy("fallback", `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n      message: the static message\n      messageExpression: object.metadata.missing\n    - expression: "false"\n      message: second\n      messageExpression: "'  '"`),
    );
    expect(evaluateSubject([p], deployment("web", [])).results.map((r) => r.message)).toEqual(["the static message", "second"]);
    const noMessage = compilePolicy("none.yaml", policy("none", `${DEPLOYMENTS}\n  validations:\n    - expression: "1 == 2"\n      messageExpression: "''"`));
    expect(evaluateSubject([noMessage], deployment("web", [])).results[0]?.message).toBe("failed expression: 1 == 2");
  });

  it("fails closed: a runtime error in a Deny policy denies, naming the error (and the failing variable)", () => {
    const p = compilePolicy(
      "closed.yaml",
      policy("closed", `${DEPLOYMENTS}\n  variables:\n    - name: pod\n      expression: object.spec.template.spec\n  validations:\n    - expression: variables.pod.containers.all(c, c.image != '')\n      message: m`),
    );
    const evaluation = evaluateSubject([p], { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "broken" }, spec: {} });
    expect(evaluation.decision).toBe("deny");
    expect(evaluation.results).toEqual([
      expect.objectContaining({ message: "Policy closed could not be evaluated (variables.pod: field not found: template), so it fails closed.", error: true, reason: "Invalid" }),
    ]);
    const notBool = compilePolicy("nb.yaml", policy("not-bool", `${DEPLOYMENTS}\n  validations:\n    - expression: object.metadata.name\n      message: m`));
    expect(evaluateSubject([notBool], deployment("web", [])).results[0]?.message).toBe("Policy not-bool could not be evaluated (expression returned string, not a bool), so it fails closed.");
  });

  it("ignores a runtime error when the policy's failurePolicy is Ignore", () => {
    const p = compilePolicy("ignore.yaml", policy("ignore", `  failurePolicy: Ignore\n${DEPLOYMENTS}\n  validations:\n    - expression: object.spec.nothing == 1\n      message: m`));
    expect(evaluateSubject([p], deployment("web", []))).toEqual({ decision: "allow", results: [], evaluated: ["ignore"] });
  });

  it("matches by API group, resource and operation, then matchConditions (an erroring condition matches when failing closed)", () => {
    const p = compilePolicy(
      "lb.yaml",
      policy(
        "lb",
        `  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["services"]
  matchConditions:
    - name: load-balancer
      expression: object.spec.type == 'LoadBalancer'
  validations:
    - expression: "false"
      message: no load balancers`,
      ),
    );
    const service = (type?: string): Subject => ({ apiVersion: "v1", kind: "Service", metadata: { name: "s" }, spec: type ? { type } : {} });
    expect(p.matches(service("LoadBalancer"))).toBe(true);
    expect(p.matches(service("ClusterIP"))).toBe(false);
    expect(p.matches(service("LoadBalancer"), { operation: "UPDATE" })).toBe(false);
    expect(p.matches({ apiVersion: "apps/v1", kind: "Service", spec: { type: "LoadBalancer" } })).toBe(false);
    expect(p.matches(service())).toBe(true);
    expect(evaluateSubject([p], service("LoadBalancer"), { request: { operation: "UPDATE" } }).evaluated).toEqual([]);
  });

  it("exposes params as params.data and the request as Kubernetes does", () => {
    const p = compilePolicy(
      "params.yaml",
      policy(
        "params",
        `${DEPLOYMENTS}\n  validations:\n    - expression: object.metadata.namespace in params.data.namespaces.split(',')\n      messageExpression: "request.operation + ' by ' + request.userInfo.username + ' into ' + object.metadata.namespace"`,
        `action: Warn\nparams:\n  namespaces: "shop,search"`,
      ),
    );
    expect(evaluateSubject([p], deployment("web", [])).decision).toBe("allow");
    const other: Subject = { ...deployment("web", []), metadata: { name: "web", namespace: "kube-system" } };
    const evaluation = evaluateSubject([p], other, { request: { operation: "UPDATE", username: "alice" } });
    expect(evaluation.decision).toBe("warn");
    expect(evaluation.results[0]?.message).toBe("UPDATE by alice into kube-system");
  });

  it("gives the same answers through evaluateSubject (subject converted once for all policies) as policy by policy", async () => {
    const { policies } = await loadPolicies(path.resolve(import.meta.dirname, "../../policies"));
    const subjects: Subject[] = [
      deployment("a", [{ name: "app", image: "nginx" }]),
      deployment("b", [{ name: "app", image: "ghcr.io/acme/b:1.0.0", resources: { limits: { cpu: "1", memory: "1Gi" } } }], { securityContext: { runAsNonRoot: true } }),
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "dg==" } },
    ];
    for (const subject of subjects) {
      const together = evaluateSubject(policies, subject);
      const one = policies.filter((p) => p.matches(subject)).flatMap((p) => p.run(subject).violations.map((v) => v.message));
      expect(together.results.map((r) => r.message)).toEqual(one);
    }
  });

  it("matches() compiles each regex once and reports an invalid one as an evaluation error", () => {
    const p = compilePolicy(
      "re.yaml",
      policy("regex", `${DEPLOYMENTS}\n  validations:\n    - expression: object.metadata.name.matches('^[a-z]+$')\n      message: lower-case\n    - expression: object.metadata.name.matches('(')\n      message: never`),
    );
    const evaluation = evaluateSubject([p], deployment("Web", []));
    expect(evaluation.results[0]?.message).toMatch(/^Policy regex could not be evaluated \(.*missing closing \)/);
    const q = compilePolicy("re2.yaml", policy("regex-ok", `${DEPLOYMENTS}\n  validations:\n    - expression: object.metadata.name.matches('^[a-z]+$')\n      message: lower-case`));
    expect(evaluateSubject([q], deployment("Web", [])).results[0]?.message).toBe("lower-case");
    expect(evaluateSubject([q], deployment("web", [])).decision).toBe("allow");
  });

  it("decides deny over warn over allow, and Audit findings do not change the decision", () => {
    const make = (name: string, action: string) => compilePolicy(`${name}.yaml`, policy(name, `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n      message: ${name}`, `action: ${action}`));
    const [deny, warn, audit] = [make("denies", "Deny"), make("warns", "Warn"), make("audits", "Audit")];
    const subject = deployment("web", []);
    expect(evaluateSubject([audit], subject).decision).toBe("allow");
    expect(evaluateSubject([audit], subject).results.map((r) => r.action)).toEqual(["Audit"]);
    expect(evaluateSubject([audit, warn], subject).decision).toBe("warn");
    expect(evaluateSubject([audit, warn, deny], subject).decision).toBe("deny");
    expect(evaluateSubject([audit, warn, deny], subject, { only: ["warns"] }).decision).toBe("warn");
  });
});

describe("waivers", () => {
  const p = compilePolicy("w.yaml", policy("waivable", `${DEPLOYMENTS}\n  validations:\n    - expression: "false"\n      message: always`));
  const subject = deployment("legacy", []);
  const expiresAt = new Date("2026-06-30T00:00:00.000Z");
  const waiver: PolicyWaiver = { id: "w1", policy: "waivable", target: { kind: "Deployment", namespace: "shop", name: "legacy" }, reason: "migration", approver: "carol", expiresAt };
  const at = (iso: string) => evaluateSubject([p], subject, { waivers: [waiver], now: new Date(iso) });

  it("apply until expiresAt and not a millisecond after", () => {
    const before = at("2026-06-29T23:59:59.999Z");
    expect(before.decision).toBe("allow");
    expect(before.results[0]?.exception).toEqual({ id: "w1", reason: "migration", approver: "carol", expiresAt: "2026-06-30T00:00:00.000Z" });
    expect(at("2026-06-30T00:00:00.000Z").decision).toBe("deny");
    expect(at("2026-06-30T00:00:00.001Z").decision).toBe("deny");
    expect(at("2026-06-30T00:00:00.001Z").results[0]?.exception).toBeNull();
  });

  it("match their target: absent, null or * match anything; another policy's waiver does not apply", () => {
    const now = new Date("2026-06-01T00:00:00Z");
    const w = (target: PolicyWaiver["target"], policyName = "waivable"): PolicyWaiver => ({ ...waiver, policy: policyName, target });
    expect(waiverFor([w({})], "waivable", subject, now)).toBeDefined();
    expect(waiverFor([w({ kind: "*", namespace: null, name: "legacy" })], "waivable", subject, now)).toBeDefined();
    expect(waiverFor([w({ namespace: "shop" })], "waivable", subject, now)).toBeDefined();
    expect(waiverFor([w({ namespace: "search" })], "waivable", subject, now)).toBeUndefined();
    expect(waiverFor([w({ kind: "StatefulSet" })], "waivable", subject, now)).toBeUndefined();
    expect(waiverFor([w({}, "other-policy")], "waivable", subject, now)).toBeUndefined();
  });
});
