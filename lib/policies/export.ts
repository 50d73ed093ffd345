// Kubernetes-subject policies as real admission policies, so that one rule is enforced in the
// portal and in the cluster: per policy a ValidatingAdmissionPolicy (its spec as the policy file
// has it), a ValidatingAdmissionPolicyBinding carrying the action, and, when the policy has
// parameters, the ConfigMap the binding points at (in the `paved-policies` namespace, which is
// exported too). Policies about Paved's own subjects (paved.dev, terraform.paved.dev) have no
// admission request to bind to and are left out.
import YAML from "yaml";
import type { CompiledPolicy } from "./engine.ts";
import type { PolicyAction } from "./format.ts";

export const PARAMS_NAMESPACE = "paved-policies";
export const ADMISSION_API_VERSION = "admissionregistration.k8s.io/v1";

export interface ExportedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const LABELS = { "app.kubernetes.io/managed-by": "paved", "app.kubernetes.io/part-of": "paved-policies" };

/**
 * The binding's validationActions for a policy's action. Deny also audits, so that the cluster's
 * audit log records every refusal with the policy's message (Kubernetes forbids Deny with Warn,
 * which would say it twice).
 */
export function validationActionsFor(action: PolicyAction): ("Deny" | "Warn" | "Audit")[] {
  switch (action) {
    case "Deny":
      return ["Deny", "Audit"];
    case "Warn":
      return ["Warn"];
    case "Audit":
      return ["Audit"];
  }
}

export function paramsConfigMapName(policy: string): string {
  return `${policy}-params`;
}

/** Every admission object of the policies that concern Kubernetes objects, in apply order. */
export function exportAdmissionPolicies(policies: readonly CompiledPolicy[]): ExportedObject[] {
  const objects: ExportedObject[] = [];
  const kubernetes = policies.filter((p) => p.kubernetes);
  if (kubernetes.some((p) => p.definition.params)) {
    objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: PARAMS_NAMESPACE, labels: { ...LABELS } } });
  }
  for (const p of kubernetes) {
    const params = p.definition.params;
    const annotations = {
      "paved.dev/title": p.title,
      "paved.dev/description": p.description,
      "paved.dev/category": p.category,
      "paved.dev/severity": p.severity,
      "paved.dev/action": p.action,
    };
    objects.push({
      apiVersion: ADMISSION_API_VERSION,
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: p.name, labels: { ...LABELS }, annotations },
      spec: {
        ...structuredClone(p.definition.spec),
        ...(params && !p.definition.spec.paramKind ? { paramKind: { apiVersion: "v1", kind: "ConfigMap" } } : {}),
      },
    });
    if (params) {
      objects.push({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: paramsConfigMapName(p.name), namespace: PARAMS_NAMESPACE, labels: { ...LABELS } },
        data: { ...params },
      });
    }
    objects.push({
      apiVersion: ADMISSION_API_VERSION,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: `${p.name}-binding`, labels: { ...LABELS } },
      spec: {
        policyName: p.name,
        validationActions: validationActionsFor(p.action),
        // A missing ConfigMap denies rather than letting everything through.
        ...(params ? { paramRef: { name: paramsConfigMapName(p.name), namespace: PARAMS_NAMESPACE, parameterNotFoundAction: "Deny" } } : {}),
      },
    });
  }
  return objects;
}

/** Multi-document YAML, ready for `kubectl apply -f -`. */
export function admissionPoliciesYaml(objects: readonly ExportedObject[], header?: string): string {
  const docs = objects.map((o) => YAML.stringify(o, { lineWidth: 0 }));
  return `${header ? `${header.split("\n").map((l) => `# ${l}`.trimEnd()).join("\n")}\n` : ""}${docs.join("---\n")}`;
}
