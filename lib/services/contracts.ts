import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  CreateServiceBody,
  DeleteServiceQuery,
  DeleteServiceResult,
  DependenciesResult,
  ExportQuery,
  GraphDto,
  ImportQuery,
  ImportResult,
  ListServicesQuery,
  PatchServiceBody,
  PlanBody,
  PlanDto,
  PutDependenciesBody,
  ServiceDto,
  ServicePage,
  ServiceParams,
} from "./schemas.ts";

export const listServicesContract = defineContract({
  method: "GET",
  path: "/api/v1/services",
  tag: "Services",
  summary: "List services with their owners and dependencies, a page at a time",
  access: "services.read",
  query: ListServicesQuery,
  response: ServicePage,
});

export const createServiceContract = defineContract({
  method: "POST",
  path: "/api/v1/services",
  tag: "Services",
  summary: "Create a service (owning team or an organisation-wide role)",
  access: "services.write",
  body: CreateServiceBody,
  response: ServiceDto,
  status: 201,
  errors: ["not_found", "conflict"],
});

export const getServiceContract = defineContract({
  method: "GET",
  path: "/api/v1/services/{name}",
  tag: "Services",
  summary: "One service",
  access: "services.read",
  params: ServiceParams,
  response: ServiceDto,
  errors: ["not_found"],
});

export const patchServiceContract = defineContract({
  method: "PATCH",
  path: "/api/v1/services/{name}",
  tag: "Services",
  summary: "Change a service's fields; send `revision` to refuse edits against a stale copy",
  access: "services.write",
  params: ServiceParams,
  body: PatchServiceBody,
  response: ServiceDto,
  errors: ["not_found", "conflict"],
});

export const deleteServiceContract = defineContract({
  method: "DELETE",
  path: "/api/v1/services/{name}",
  tag: "Services",
  summary: "Delete a service; refused with the list of its dependents unless force=true",
  access: "services.write",
  params: ServiceParams,
  query: DeleteServiceQuery,
  response: DeleteServiceResult,
  errors: ["not_found", "conflict"],
});

export const putDependenciesContract = defineContract({
  method: "PUT",
  path: "/api/v1/services/{name}/dependencies",
  tag: "Services",
  summary: "Replace what a service depends on; a cycle is refused with 409 and the cycle",
  description: "`details.cycle` lists the cycle the change would close, e.g. `[\"database\", \"worker-service\", \"database\"]`.",
  access: "services.write",
  params: ServiceParams,
  body: PutDependenciesBody,
  response: DependenciesResult,
  errors: ["not_found", "conflict"],
});

export const getGraphContract = defineContract({
  method: "GET",
  path: "/api/v1/graph",
  tag: "Services",
  summary: "The whole dependency graph with its revision",
  access: "services.read",
  response: GraphDto,
});

export const importGraphContract = defineContract({
  method: "POST",
  path: "/api/v1/graph/import",
  tag: "Services",
  summary: "Import deployment-config.yaml or a Backstage catalog (YAML body), all or nothing",
  description:
    "Services in the file are created or updated and their dependency lists replaced; others are left alone. YAML that does not parse gets 400 with its line and column; a cycle gets 409 with the cycle; nothing is written unless everything is valid.",
  access: "services.write",
  query: ImportQuery,
  body: z.string().meta({ description: "The YAML file." }),
  bodyMediaType: "application/yaml",
  response: ImportResult,
  errors: ["conflict"],
});

export const exportGraphContract = defineContract({
  method: "GET",
  path: "/api/v1/graph/export",
  tag: "Services",
  summary: "Export the graph as deployment-config.yaml",
  access: "services.read",
  query: ExportQuery,
  response: z.string(),
  responseMediaType: "application/yaml",
});

export const createPlanContract = defineContract({
  method: "POST",
  path: "/api/v1/plans",
  tag: "Services",
  summary: "Plan a deployment or rollback: waves in dependency order and what each service waits for",
  description:
    "Plans every service of the environment, or the ones named, or the ones whose path globs match `changedFiles` (optionally with their dependents). Planning writes nothing.",
  access: "services.read",
  body: PlanBody,
  response: PlanDto,
  errors: ["not_found", "conflict"],
});

export const servicesContracts = [
  listServicesContract,
  createServiceContract,
  getServiceContract,
  patchServiceContract,
  deleteServiceContract,
  putDependenciesContract,
  getGraphContract,
  importGraphContract,
  exportGraphContract,
  createPlanContract,
];
