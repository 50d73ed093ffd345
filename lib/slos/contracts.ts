import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  CommitSloRulesResult,
  CreateSloBody,
  DeleteSloQuery,
  DeleteSloResult,
  ExportSlosQuery,
  ImportSlosQuery,
  ImportSlosResult,
  ListSlosQuery,
  PatchSloBody,
  RulesQuery,
  SloDto,
  SloPage,
  SloParams,
} from "./schemas.ts";

export const listSlosContract = defineContract({
  method: "GET",
  path: "/api/v1/slos",
  tag: "SLOs",
  summary: "List SLOs with their definitions and, when the metrics source answers, their budget and burn rates",
  access: "slos.read",
  query: ListSlosQuery,
  response: SloPage,
});

export const createSloContract = defineContract({
  method: "POST",
  path: "/api/v1/slos",
  tag: "SLOs",
  summary: "Define an SLO for a service (its team, SREs or platform admins)",
  description:
    "Invalid PromQL is refused with 400: `details.issues[]` names the field (e.g. `[\"sli\", \"bad\"]`) with the parser's message, `line` and `column`.",
  access: "slos.define",
  body: CreateSloBody,
  response: SloDto,
  status: 201,
  errors: ["conflict"],
});

export const getSloContract = defineContract({
  method: "GET",
  path: "/api/v1/slos/{id}",
  tag: "SLOs",
  summary: "One SLO with its queries and, when the metrics source answers, its budget and burn rates",
  access: "slos.read",
  params: SloParams,
  response: SloDto,
  errors: ["not_found"],
});

export const patchSloContract = defineContract({
  method: "PATCH",
  path: "/api/v1/slos/{id}",
  tag: "SLOs",
  summary: "Change an SLO; send `revision` to refuse edits against a stale copy",
  access: "slos.define",
  params: SloParams,
  body: PatchSloBody,
  response: SloDto,
  errors: ["not_found", "conflict"],
});

export const deleteSloContract = defineContract({
  method: "DELETE",
  path: "/api/v1/slos/{id}",
  tag: "SLOs",
  summary: "Delete an SLO (its rules disappear from the generated files)",
  access: "slos.define",
  params: SloParams,
  query: DeleteSloQuery,
  response: DeleteSloResult,
  errors: ["not_found", "conflict"],
});

export const sloRulesContract = defineContract({
  method: "GET",
  path: "/api/v1/slos/{id}/rules",
  tag: "SLOs",
  summary: "The SLO's Prometheus recording rules and burn-rate alerts, as a rule file",
  access: "slos.read",
  params: SloParams,
  response: z.string(),
  responseMediaType: "application/yaml",
  errors: ["not_found"],
});

export const allSloRulesContract = defineContract({
  method: "GET",
  path: "/api/v1/slos/rules",
  tag: "SLOs",
  summary: "Every SLO's rules in one Prometheus rule file (for `rule_files`)",
  access: "slos.read",
  query: RulesQuery,
  response: z.string(),
  responseMediaType: "application/yaml",
});

export const importSlosContract = defineContract({
  method: "POST",
  path: "/api/v1/slos/import",
  tag: "SLOs",
  summary: "Import OpenSLO v1 or Sloth prometheus/v1 YAML, all or nothing",
  description:
    "SLOs are matched by service and name: new ones are created, changed ones updated. YAML that does not parse, or PromQL that does not, gets 400 with the line and column; nothing is written unless everything is valid and the caller may change every SLO in the file.",
  access: "slos.define",
  query: ImportSlosQuery,
  body: z.string().meta({ description: "The YAML file." }),
  bodyMediaType: "application/yaml",
  response: ImportSlosResult,
});

export const exportSlosContract = defineContract({
  method: "GET",
  path: "/api/v1/slos/export",
  tag: "SLOs",
  summary: "Export SLOs as OpenSLO v1 YAML (one `kind: SLO` document each)",
  access: "slos.read",
  query: ExportSlosQuery,
  response: z.string(),
  responseMediaType: "application/yaml",
});

export const commitSloRulesContract = defineContract({
  method: "POST",
  path: "/api/v1/slos/rules/commit",
  tag: "SLOs",
  summary: "Commit every SLO's rules to the GitOps repository (monitoring/slos/<service>.yaml, one commit)",
  description:
    "Writes one Prometheus rule file per service with SLOs under `monitoring/slos/` on the default branch, removes the files Paved wrote for services that no longer have SLOs, and commits nothing when the repository already holds exactly these rules. Needs `slos.write`: the files hold every team's rules, whose `automation` labels start self-healing. 422 when there is no GitOps repository.",
  access: "slos.write",
  response: CommitSloRulesResult,
  errors: ["rule_violation", "conflict", "unavailable"],
});

export const slosContracts = [
  listSlosContract,
  createSloContract,
  getSloContract,
  patchSloContract,
  deleteSloContract,
  sloRulesContract,
  allSloRulesContract,
  importSlosContract,
  exportSlosContract,
  commitSloRulesContract,
];
