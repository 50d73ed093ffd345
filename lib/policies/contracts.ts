// HTTP contracts of policy as code.
import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  ComplianceDto,
  CreateExceptionBody,
  EvaluateBody,
  EvaluationDto,
  ExceptionDto,
  ExceptionParams,
  PolicyDto,
  PolicyLoadErrorDto,
  ViolationDto,
  ViolationsQuery,
} from "./schemas.ts";

export const listPoliciesContract = defineContract({
  method: "GET",
  path: "/api/v1/policies",
  tag: "Governance",
  summary: "The policies in force, with their source, and those that failed to load",
  access: "governance.read",
  response: z.object({ items: z.array(PolicyDto), errors: z.array(PolicyLoadErrorDto) }),
});

export const evaluatePolicyContract = defineContract({
  method: "POST",
  path: "/api/v1/policies/evaluate",
  tag: "Governance",
  summary: "Evaluate a subject against every policy",
  description:
    "The subject is a Kubernetes object, a Paved subject (TemplateInstantiation, Promotion) or a Terraform plan (`terraform show -json` output with apiVersion `terraform.paved.dev/v1`, kind `TerraformPlan`). Exceptions in force are applied.",
  access: "governance.read",
  body: EvaluateBody,
  response: EvaluationDto,
});

export const listExceptionsContract = defineContract({
  method: "GET",
  path: "/api/v1/policy-exceptions",
  tag: "Governance",
  summary: "Policy exceptions (waivers), active, expired and revoked",
  access: "governance.read",
  query: z.object({ policy: z.string().max(63).optional() }),
  response: z.object({ items: z.array(ExceptionDto) }),
});

export const createExceptionContract = defineContract({
  method: "POST",
  path: "/api/v1/policy-exceptions",
  tag: "Governance",
  summary: "Grant a policy exception for a target, with a reason and an expiry",
  access: "policies.manage",
  body: CreateExceptionBody,
  response: ExceptionDto,
  status: 201,
  errors: ["not_found", "conflict"],
});

export const revokeExceptionContract = defineContract({
  method: "DELETE",
  path: "/api/v1/policy-exceptions/{id}",
  tag: "Governance",
  summary: "Revoke a policy exception before it expires",
  access: "policies.manage",
  params: ExceptionParams,
  response: ExceptionDto,
  errors: ["not_found"],
});

export const complianceContract = defineContract({
  method: "GET",
  path: "/api/v1/compliance",
  tag: "Governance",
  summary: "Compliance overall, per team, per policy and per environment, with its trend",
  access: "governance.read",
  response: ComplianceDto,
});

export const violationsContract = defineContract({
  method: "GET",
  path: "/api/v1/compliance/violations",
  tag: "Governance",
  summary: "What the last compliance scan found, with file and line",
  access: "governance.read",
  query: ViolationsQuery,
  response: z.object({ items: z.array(ViolationDto) }),
});

export const scanComplianceContract = defineContract({
  method: "POST",
  path: "/api/v1/compliance/scan",
  tag: "Governance",
  summary: "Run the compliance scan now",
  access: "policies.manage",
  response: z.object({ jobId: z.string().nullable() }),
  status: 202,
});

export const policyContracts = [
  listPoliciesContract,
  evaluatePolicyContract,
  listExceptionsContract,
  createExceptionContract,
  revokeExceptionContract,
  complianceContract,
  violationsContract,
  scanComplianceContract,
];
