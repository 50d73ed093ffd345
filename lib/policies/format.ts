// The shape of a policy file in policies/: a Kubernetes ValidatingAdmissionPolicy (its `spec` is a
// real VAP spec, so a policy over Kubernetes objects can be exported unchanged for in-cluster
// admission) plus what Paved needs around it: a title and description, the action (Deny, Warn,
// Audit — in Kubernetes it sits on the binding), and parameters (a ConfigMap's `data`, which the
// exported binding points at).
import { z } from "zod";

export const ACTIONS = ["Deny", "Warn", "Audit"] as const;
export type PolicyAction = (typeof ACTIONS)[number];

const ResourceRule = z
  .object({
    apiGroups: z.array(z.string()).min(1),
    apiVersions: z.array(z.string()).default(["*"]),
    operations: z.array(z.enum(["CREATE", "UPDATE", "DELETE", "CONNECT", "*"])).default(["*"]),
    resources: z.array(z.string()).min(1),
    scope: z.enum(["Cluster", "Namespaced", "*"]).optional(),
  })
  .strict();

const Validation = z
  .object({
    expression: z.string().min(1),
    message: z.string().optional(),
    messageExpression: z.string().optional(),
    reason: z.enum(["Unauthorized", "Forbidden", "Invalid", "RequestEntityTooLarge"]).optional(),
  })
  .strict()
  .refine((v) => v.message !== undefined || v.messageExpression !== undefined, "a validation needs a message or a messageExpression");

export const PolicyFile = z
  .object({
    apiVersion: z.literal("paved.dev/v1"),
    kind: z.literal("Policy"),
    metadata: z
      .object({
        name: z
          .string()
          .min(2)
          .max(63)
          .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lower-case letters, digits and single hyphens"),
        title: z.string().min(1).max(120),
        description: z.string().min(1).max(2000),
        category: z.enum(["security", "reliability", "cost", "compliance", "delivery", "supply-chain"]).default("security"),
        severity: z.enum(["low", "medium", "high", "critical"]).default("medium"),
      })
      .strict(),
    /** What happens when a validation fails: Deny refuses, Warn lets it through with a warning, Audit only records. */
    action: z.enum(ACTIONS),
    /** Parameters, exposed to expressions as `params.data.<key>` (a ConfigMap's data: strings). */
    params: z.record(z.string(), z.string()).optional(),
    /** A ValidatingAdmissionPolicy spec. */
    spec: z
      .object({
        failurePolicy: z.enum(["Fail", "Ignore"]).default("Fail"),
        matchConstraints: z.object({ resourceRules: z.array(ResourceRule).min(1) }).passthrough(),
        matchConditions: z.array(z.object({ name: z.string(), expression: z.string() }).strict()).default([]),
        variables: z.array(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), expression: z.string() }).strict()).default([]),
        validations: z.array(Validation).min(1),
        paramKind: z.object({ apiVersion: z.string(), kind: z.string() }).strict().optional(),
      })
      .strict(),
  })
  .strict();

export type PolicyFile = z.infer<typeof PolicyFile>;

/** What a policy evaluates: a Kubernetes-style object (apiVersion, kind, metadata, …). */
export interface Subject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** The API group of an apiVersion ("apps/v1" → "apps", "v1" → ""). */
export function apiGroupOf(apiVersion: string): string {
  return apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
}

/** Kinds whose resource name is not the regular plural. */
const IRREGULAR: Record<string, string> = { Endpoints: "endpoints", PodSecurityPolicy: "podsecuritypolicies", ComponentStatus: "componentstatuses" };

/** The resource name of a kind, as Kubernetes pluralises the common ones. */
export function resourceOf(kind: string): string {
  const irregular = IRREGULAR[kind];
  if (irregular) return irregular;
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
