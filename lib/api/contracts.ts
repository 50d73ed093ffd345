// Every API contract, in one list: the OpenAPI document, the route × role test and the
// route-file check all walk it.
import { z } from "zod";
import type { Contract } from "../core/http/contract.ts";
import { defineContract } from "../core/http/contract.ts";
import { jobsContracts } from "../core/jobs/contracts.ts";
import { auditContracts } from "../audit/contracts.ts";
import { orgContracts } from "../org/contracts.ts";
import { servicesContracts } from "../services/contracts.ts";
import { gitopsContracts } from "../gitops/environments.ts";
import { deliveryContracts } from "../delivery/contracts.ts";
import { incidentContracts } from "../incidents/contracts.ts";
import { metricsContracts } from "../metrics/contracts.ts";
import { slosContracts } from "../slos/contracts.ts";
import { insightsContracts } from "../insights/contracts.ts";
import { templateContracts } from "../templates/contracts.ts";
import { mergeSandboxPullContract } from "../sandbox/pull-requests.ts";
import { policyContracts } from "../policies/contracts.ts";
import { healthContract } from "./health.ts";

export const openApiContract = defineContract({
  method: "GET",
  path: "/api/v1/openapi.json",
  tag: "Platform",
  summary: "This API's OpenAPI 3.1 document",
  access: "public",
  response: z.record(z.string(), z.unknown()),
  raw: true,
});

export const ALL_CONTRACTS: readonly Contract[] = [
  healthContract,
  openApiContract,
  ...orgContracts,
  ...auditContracts,
  ...jobsContracts,
  ...templateContracts,
  mergeSandboxPullContract,
  ...policyContracts,
  ...servicesContracts,
  ...gitopsContracts,
  ...deliveryContracts,
  ...incidentContracts,
  ...metricsContracts,
  ...slosContracts,
  ...insightsContracts,
] as readonly Contract[];
