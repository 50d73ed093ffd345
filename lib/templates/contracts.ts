// HTTP contracts of the template catalog.
import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  AdoptionDto,
  BulkUpgradeDto,
  InstanceDto,
  InstanceParams,
  InstantiateBody,
  LifecycleBody,
  ListInstancesQuery,
  ListTemplatesQuery,
  PreviewBody,
  PreviewDto,
  TemplateDetailDto,
  TemplateParams,
  TemplateSummaryDto,
  TemplateVersionParams,
  UpgradeBody,
  VersionSummaryDto,
} from "./schemas.ts";

export const listTemplatesContract = defineContract({
  method: "GET",
  path: "/api/v1/templates",
  tag: "Catalog",
  summary: "Search the template catalog",
  description: "Every word of `q` must appear in the name, title, description or tags.",
  access: "catalog.read",
  query: ListTemplatesQuery,
  response: z.object({ items: z.array(TemplateSummaryDto) }),
});

export const getTemplateContract = defineContract({
  method: "GET",
  path: "/api/v1/templates/{name}",
  tag: "Catalog",
  summary: "A template with its versions and the default version's docs and parameters",
  access: "catalog.read",
  params: TemplateParams,
  query: z.object({ version: z.string().max(64).optional() }),
  response: TemplateDetailDto,
  errors: ["not_found"],
});

export const previewTemplateContract = defineContract({
  method: "POST",
  path: "/api/v1/templates/{name}/preview",
  tag: "Catalog",
  summary: "Render a template: the exact files, and their diff against the target repository",
  access: "catalog.read",
  params: TemplateParams,
  body: PreviewBody,
  response: PreviewDto,
  errors: ["not_found"],
});

export const instantiateTemplateContract = defineContract({
  method: "POST",
  path: "/api/v1/templates/{name}/instantiate",
  tag: "Catalog",
  summary: "Instantiate a template into a repository",
  description:
    "Queues a job that opens a pull request on branch `paved/<template>-<version>` (or creates the repository with `target.create`). Answers 202 with the instance; follow it with `GET /api/v1/template-instances/{id}`. The same request twice answers the same instance.",
  access: "templates.instantiate",
  params: TemplateParams,
  body: InstantiateBody,
  response: InstanceDto,
  status: 202,
  errors: ["not_found", "conflict", "rule_violation"],
});

export const setLifecycleContract = defineContract({
  method: "PUT",
  path: "/api/v1/templates/{name}/versions/{version}/lifecycle",
  tag: "Catalog",
  summary: "Move a template version through its lifecycle",
  description: "experimental, stable, deprecated (instantiable, with a warning) or retired (refused with 422).",
  access: "templates.manage",
  params: TemplateVersionParams,
  body: LifecycleBody,
  response: VersionSummaryDto,
  errors: ["not_found"],
});

export const bulkUpgradeContract = defineContract({
  method: "POST",
  path: "/api/v1/templates/{name}/upgrades",
  tag: "Catalog",
  summary: "Open upgrade pull requests for every instance on an older version",
  access: "templates.manage",
  params: TemplateParams,
  body: UpgradeBody,
  response: BulkUpgradeDto,
  status: 202,
  errors: ["not_found"],
});

export const listInstancesContract = defineContract({
  method: "GET",
  path: "/api/v1/template-instances",
  tag: "Catalog",
  summary: "Template instances: which repository runs which template version",
  access: "catalog.read",
  query: ListInstancesQuery,
  response: z.object({ items: z.array(InstanceDto) }),
});

export const getInstanceContract = defineContract({
  method: "GET",
  path: "/api/v1/template-instances/{id}",
  tag: "Catalog",
  summary: "One template instance, with its pull request and upgrades",
  access: "catalog.read",
  params: InstanceParams,
  response: InstanceDto,
  errors: ["not_found"],
});

export const upgradeInstanceContract = defineContract({
  method: "POST",
  path: "/api/v1/template-instances/{id}/upgrade",
  tag: "Catalog",
  summary: "Open an upgrade pull request for an instance",
  access: "templates.instantiate",
  params: InstanceParams,
  body: UpgradeBody,
  response: InstanceDto,
  status: 202,
  errors: ["not_found", "conflict", "rule_violation"],
});

export const getAdoptionContract = defineContract({
  method: "GET",
  path: "/api/v1/adoption",
  tag: "Catalog",
  summary: "What the last adoption scan found",
  access: "catalog.read",
  query: z.object({ template: z.string().max(63).optional() }),
  response: AdoptionDto,
});

export const scanAdoptionContract = defineContract({
  method: "POST",
  path: "/api/v1/adoption/scan",
  tag: "Catalog",
  summary: "Scan every repository for catalog templates in use",
  access: "templates.manage",
  response: z.object({ jobId: z.string().nullable() }),
  status: 202,
});

export const templateContracts = [
  listTemplatesContract,
  getTemplateContract,
  previewTemplateContract,
  instantiateTemplateContract,
  setLifecycleContract,
  bulkUpgradeContract,
  listInstancesContract,
  getInstanceContract,
  upgradeInstanceContract,
  getAdoptionContract,
  scanAdoptionContract,
];
