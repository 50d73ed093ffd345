// Shapes of policies, evaluations, exceptions and compliance for the API and the pages.
import { z } from "zod";

export const SubjectSchema = z
  .object({
    apiVersion: z.string().min(1).max(200),
    kind: z.string().min(1).max(200),
    metadata: z.object({ name: z.string().max(253).optional(), namespace: z.string().max(253).optional() }).passthrough().optional(),
  })
  .passthrough()
  .meta({ id: "PolicySubject", description: "A Kubernetes object, a Paved subject (TemplateInstantiation, Promotion) or a Terraform plan (TerraformPlan)." });

export const EvaluateBody = z.object({ subject: SubjectSchema, operation: z.enum(["CREATE", "UPDATE", "DELETE"]).optional() }).strict();

export const PolicyResultDto = z.object({
  policy: z.string(),
  title: z.string(),
  action: z.enum(["Deny", "Warn", "Audit"]),
  message: z.string(),
  reason: z.string().nullable(),
  error: z.boolean(),
  exception: z.object({ id: z.string(), reason: z.string(), approver: z.string(), expiresAt: z.string() }).nullable(),
});

export const EvaluationDto = z
  .object({ decision: z.enum(["allow", "warn", "deny"]), results: z.array(PolicyResultDto), evaluated: z.array(z.string()) })
  .meta({ id: "PolicyEvaluation" });

export const PolicyDto = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    severity: z.string(),
    action: z.enum(["Deny", "Warn", "Audit"]),
    subjects: z.array(z.object({ apiGroups: z.array(z.string()), resources: z.array(z.string()) })),
    kubernetes: z.boolean().meta({ description: "Exportable as a ValidatingAdmissionPolicy." }),
    file: z.string(),
    source: z.string(),
    params: z.record(z.string(), z.string()).nullable(),
    cases: z.array(z.object({ name: z.string(), expect: z.enum(["allow", "warn", "deny"]), messages: z.array(z.string()) })).meta({ description: "The policy's test cases (run by npm run policies:test)." }),
  })
  .meta({ id: "Policy" });
export type PolicyDto = z.infer<typeof PolicyDto>;

export const PolicyLoadErrorDto = z.object({ file: z.string(), line: z.number().int().nullable(), message: z.string() }).meta({ id: "PolicyLoadError" });

export const ExceptionDto = z
  .object({
    id: z.string(),
    policy: z.string(),
    target: z.object({ kind: z.string().nullable(), namespace: z.string().nullable(), name: z.string().nullable() }),
    reason: z.string(),
    approver: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .meta({ id: "PolicyException" });
export type ExceptionDto = z.infer<typeof ExceptionDto>;

const targetPart = z
  .string()
  .trim()
  .max(253)
  .regex(/^[A-Za-z0-9.*@_:/-]*$/, "letters, digits and . - _ / : @ *")
  .optional();

export const CreateExceptionBody = z
  .object({
    policy: z.string().min(2).max(120),
    target: z.object({ kind: targetPart, namespace: targetPart, name: targetPart }).strict(),
    reason: z.string().trim().min(10, "Say why, in at least 10 characters.").max(2000),
    expiresAt: z.iso.datetime({ offset: true }).meta({ description: "When it stops applying; at most a year ahead." }),
  })
  .strict();

export const ExceptionParams = z.object({ id: z.uuid("an exception id") });

export const ComplianceScopeDto = z.object({ key: z.string(), evaluations: z.number().int(), passed: z.number().int(), percent: z.number().nullable() });

export const ComplianceDto = z
  .object({
    lastRun: z
      .object({ id: z.string(), startedAt: z.string(), finishedAt: z.string().nullable(), subjects: z.number().int(), evaluations: z.number().int(), passed: z.number().int(), waived: z.number().int(), error: z.string().nullable() })
      .nullable(),
    overall: ComplianceScopeDto.nullable(),
    byTeam: z.array(ComplianceScopeDto),
    byPolicy: z.array(ComplianceScopeDto),
    byEnvironment: z.array(ComplianceScopeDto),
    trend: z.array(z.object({ takenAt: z.string(), percent: z.number().nullable() })),
  })
  .meta({ id: "Compliance" });
export type ComplianceDto = z.infer<typeof ComplianceDto>;

export const ViolationDto = z.object({
  id: z.string(),
  policy: z.string(),
  action: z.string(),
  message: z.string(),
  source: z.string(),
  environment: z.string().nullable(),
  team: z.string().nullable(),
  subject: z.object({ kind: z.string(), name: z.string(), namespace: z.string().nullable() }),
  file: z.string().nullable(),
  line: z.number().int().nullable(),
  exceptionId: z.string().nullable(),
});
export type ViolationDto = z.infer<typeof ViolationDto>;

export const ViolationsQuery = z.object({
  policy: z.string().max(63).optional(),
  team: z.string().max(40).optional(),
  environment: z.string().max(40).optional(),
  waived: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
