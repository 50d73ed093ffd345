import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  AlertmanagerWebhookBody,
  ApproveRemediationBody,
  IdParams,
  IncidentDetailDto,
  IncidentDto,
  ListIncidentsQuery,
  ListRemediationsQuery,
  PatchRemediationSettingsBody,
  RemediationDto,
  RemediationSettingsDto,
  WebhookReceipt,
} from "./schemas.ts";

/** The webhook as documented: Alertmanager's body, its own credentials (not a Paved session or API token). */
export const alertmanagerWebhookContract = defineContract({
  method: "POST",
  path: "/api/v1/webhooks/alertmanager",
  tag: "Incidents",
  summary: "Alertmanager's webhook (version 4): firing pages open incidents and start self-healing; resolved alerts close them",
  description:
    "Authenticated by the configured bearer token (`ALERTMANAGER_WEBHOOK_TOKEN`) or basic credentials (`ALERTMANAGER_WEBHOOK_USERNAME`/`_PASSWORD`), " +
    "checked before the body is read: without them 401, and nothing is stored. Idempotent per alert fingerprint, start and status: a repeated delivery stores and runs nothing. " +
    "Answers at once; incidents and playbooks are jobs.",
  access: "public",
  body: AlertmanagerWebhookBody,
  response: WebhookReceipt,
  status: 202,
  errors: ["unauthenticated", "invalid_input", "invalid_json", "payload_too_large", "unsupported_media_type"],
  // Counted per client address before the credentials are checked: a flood, authenticated or not,
  // is refused with 429 before it costs a database write. Alertmanager sends a few a minute.
  rateLimit: { bucket: "webhooks.alertmanager", limit: 600, windowSeconds: 60, by: "address" },
});

/**
 * What the route handler is built from: the same contract without `body`, because the handler
 * checks the webhook's credentials before it reads the body (the wrapper would parse it first).
 */
export const alertmanagerWebhookRoute = { ...alertmanagerWebhookContract, body: undefined };

export const listIncidentsContract = defineContract({
  method: "GET",
  path: "/api/v1/incidents",
  tag: "Incidents",
  summary: "Incidents that started in a time window (default the last 30 days), newest first",
  access: "slos.read",
  query: ListIncidentsQuery,
  response: z.object({ items: z.array(IncidentDto), from: z.string(), to: z.string() }),
});

export const getIncidentContract = defineContract({
  method: "GET",
  path: "/api/v1/incidents/{id}",
  tag: "Incidents",
  summary: "An incident with its timeline of decisions (taken or suppressed, and why) and its remediations",
  access: "slos.read",
  params: IdParams,
  response: IncidentDetailDto,
  errors: ["not_found"],
});

export const listRemediationsContract = defineContract({
  method: "GET",
  path: "/api/v1/remediations",
  tag: "Incidents",
  summary: "Remediations self-healing decided (run, waiting for approval, suppressed, dry runs), newest first",
  access: "slos.read",
  query: ListRemediationsQuery,
  response: z.object({ items: z.array(RemediationDto) }),
});

export const approveRemediationContract = defineContract({
  method: "POST",
  path: "/api/v1/remediations/{id}/approve",
  tag: "Incidents",
  summary: "Approve a remediation waiting for one (a protected environment): the guardrails are checked again, then it runs",
  access: "promotions.execute",
  params: IdParams,
  body: ApproveRemediationBody,
  response: RemediationDto,
  status: 202,
  errors: ["not_found", "conflict", "rule_violation"],
});

export const getRemediationSettingsContract = defineContract({
  method: "GET",
  path: "/api/v1/remediation-settings",
  tag: "Incidents",
  summary: "Self-healing's guardrails: kill switch, dry run, rate limit, cooldown, auto-approve rules",
  access: "slos.read",
  response: RemediationSettingsDto,
});

export const patchRemediationSettingsContract = defineContract({
  method: "PATCH",
  path: "/api/v1/remediation-settings",
  tag: "Incidents",
  summary: "Change self-healing's guardrails (send `revision` to refuse a change against stale settings)",
  access: "slos.write",
  body: PatchRemediationSettingsBody,
  response: RemediationSettingsDto,
  errors: ["conflict"],
});

export const incidentContracts = [
  alertmanagerWebhookContract,
  listIncidentsContract,
  getIncidentContract,
  listRemediationsContract,
  approveRemediationContract,
  getRemediationSettingsContract,
  patchRemediationSettingsContract,
];
