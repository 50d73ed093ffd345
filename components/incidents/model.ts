// How incidents, self-healing decisions and remediations read on the pages, as pure functions:
// durations and MTTR, the guardrails and timeline entries in words, the incidents list's filters
// kept in the URL and its sorting, which remediation an incident got, how often to poll, the
// settings form's patch, and what the platform will do about a chaos a demo sets.
import type { AutoApproveRule, IncidentDto, Playbook, RemediationDto, RemediationSettingsDto } from "@/lib/incidents/schemas";

// ---- Durations ---------------------------------------------------------------------------------

/** Seconds as a person reads them: "42 s", "3 min 12 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** How long an incident lasted (its MTTR once resolved) or has lasted so far, in seconds. */
export function incidentSeconds(incident: Pick<IncidentDto, "status" | "startedAt" | "resolvedAt" | "mttrSeconds">, now: number): number {
  if (incident.status === "resolved") {
    if (incident.mttrSeconds !== null) return incident.mttrSeconds;
    if (incident.resolvedAt) return Math.max(0, (Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt)) / 1000);
  }
  return Math.max(0, (now - Date.parse(incident.startedAt)) / 1000);
}

/** The median time to recover of the resolved incidents among `items` (null when none resolved). */
export function medianMttr(items: readonly Pick<IncidentDto, "status" | "mttrSeconds">[]): number | null {
  const values = items.filter((i) => i.status === "resolved" && i.mttrSeconds !== null).map((i) => i.mttrSeconds as number);
  if (!values.length) return null;
  values.sort((a, b) => a - b);
  const mid = Math.floor(values.length / 2);
  return values.length % 2 ? values[mid]! : (values[mid - 1]! + values[mid]!) / 2;
}

/** "2026-05-04 13:07 UTC": an absolute time that reads the same on the server and in the browser. */
export function formatUtc(iso: string): string {
  return `${new Date(iso).toISOString().replace("T", " ").slice(0, 16)} UTC`;
}

// ---- Words for the guardrails and the timeline ----------------------------------------------

/** Each guardrail in words, with what it means (lib/incidents/guardrails.ts decides in this order). */
export const GUARDRAILS: Record<string, { label: string; description: string }> = {
  no_automation: { label: "No automation", description: "The alert names no playbook Paved knows: people handle the incident." },
  kill_switch: { label: "Kill switch", description: "The global kill switch is on: no playbook runs." },
  deployment_in_progress: { label: "Deployment in progress", description: "A deployment run is changing the service and did not cause the alert: Paved does not act against it." },
  rate_limit: { label: "Actions per hour", description: "The service already had the most actions allowed in the last hour." },
  cooldown: { label: "Cooldown", description: "The service had an action too recently." },
  dry_run: { label: "Dry-run mode", description: "Decisions are recorded as what would have run; nothing is done." },
  approval: { label: "Approval needed", description: "A protected environment: someone with promotions.execute approves first, unless an auto-approve rule allows it." },
};

/** A guardrail's name in words ("rate_limit" → "Actions per hour"); unknown names are spelt out. */
export function guardrailLabel(guardrail: string | null | undefined): string | null {
  if (!guardrail) return null;
  return GUARDRAILS[guardrail]?.label ?? spell(guardrail);
}

const KINDS: Record<string, string> = {
  opened: "Incident opened",
  decided: "Self-healing decided",
  approved: "Approved",
  action_started: "Action started",
  action_succeeded: "Action succeeded",
  action_failed: "Action failed",
  action_suppressed: "Action stopped",
  cancelled: "Cancelled",
  resolved: "Resolved",
};

/** A timeline entry's kind in words ("action_started" → "Action started"). */
export function decisionKindLabel(kind: string): string {
  return KINDS[kind] ?? spell(kind);
}

export type Tone = "neutral" | "accent" | "success" | "warning" | "danger" | "info";

const OUTCOMES: Record<string, { label: string; tone: Tone }> = {
  taken: { label: "taken", tone: "success" },
  suppressed: { label: "suppressed", tone: "warning" },
  pending_approval: { label: "waits for approval", tone: "warning" },
  dry_run: { label: "dry run", tone: "info" },
  no_action: { label: "no action", tone: "neutral" },
  info: { label: "", tone: "neutral" },
  failed: { label: "failed", tone: "danger" },
};

/** A decision's outcome as a badge (no label for plain information). */
export function decisionOutcome(outcome: string): { label: string; tone: Tone } {
  return OUTCOMES[outcome] ?? { label: spell(outcome), tone: "neutral" };
}

export const REMEDIATION_STATUS: Record<RemediationDto["status"], { label: string; tone: Tone }> = {
  pending_approval: { label: "waits for approval", tone: "warning" },
  queued: { label: "queued", tone: "info" },
  running: { label: "running", tone: "accent" },
  succeeded: { label: "succeeded", tone: "success" },
  failed: { label: "failed", tone: "danger" },
  suppressed: { label: "suppressed", tone: "warning" },
  dry_run: { label: "dry run", tone: "info" },
  cancelled: { label: "cancelled", tone: "neutral" },
};

/** Remediations still moving: their incident's page polls while any is. */
export const ACTIVE_REMEDIATION = new Set<string>(["pending_approval", "queued", "running"]);

const spell = (s: string) => s.replace(/[_-]+/g, " ").replace(/^./, (c) => c.toUpperCase());

// ---- Which remediation an incident got ------------------------------------------------------

/** Per incident, its latest remediation (by request time): what the list shows as "taken". */
export function latestRemediationByIncident(remediations: readonly RemediationDto[]): Map<string, RemediationDto> {
  const out = new Map<string, RemediationDto>();
  for (const r of remediations) {
    const seen = out.get(r.incidentId);
    if (!seen || Date.parse(r.requestedAt) > Date.parse(seen.requestedAt)) out.set(r.incidentId, r);
  }
  return out;
}

/** What a remediation did, from its result: the summary the playbook wrote and the rollback's promotion, if any. */
export function remediationOutcome(r: Pick<RemediationDto, "result" | "reason" | "status">): { summary: string; promotion: { id: string; number: number | null } | null } {
  const result = r.result ?? {};
  const summary = typeof result.summary === "string" && result.summary ? result.summary : r.reason;
  const promotion = typeof result.promotionId === "string" ? { id: result.promotionId, number: typeof result.promotionNumber === "number" ? result.promotionNumber : null } : null;
  return { summary, promotion };
}

/** The remediation a person can approve now: one waiting for approval while its incident is open. */
export function approvable(incident: Pick<IncidentDto, "status">, remediations: readonly RemediationDto[]): RemediationDto | null {
  if (incident.status !== "open") return null;
  return remediations.find((r) => r.status === "pending_approval") ?? null;
}

/** A page of incidents with the remediations self-healing decided for them. */
export interface IncidentsData {
  items: IncidentDto[];
  remediations: RemediationDto[];
}

/** What the incident pages link to that the incident DTOs do not carry (read by the page's server side). */
export interface IncidentLinks {
  /** SLO ids by "<service>/<slo name>", for links to the SLO's page. */
  slos: Record<string, string>;
  /** The promotion each preceding deployment belongs to, by deployment id. */
  promotions: Record<string, string>;
}

/**
 * Where the deployment that preceded an incident can be read: its promotion's page when it came
 * from one (`promotions`: promotion id by deployment id), else the service's deployment timeline.
 */
export function deploymentHref(incident: Pick<IncidentDto, "service" | "environment" | "precedingDeployment">, promotions: Record<string, string>): string | null {
  const d = incident.precedingDeployment;
  if (!d) return null;
  const promotion = promotions[d.id];
  if (promotion) return `/delivery/promotions/${promotion}`;
  const q = new URLSearchParams({ service: incident.service, environment: incident.environment, range: "30d" });
  return `/delivery/timeline?${q.toString()}`;
}

// ---- Polling ----------------------------------------------------------------------------------

/** The list polls fast while an incident is open (durations grow, self-healing acts), slowly otherwise. */
export function listPollMs(items: readonly Pick<IncidentDto, "status">[]): number {
  return items.some((i) => i.status === "open") ? 5_000 : 30_000;
}

/** An incident's page polls while it is open or a remediation still moves, and stops after. */
export function incidentPollMs(incident: Pick<IncidentDto, "status"> & { remediations: readonly Pick<RemediationDto, "status">[] }): number | false {
  if (incident.remediations.some((r) => r.status === "queued" || r.status === "running")) return 1_000;
  if (incident.status === "open") return 3_000;
  return false;
}

// ---- The incidents list's filters (kept in the URL) -----------------------------------------

export const INCIDENT_RANGES = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "90d": 90 * 86_400_000 } as const;
export type IncidentRange = keyof typeof INCIDENT_RANGES;
const DEFAULT_RANGE: IncidentRange = "30d";

export interface IncidentFilters {
  service: string;
  status: "" | "open" | "resolved";
  range: IncidentRange;
}

type Search = { get(key: string): string | null };

export function readIncidentFilters(params: Search): IncidentFilters {
  const status = params.get("status");
  const range = params.get("range");
  const service = (params.get("service") ?? "").trim();
  return {
    service: /^[a-z0-9-]{1,63}$/.test(service) ? service : "",
    status: status === "open" || status === "resolved" ? status : "",
    range: range && range in INCIDENT_RANGES ? (range as IncidentRange) : DEFAULT_RANGE,
  };
}

/** The URL's query for the filters, leaving out defaults ("" when all are). */
export function writeIncidentFilters(f: IncidentFilters): string {
  const p = new URLSearchParams();
  if (f.service) p.set("service", f.service);
  if (f.status) p.set("status", f.status);
  if (f.range !== DEFAULT_RANGE) p.set("range", f.range);
  return p.toString();
}

/** GET /api/v1/incidents' query for the filters, the range counted back from `now`. */
export function incidentsApiQuery(f: IncidentFilters, now: number, limit = 500): string {
  const p = new URLSearchParams();
  if (f.service) p.set("service", f.service);
  if (f.status) p.set("status", f.status);
  p.set("from", new Date(now - INCIDENT_RANGES[f.range]).toISOString());
  p.set("limit", String(limit));
  return p.toString();
}

/** Open incidents first, then the newest (the list's order before anyone clicks a column). */
export function compareIncidents(a: Pick<IncidentDto, "status" | "startedAt" | "number">, b: Pick<IncidentDto, "status" | "startedAt" | "number">): number {
  if (a.status !== b.status) return a.status === "open" ? -1 : 1;
  return Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.number - a.number;
}

// ---- The settings form ----------------------------------------------------------------------

export interface RuleForm {
  environment: string;
  playbooks: Playbook[];
  /** Comma- or space-separated service names; empty: every service. */
  services: string;
}

export function ruleForms(rules: readonly AutoApproveRule[]): RuleForm[] {
  return rules.map((r) => ({ environment: r.environment, playbooks: [...r.playbooks], services: (r.services ?? []).join(", ") }));
}

/** "a, b  c" → ["a", "b", "c"] (duplicates dropped, order kept). */
export function parseServiceList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

export function rulesOf(forms: readonly RuleForm[]): AutoApproveRule[] {
  return forms.map((f) => {
    const services = parseServiceList(f.services);
    return { environment: f.environment, playbooks: [...f.playbooks], ...(services.length ? { services } : {}) };
  });
}

type Editable = Pick<RemediationSettingsDto, "killSwitch" | "dryRun" | "maxActionsPerHour" | "cooldownMinutes" | "maxReplicas" | "autoApprove">;

/** Only what changed against the settings read, with their revision (PATCH refuses a stale one). */
export function settingsPatch(before: RemediationSettingsDto, after: Partial<Editable>): (Partial<Editable> & { revision: number }) | null {
  const patch: Partial<Editable> = {};
  for (const key of Object.keys(after) as (keyof Editable)[]) {
    const value = after[key];
    if (value === undefined) continue;
    if (JSON.stringify(value) !== JSON.stringify(before[key])) (patch as Record<string, unknown>)[key] = value;
  }
  return Object.keys(patch).length ? { ...patch, revision: before.revision } : null;
}

/** An auto-approve rule in words: "auto-rollback, restart in production (checkout-web only)". */
export function describeRule(rule: AutoApproveRule): string {
  const services = rule.services?.length ? ` (${rule.services.join(", ")} only)` : " (every service)";
  return `${rule.playbooks.join(", ")} in ${rule.environment}${services}`;
}

// ---- What the platform will do about a chaos ------------------------------------------------

export type ChaosMode = "errors" | "latency";

/** Which playbooks cure each chaos in the sandbox (lib/metrics/sandbox-traffic.ts). */
const CURES: Record<ChaosMode, readonly string[]> = { errors: ["auto-rollback"], latency: ["restart", "auto-scale", "auto-rollback"] };

export interface ChaosSlo {
  id: string;
  name: string;
  displayName: string;
  kind: "availability" | "latency";
  environment: string;
  alerting: boolean;
  automation: string;
}

export interface ChaosOutlook {
  slo: ChaosSlo;
  /** Whether this kind of fault burns this SLO's budget. */
  burns: boolean;
  /** Whether the SLO's playbook cures this fault. */
  cures: boolean;
  text: string;
}

/**
 * For each SLO of the service in the environment: whether the fault burns it, and what the
 * platform will do once its page alert fires (nothing without alerting or automation; a playbook
 * that does not cure the fault; or one that does, after an approval in a protected environment
 * unless a rule allows it).
 */
export function chaosOutlook(mode: ChaosMode, environment: string, slos: readonly ChaosSlo[], protectedEnvironment: boolean, autoApprove: readonly AutoApproveRule[], service: string): ChaosOutlook[] {
  return slos
    .filter((s) => s.environment === environment)
    .map((slo) => {
      const burns = mode === "errors" ? slo.kind === "availability" : slo.kind === "latency";
      const cures = CURES[mode].includes(slo.automation);
      const name = slo.displayName || slo.name;
      let text: string;
      if (!burns) text = `${name} (${slo.kind}) does not measure ${mode === "errors" ? "errors" : "latency"}: its budget should not move.`;
      else if (!slo.alerting) text = `${name} burns its budget, but its alerting is off: nothing pages, nothing runs.`;
      else if (slo.automation === "none") text = `${name} burns its budget and pages; it names no automation, so the incident waits for people.`;
      else {
        const approval =
          protectedEnvironment && !autoApprove.some((r) => r.environment === environment && r.playbooks.includes(slo.automation as Playbook) && (!r.services?.length || r.services.includes(service)))
            ? ` ${environment} is protected: the remediation waits for an approval on the incident's page.`
            : "";
        text = cures
          ? `${name} burns its budget and pages; self-healing runs ${slo.automation}, which cures this fault, and the incident closes when the alert resolves.${approval}`
          : `${name} burns its budget and pages; self-healing runs ${slo.automation}, which does not cure ${mode === "errors" ? "a faulty version (a rollback would)" : "slow requests"}: the incident stays open for people.${approval}`;
      }
      return { slo, burns, cures, text };
    });
}

/** The sandbox's default compression of alert windows (PAVED_SANDBOX_ALERT_COMPRESSION). */
export const SANDBOX_ALERT_COMPRESSION = 60;

/**
 * How the page alert comes about, for the chaos card: a real Prometheus evaluates the generated
 * rules (and an Alertmanager calls the webhook); in sandbox mode Paved evaluates the same
 * burn-rate conditions itself every 10 s, each window divided by the compression factor
 * (lib/incidents/sandbox-alerts.ts).
 */
export function alertingNote(prometheus: boolean, compression: number = SANDBOX_ALERT_COMPRESSION): string {
  if (prometheus) {
    return "Paved reads a real Prometheus: when it scrapes /api/v1/sandbox/metrics and loads the SLO rules (monitoring/slos/*.yaml), and an Alertmanager sends to Paved's webhook, the page alert fires within minutes, an incident opens and self-healing decides within its guardrails.";
  }
  const factor = compression > 0 ? compression : SANDBOX_ALERT_COMPRESSION;
  const window = (hours: number) => formatDuration((hours * 3600) / factor);
  return `In sandbox mode Paved evaluates the SLOs' burn-rate alerts itself, every 10 s, with every alert window compressed ${factor}× (1 h → ${window(1)}, 5 min → ${window(5 / 60)}): a fault that burns the budget pages at the next evaluation, the incident opens and self-healing decides within its guardrails, and the alert resolves within a minute of the recovery, closing the incident. Connected to a real Prometheus and Alertmanager, they evaluate the generated rules instead.`;
}
