import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  ApproveBody,
  BadVersionBody,
  CreatePromotionBody,
  DeploymentPage,
  DeploymentParams,
  DriftDto,
  DriftParams,
  ListDeploymentsQuery,
  ListPromotionsQuery,
  MatrixDto,
  MatrixQuery,
  PromotionDto,
  PromotionParams,
  WorkflowOutcomeBody,
} from "./schemas.ts";
import { writeStrategyContract } from "./strategy.ts";

export { writeStrategyContract };

export const matrixContract = defineContract({
  method: "GET",
  path: "/api/v1/environments/matrix",
  tag: "Delivery",
  summary: "Every service in every environment: version in git, sync, health, last deployment, drift, pending promotions",
  access: "delivery.read",
  query: MatrixQuery,
  response: MatrixDto,
});

export const createPromotionContract = defineContract({
  method: "POST",
  path: "/api/v1/promotions",
  tag: "Delivery",
  summary: "Ask for services at versions to be promoted to an environment; answers with the diff, the plan and the gates",
  access: "promotions.request",
  body: CreatePromotionBody,
  response: PromotionDto,
  status: 201,
  errors: ["not_found", "rule_violation"],
});

export const listPromotionsContract = defineContract({
  method: "GET",
  path: "/api/v1/promotions",
  tag: "Delivery",
  summary: "Promotions, newest first",
  access: "delivery.read",
  query: ListPromotionsQuery,
  response: z.object({ items: z.array(PromotionDto) }),
});

export const getPromotionContract = defineContract({
  method: "GET",
  path: "/api/v1/promotions/{id}",
  tag: "Delivery",
  summary: "A promotion with its gates, approvals and its run's live step states",
  access: "delivery.read",
  params: PromotionParams,
  response: PromotionDto,
  errors: ["not_found"],
});

export const approvePromotionContract = defineContract({
  method: "POST",
  path: "/api/v1/promotions/{id}/approve",
  tag: "Delivery",
  summary: "Approve a promotion (not your own; approving twice counts once)",
  access: "promotions.approve",
  params: PromotionParams,
  body: ApproveBody,
  response: PromotionDto,
  errors: ["not_found", "conflict"],
});

export const rejectPromotionContract = defineContract({
  method: "POST",
  path: "/api/v1/promotions/{id}/reject",
  tag: "Delivery",
  summary: "Reject a promotion",
  access: "promotions.approve",
  params: PromotionParams,
  body: ApproveBody,
  response: PromotionDto,
  errors: ["not_found", "conflict"],
});

export const executePromotionContract = defineContract({
  method: "POST",
  path: "/api/v1/promotions/{id}/execute",
  tag: "Delivery",
  summary: "Run an approved promotion (gates are checked again); one active run per service and environment",
  access: "promotions.execute",
  params: PromotionParams,
  response: PromotionDto,
  status: 202,
  errors: ["not_found", "conflict", "rule_violation"],
});

export const listDeploymentsContract = defineContract({
  method: "GET",
  path: "/api/v1/deployments",
  tag: "Delivery",
  summary: "Deployments in a time window (default the last 30 days), newest first, a page at a time (keyset: pass `next` as `before`)",
  access: "delivery.read",
  query: ListDeploymentsQuery,
  response: DeploymentPage,
});

export const rollbackDeploymentContract = defineContract({
  method: "POST",
  path: "/api/v1/deployments/{id}/rollback",
  tag: "Delivery",
  summary: "Roll back a deployment (scope service: with its dependents from the same run; scope run: the whole run), dependents first, by reverting in git",
  access: "promotions.execute",
  params: DeploymentParams,
  query: z.object({ scope: z.enum(["service", "run"]).default("service") }),
  response: PromotionDto,
  status: 202,
  errors: ["not_found", "conflict", "rule_violation"],
});

export const listDriftContract = defineContract({
  method: "GET",
  path: "/api/v1/drift",
  tag: "Delivery",
  summary: "Applications whose live state differs from git, with the differing resources",
  access: "delivery.read",
  response: DriftDto,
});

export const reconcileDriftContract = defineContract({
  method: "POST",
  path: "/api/v1/drift/{application}/reconcile",
  tag: "Delivery",
  summary: "Sync an application back to what git says",
  access: "promotions.execute",
  params: DriftParams,
  response: z.object({ application: z.string(), operation: z.string().nullable() }),
  status: 202,
  errors: ["not_found"],
});

export const badVersionContract = defineContract({
  method: "POST",
  path: "/api/v1/sandbox/bad-versions",
  tag: "Sandbox",
  summary: "Sandbox only: mark a version bad (it fails its health check, or serves errors), or good again",
  access: "environments.manage",
  body: BadVersionBody,
  response: z.object({ service: z.string(), version: z.string(), mode: z.string(), bad: z.boolean() }),
  errors: ["not_found"],
});

export const workflowOutcomeContract = defineContract({
  method: "PUT",
  path: "/api/v1/gitops/sandbox/workflow-outcome",
  tag: "Sandbox",
  summary: "Sandbox only: how the local git host plays out a workflow's next runs (the integration tests a promotion waits for): success or failure, and how long they take",
  access: "environments.manage",
  body: WorkflowOutcomeBody,
  response: WorkflowOutcomeBody,
  errors: ["not_found"],
});

export const deliveryContracts = [
  writeStrategyContract,
  matrixContract,
  createPromotionContract,
  listPromotionsContract,
  getPromotionContract,
  approvePromotionContract,
  rejectPromotionContract,
  executePromotionContract,
  listDeploymentsContract,
  rollbackDeploymentContract,
  listDriftContract,
  reconcileDriftContract,
  badVersionContract,
  workflowOutcomeContract,
];
