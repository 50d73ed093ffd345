// Shapes of the Alertmanager webhook, incidents, remediations and the guardrails' settings.
import { z } from "zod";

// ---- Alertmanager's webhook (version 4) --------------------------------------------------------

const LabelSet = z.record(z.string(), z.string());

/** RFC 3339 as Alertmanager writes it (nanoseconds allowed); its zero time "0001-01-01T00:00:00Z" means unset. */
const Timestamp = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, "An RFC 3339 timestamp.");

export const WebhookAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: LabelSet.refine((l) => typeof l.alertname === "string" && l.alertname.length > 0, "An alert's labels include its alertname."),
  annotations: LabelSet,
  startsAt: Timestamp,
  endsAt: Timestamp,
  generatorURL: z.string().max(4096),
  fingerprint: z.string().min(1).max(64).regex(/^[0-9a-f]+$/, "Alertmanager's fingerprint: hexadecimal."),
});
export type WebhookAlert = z.infer<typeof WebhookAlert>;

/** Alertmanager's webhook body, version "4" (fields Paved does not know are ignored, not refused). */
export const AlertmanagerWebhookBody = z
  .object({
    version: z.literal("4"),
    groupKey: z.string().max(4096),
    truncatedAlerts: z.number().int().min(0).default(0),
    status: z.enum(["firing", "resolved"]),
    receiver: z.string().max(1024),
    groupLabels: LabelSet,
    commonLabels: LabelSet,
    commonAnnotations: LabelSet,
    externalURL: z.string().max(4096),
    alerts: z.array(WebhookAlert).min(1).max(1000),
  })
  .meta({ id: "AlertmanagerWebhook", description: "Alertmanager's webhook notification, version 4." });
export type AlertmanagerWebhookBody = z.infer<typeof AlertmanagerWebhookBody>;

export const WebhookReceipt = z.object({
  accepted: z.number().int().meta({ description: "Alerts new to Paved, queued to be processed." }),
  duplicates: z.number().int().meta({ description: "Alerts already received (same fingerprint, start and status): nothing runs twice." }),
});

// ---- Remediation settings -----------------------------------------------------------------------

export const PLAYBOOKS = ["auto-rollback", "auto-scale", "restart"] as const;
export type Playbook = (typeof PLAYBOOKS)[number];
export const Playbook = z.enum(PLAYBOOKS);

const AutoApproveRule = z
  .object({
    environment: z.string().min(1).max(63),
    playbooks: z.array(Playbook).min(1),
    services: z.array(z.string().min(1).max(63)).max(500).optional().meta({ description: "Only these services (default: all)." }),
  })
  .strict();
export type AutoApproveRule = z.infer<typeof AutoApproveRule>;

export const RemediationSettingsDto = z
  .object({
    killSwitch: z.boolean().meta({ description: "On: no playbook runs; every decision is recorded as suppressed." }),
    dryRun: z.boolean().meta({ description: "On: decide and record what would be done, act on nothing." }),
    maxActionsPerHour: z.number().int().min(0).max(100).meta({ description: "Actions at most per service in any hour." }),
    cooldownMinutes: z.number().int().min(0).max(1440).meta({ description: "Minutes after an action on a service before the next one." }),
    maxReplicas: z.number().int().min(1).max(1000).meta({ description: "auto-scale never goes beyond this." }),
    autoApprove: z.array(AutoApproveRule).max(100).meta({ description: "Protected environments where these playbooks run without an approval." }),
    revision: z.number().int(),
    updatedBy: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: "RemediationSettings" });
export type RemediationSettingsDto = z.infer<typeof RemediationSettingsDto>;

export const PatchRemediationSettingsBody = z
  .object({
    killSwitch: z.boolean().optional(),
    dryRun: z.boolean().optional(),
    maxActionsPerHour: z.number().int().min(0).max(100).optional(),
    cooldownMinutes: z.number().int().min(0).max(1440).optional(),
    maxReplicas: z.number().int().min(1).max(1000).optional(),
    autoApprove: z.array(AutoApproveRule).max(100).optional(),
    revision: z.number().int().optional().meta({ description: "The revision you read: a stale one is refused with 409." }),
  })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== "revision"), "Change at least one setting.");

// ---- Incidents and remediations -----------------------------------------------------------------

export const DecisionDto = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.string(),
  outcome: z.string(),
  playbook: z.string().nullable(),
  guardrail: z.string().nullable(),
  message: z.string(),
  detail: z.record(z.string(), z.unknown()),
  remediationId: z.string().nullable(),
  actor: z.string(),
});

export const REMEDIATION_STATUSES = ["pending_approval", "queued", "running", "succeeded", "failed", "suppressed", "dry_run", "cancelled"] as const;

export const RemediationDto = z
  .object({
    id: z.string(),
    incidentId: z.string(),
    incidentNumber: z.number().int(),
    service: z.string(),
    environment: z.string(),
    playbook: Playbook,
    status: z.enum(REMEDIATION_STATUSES),
    guardrail: z.string().nullable(),
    reason: z.string(),
    result: z.record(z.string(), z.unknown()),
    requestedAt: z.string(),
    approvedBy: z.string().nullable(),
    approvedAt: z.string().nullable(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: "Remediation" });
export type RemediationDto = z.infer<typeof RemediationDto>;

export const IncidentDto = z
  .object({
    id: z.string(),
    number: z.number().int(),
    status: z.enum(["open", "resolved"]),
    service: z.string(),
    environment: z.string(),
    slo: z.string().nullable(),
    alertname: z.string(),
    severity: z.string(),
    automation: z.string(),
    summary: z.string(),
    fingerprint: z.string(),
    labels: z.record(z.string(), z.string()),
    startedAt: z.string(),
    resolvedAt: z.string().nullable(),
    mttrSeconds: z.number().int().nullable().meta({ description: "Time to recover: from the alert's start to its resolution." }),
    precedingDeployment: z.object({ id: z.string(), version: z.string().nullable() }).nullable().meta({ description: "The service's last deployment in the environment before the incident started." }),
  })
  .meta({ id: "Incident" });
export type IncidentDto = z.infer<typeof IncidentDto>;

export const IncidentDetailDto = IncidentDto.extend({
  decisions: z.array(DecisionDto),
  remediations: z.array(RemediationDto),
}).meta({ id: "IncidentDetail" });
export type IncidentDetailDto = z.infer<typeof IncidentDetailDto>;

export const ListIncidentsQuery = z
  .object({
    service: z.string().min(1).max(63).optional(),
    status: z.enum(["open", "resolved"]).optional(),
    from: z.iso.datetime({ offset: true }).optional().meta({ description: "Incidents that started at or after (default: 30 days ago)." }),
    to: z.iso.datetime({ offset: true }).optional().meta({ description: "Incidents that started before (default: now)." }),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const ListRemediationsQuery = z
  .object({
    service: z.string().min(1).max(63).optional(),
    status: z.enum(REMEDIATION_STATUSES).optional(),
    incident: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

export const IdParams = z.object({ id: z.uuid() });

export const ApproveRemediationBody = z.object({ comment: z.string().max(500).optional() }).strict();
