// Exported admission policies are valid Kubernetes objects: checked with kubernetes-models'
// validators (generated from Kubernetes' OpenAPI schema for admissionregistration.k8s.io/v1),
// plus by hand the rules the API server enforces that the schema does not carry (enums left
// out of the OpenAPI, Deny with Warn, paramRef, unknown fields), and the CEL they carry uses
// only what Kubernetes' CEL environment has.
import { parse } from "@bufbuild/cel";
import { ValidatingAdmissionPolicy } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy";
import { ValidatingAdmissionPolicyBinding } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadPolicies, type CompiledPolicy } from "./engine.ts";
import { PARAMS_NAMESPACE, admissionPoliciesYaml, exportAdmissionPolicies, validationActionsFor, type ExportedObject } from "./export.ts";

const root = path.resolve(import.meta.dirname, "../..");
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CEL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

// Functions of Kubernetes' CEL environment for admission (standard CEL, the strings extension,
// and Kubernetes' own libraries: lists, regex, URLs, IPs/CIDRs, quantities, authorizer, format).
const KUBERNETES_CEL_FUNCTIONS = new Set([
  ...["size", "contains", "startsWith", "endsWith", "matches", "int", "uint", "double", "string", "bytes", "bool", "dyn", "type", "duration", "timestamp"],
  ...["getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours", "getMilliseconds", "getMinutes", "getMonth", "getSeconds"],
  ...["charAt", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "replace", "split", "substring", "trim", "join", "format", "quote", "reverse"],
  ...["isSorted", "sum", "min", "max", "find", "findAll", "url", "isURL", "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery"],
  ...["ip", "isIP", "cidr", "isCIDR", "quantity", "isQuantity", "isLessThan", "isGreaterThan", "compareTo", "add", "sub", "sign", "asInteger", "asApproximateFloat", "isInteger"],
]);

function functionsOf(expression: string): string[] {
  const out = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== "object" || node === null) return;
    const record = node as Record<string, unknown>;
    if (record.$typeName === "cel.expr.Expr.Call" && typeof record.function === "string" && /^[A-Za-z]/.test(record.function)) out.add(record.function);
    Object.values(record).forEach(walk);
  };
  walk(parse(expression).expr);
  return [...out];
}

describe("exported admission policies", () => {
  let policies: CompiledPolicy[];
  let objects: ExportedObject[];
  beforeAll(async () => {
    const loaded = await loadPolicies(path.join(root, "policies"));
    expect(loaded.errors).toEqual([]);
    policies = loaded.policies;
    objects = exportAdmissionPolicies(policies);
  });
  const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);

  it("cover every Kubernetes-subject policy and skip Paved's own subjects", () => {
    expect(ofKind("ValidatingAdmissionPolicy").map((o) => o.metadata.name)).toEqual(policies.filter((p) => p.kubernetes).map((p) => p.name));
    expect(ofKind("ValidatingAdmissionPolicy").map((o) => o.metadata.name)).toEqual([
      "disallow-latest-tag",
      "disallow-plain-secrets",
      "require-internal-load-balancer",
      "require-resource-limits",
      "require-run-as-non-root",
      "require-workload-labels",
      "restrict-image-registries",
    ]);
    for (const p of policies.filter((x) => !x.kubernetes)) expect(objects.some((o) => o.metadata.name.startsWith(p.name))).toBe(false);
    expect(objects[0]).toMatchObject({ apiVersion: "v1", kind: "Namespace", metadata: { name: PARAMS_NAMESPACE } });
  });

  it("validate against Kubernetes' schema (kubernetes-models)", () => {
    const models: Record<string, new (data: never) => { validate(): void }> = {
      ValidatingAdmissionPolicy,
      ValidatingAdmissionPolicyBinding,
      ConfigMap,
      Namespace,
    };
    for (const o of objects) {
      const Model = models[o.kind];
      expect(Model, o.kind).toBeDefined();
      if (Model) expect(() => new Model(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it("the validators do catch a broken object (so the check above means something)", () => {
    const vap = structuredClone(ofKind("ValidatingAdmissionPolicy")[0]) as ExportedObject & { spec: { validations: { expression?: string }[] } };
    delete vap.spec.validations[0]?.expression;
    expect(() => new ValidatingAdmissionPolicy(vap as never).validate()).toThrow(/expression/);
    const binding = { ...ofKind("ValidatingAdmissionPolicyBinding")[0], spec: { policyName: "x", validationActions: ["Refuse"] } };
    expect(() => new ValidatingAdmissionPolicyBinding(binding as never).validate()).toThrow(/validationActions/);
  });

  it("copy the policy's spec unchanged, adding paramKind when it has parameters", () => {
    for (const p of policies.filter((x) => x.kubernetes)) {
      const vap = objects.find((o) => o.kind === "ValidatingAdmissionPolicy" && o.metadata.name === p.name);
      const expected = p.definition.params ? { ...p.definition.spec, paramKind: { apiVersion: "v1", kind: "ConfigMap" } } : p.definition.spec;
      expect(vap?.spec, p.name).toEqual(expected);
      expect(vap?.apiVersion).toBe("admissionregistration.k8s.io/v1");
    }
  });

  it("bind each policy with its action, and its parameters through a ConfigMap that denies when missing", () => {
    expect(validationActionsFor("Deny")).toEqual(["Deny", "Audit"]);
    expect(validationActionsFor("Warn")).toEqual(["Warn"]);
    expect(validationActionsFor("Audit")).toEqual(["Audit"]);
    for (const p of policies.filter((x) => x.kubernetes)) {
      const binding = objects.find((o) => o.kind === "ValidatingAdmissionPolicyBinding" && (o.spec as { policyName: string }).policyName === p.name);
      expect(binding?.metadata.name).toBe(`${p.name}-binding`);
      const spec = binding?.spec as { validationActions: string[]; paramRef?: Record<string, string> };
      expect(spec.validationActions).toEqual(validationActionsFor(p.action));
      if (p.definition.params) {
        expect(spec.paramRef).toEqual({ name: `${p.name}-params`, namespace: PARAMS_NAMESPACE, parameterNotFoundAction: "Deny" });
        const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === `${p.name}-params`);
        expect(configMap).toMatchObject({ metadata: { namespace: PARAMS_NAMESPACE }, data: p.definition.params });
      } else expect(spec.paramRef).toBeUndefined();
    }
    expect(ofKind("ConfigMap").map((o) => o.metadata.name)).toEqual(["require-workload-labels-params", "restrict-image-registries-params"]);
  });

  it("follow the API server's rules that the schema does not carry (checked by hand)", () => {
    for (const o of objects) {
      expect(o.metadata.name, o.kind).toMatch(DNS_SUBDOMAIN);
      expect(o.metadata.name.length).toBeLessThanOrEqual(253);
    }
    for (const o of ofKind("ValidatingAdmissionPolicyBinding")) {
      const spec = o.spec as { policyName: string; validationActions: string[]; paramRef?: { name?: string; selector?: unknown; parameterNotFoundAction?: string } };
      expect(Object.keys(o.spec as object).sort()).toEqual(spec.paramRef ? ["paramRef", "policyName", "validationActions"] : ["policyName", "validationActions"]);
      expect(new Set(spec.validationActions).size).toBe(spec.validationActions.length);
      expect(spec.validationActions.includes("Deny") && spec.validationActions.includes("Warn")).toBe(false);
      if (spec.paramRef) {
        expect((spec.paramRef.name === undefined) !== (spec.paramRef.selector === undefined)).toBe(true);
        expect(["Allow", "Deny"]).toContain(spec.paramRef.parameterNotFoundAction);
      }
    }
    for (const o of ofKind("ValidatingAdmissionPolicy")) {
      const spec = o.spec as {
        failurePolicy: string;
        matchConstraints: { resourceRules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[] };
        matchConditions: { name: string; expression: string }[];
        variables: { name: string; expression: string }[];
        validations: { expression: string; message?: string; messageExpression?: string; reason?: string }[];
      };
      expect(Object.keys(spec).every((k) => ["failurePolicy", "matchConstraints", "matchConditions", "variables", "validations", "paramKind", "auditAnnotations"].includes(k))).toBe(true);
      expect(["Fail", "Ignore"]).toContain(spec.failurePolicy);
      for (const rule of spec.matchConstraints.resourceRules) {
        for (const list of [rule.apiGroups, rule.apiVersions, rule.operations, rule.resources]) {
          expect(list.length).toBeGreaterThan(0);
          if (list.includes("*")) expect(list).toHaveLength(1);
        }
        for (const op of rule.operations) expect(["*", "CREATE", "UPDATE", "DELETE", "CONNECT"]).toContain(op);
      }
      expect(spec.matchConditions.length).toBeLessThanOrEqual(64);
      expect(new Set(spec.matchConditions.map((c) => c.name)).size).toBe(spec.matchConditions.length);
      for (const c of spec.matchConditions) expect(c.name).toMatch(QUALIFIED_NAME);
      expect(new Set(spec.variables.map((v) => v.name)).size).toBe(spec.variables.length);
      for (const v of spec.variables) expect(v.name).toMatch(CEL_IDENTIFIER);
      expect(spec.validations.length).toBeGreaterThan(0);
      for (const v of spec.validations) {
        if (v.reason) expect(["Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"]).toContain(v.reason);
        if (v.message) expect(v.message).not.toMatch(/\n/);
      }
    }
  });

  it("carry CEL that Kubernetes' environment can compile: only its functions", () => {
    for (const o of ofKind("ValidatingAdmissionPolicy")) {
      const spec = o.spec as { matchConditions: { expression: string }[]; variables: { expression: string }[]; validations: { expression: string; messageExpression?: string }[] };
      const expressions = [...spec.matchConditions.map((c) => c.expression), ...spec.variables.map((v) => v.expression), ...spec.validations.flatMap((v) => [v.expression, ...(v.messageExpression ? [v.messageExpression] : [])])];
      for (const e of expressions) for (const fn of functionsOf(e)) expect(KUBERNETES_CEL_FUNCTIONS.has(fn), `${o.metadata.name}: ${fn}()`).toBe(true);
    }
  });

  it("carry no map literals: Kubernetes compiles CEL with homogeneous aggregate literals, where a map of mixed values is a type error", () => {
    for (const o of ofKind("ValidatingAdmissionPolicy")) {
      const spec = o.spec as { matchConditions: { expression: string }[]; variables: { expression: string }[]; validations: { expression: string; messageExpression?: string }[] };
      const expressions = [...spec.matchConditions.map((c) => c.expression), ...spec.variables.map((v) => v.expression), ...spec.validations.flatMap((v) => [v.expression, v.messageExpression ?? "true"])];
      for (const e of expressions) expect(JSON.stringify(parse(e).expr, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)), `${o.metadata.name}: ${e}`).not.toContain("cel.expr.Expr.CreateStruct");
    }
  });

  it("print as multi-document YAML that reads back to the same objects", () => {
    const yaml = admissionPoliciesYaml(objects, "Generated for a test");
    expect(yaml.startsWith("# Generated for a test\napiVersion: v1\nkind: Namespace\n")).toBe(true);
    expect(YAML.parseAllDocuments(yaml).map((d) => d.toJS())).toEqual(objects);
  });

  it("export nothing, not even the namespace, when no policy concerns Kubernetes", () => {
    expect(exportAdmissionPolicies(policies.filter((p) => !p.kubernetes))).toEqual([]);
  });
});
