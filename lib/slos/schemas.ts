// Shapes of SLOs as the API and pages see them: definitions, the SLI (built from the common HTTP
// metrics or raw PromQL), status (budget and burn rates, computed by status.ts from what the
// metrics source answers), imports and exports.
import { z } from "zod";

export const SLO_KINDS = ["availability", "latency"] as const;
export const SloKind = z.enum(SLO_KINDS).meta({
  id: "SloKind",
  description: "`availability`: good events / all events. `latency`: the share of requests faster than a threshold.",
});
export type SloKind = z.infer<typeof SloKind>;

export const SLO_WINDOWS = ["7d", "28d", "30d"] as const;
export const SloWindow = z.enum(SLO_WINDOWS).meta({ id: "SloWindow", description: "Rolling window the objective applies to." });
export type SloWindow = z.infer<typeof SloWindow>;

export const AUTOMATIONS = ["auto-rollback", "auto-scale", "restart", "none"] as const;
export const Automation = z.enum(AUTOMATIONS).meta({ id: "SloAutomation", description: "What self-healing runs when the SLO pages (the alert's `automation` label)." });
export type Automation = z.infer<typeof Automation>;

/** SLO names are slugs: they become Prometheus label values and parts of rule group names. */
export const SLO_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const SloName = z
  .string()
  .regex(SLO_NAME, "Lower-case letters, digits and inner hyphens, at most 63 characters.")
  .meta({ description: "Slug, unique per service, e.g. `availability`.", example: "availability" });

/** The objective in percent, strictly between 0 and 100 (e.g. 99.9). */
export const Objective = z
  .number()
  .gt(0, "The objective is a percentage above 0.")
  .lt(100, "The objective is a percentage below 100 (100% leaves no error budget).")
  .refine((n) => Number.isFinite(n) && Math.abs(n * 1e6 - Math.round(n * 1e6)) < 1e-6, "At most six decimals.")
  .meta({ description: "Target in percent, 0 < objective < 100.", example: 99.9 });

const Query = z.string().trim().min(1).max(4000);

export const HttpSli = z
  .object({
    source: z.literal("http"),
    selector: z
      .string()
      .trim()
      .max(1000)
      .default("")
      .meta({ description: 'Extra label matchers for both queries, PromQL syntax without braces, e.g. `route="/checkout",method!="OPTIONS"`.' }),
    errorCodes: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "Availability: a regex of the `code` label values that count as errors (default `5..`)." }),
    thresholdSeconds: z
      .number()
      .positive()
      .max(3600)
      .optional()
      .meta({ description: "Latency: requests faster than this count as good; must be a bucket boundary (`le`) of the histogram." }),
  })
  .strict()
  .meta({
    id: "HttpSli",
    description:
      "Built from the common HTTP metrics: `http_requests_total{service,environment,code}` (availability) and `http_request_duration_seconds_bucket{service,environment,le}` with `_count` (latency).",
  });
export type HttpSli = z.output<typeof HttpSli>;

export const RawSli = z
  .object({
    source: z.literal("raw"),
    good: Query.optional().meta({ description: "PromQL of good events; `{{.window}}` where the range goes." }),
    bad: Query.optional().meta({ description: "PromQL of bad events (errors); `{{.window}}` where the range goes. Give `good` or `bad`." }),
    total: Query.meta({ description: "PromQL of all events; `{{.window}}` where the range goes." }),
  })
  .strict()
  .meta({ id: "RawSli", description: "Raw PromQL, e.g. `sum(rate(http_requests_total{job=\"api\",code=~\"5..\"}[{{.window}}]))`." });
export type RawSli = z.output<typeof RawSli>;

export const SliSchema = z.discriminatedUnion("source", [HttpSli, RawSli]).meta({ id: "Sli" });
export type Sli = z.output<typeof SliSchema>;

const TeamRef = z.object({ slug: z.string(), name: z.string(), color: z.string() });

export const RULE_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type RuleWindow = (typeof RULE_WINDOWS)[number];
export type AnyWindow = RuleWindow | SloWindow;

export const RISK_LEVELS = ["exhausted", "critical", "warning", "ok", "unknown"] as const;

export const SloStatus = z
  .object({
    sli: z.number().nullable().meta({ description: "Good events over the SLO window, in percent (null: no data)." }),
    errorRatio: z.number().nullable().meta({ description: "Bad / total over the SLO window (0–1)." }),
    budget: z.object({
      ratio: z.number().meta({ description: "The error budget as a ratio of events: 1 − objective." }),
      consumedRatio: z.number().nullable().meta({ description: "Share of the budget spent (may exceed 1)." }),
      remainingRatio: z.number().nullable().meta({ description: "Share of the budget left (negative when overspent)." }),
      remainingPercent: z.number().nullable(),
      unit: z.enum(["requests", "minutes"]),
      total: z.object({ minutes: z.number(), requests: z.number().nullable() }),
      remaining: z.object({ minutes: z.number().nullable(), requests: z.number().nullable() }),
    }),
    burnRates: z.array(z.object({ window: z.string(), errorRatio: z.number().nullable(), burnRate: z.number().nullable() })),
    alerts: z.object({ page: z.boolean(), ticket: z.boolean() }).meta({ description: "Whether the multi-window burn-rate conditions hold now." }),
    exhaustsInHours: z.number().nullable().meta({ description: "At the 1 h burn rate, hours until the budget is gone (null: not burning, or no data)." }),
    risk: z.object({ level: z.enum(RISK_LEVELS), score: z.number(), reason: z.string() }),
  })
  .meta({ id: "SloStatus" });
export type SloStatus = z.infer<typeof SloStatus>;

export const SloFreshness = z
  .object({
    source: z.enum(["prometheus", "sandbox"]).meta({ description: "Which metrics source answered: Prometheus (PROMETHEUS_URL) or the sandbox's simulated counters." }),
    computedFrom: z
      .enum(["recording-rules", "sli-queries"])
      .meta({ description: "`recording-rules`: Paved's recorded series (`slo:sli_error:ratio_rate<window>{slo_id}`), all SLOs of a page in one query per window. `sli-queries`: the SLI's own queries per window (the sandbox, or SLOs whose rules Prometheus does not load yet)." }),
    fetchedAt: z.string().nullable().meta({ description: "When the source answered the values shown (null: it never did)." }),
    stale: z.boolean().meta({ description: "True when the source did not answer this time: the values are the last known ones (or none)." }),
    ageSeconds: z.number().nullable().meta({ description: "Age of the values shown, in seconds (0 when fresh; null when there are none)." }),
    error: z.string().nullable().meta({ description: "Why the source did not answer, or refused the SLO's queries." }),
  })
  .meta({ id: "SloFreshness" });
export type SloFreshness = z.infer<typeof SloFreshness>;

export const SloDto = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    description: z.string(),
    service: z.object({ name: z.string(), team: TeamRef }),
    ownerTeam: TeamRef,
    kind: SloKind,
    objective: z.number(),
    window: SloWindow,
    sli: SliSchema,
    environment: z.string(),
    alerting: z.boolean(),
    automation: Automation,
    queries: z
      .object({ good: z.string().nullable(), bad: z.string().nullable(), total: z.string(), errorRatio: z.string() })
      .meta({ description: "How the SLI is computed, over the SLO window (the rules use the same queries over each alert window)." }),
    status: SloStatus.nullable().meta({ description: "Budget and burn rates from the metrics source; null when no metrics source answered." }),
    freshness: SloFreshness.nullable().meta({ description: "How fresh `status` is; null when the metrics source was not asked (e.g. in the answer to a write)." }),
    revision: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Slo" });
export type SloDto = z.infer<typeof SloDto>;

export const SloPage = z.object({ items: z.array(SloDto), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });

export const ListSlosQuery = z.object({
  service: z.string().max(63).optional().meta({ description: "Only this service's SLOs." }),
  team: z.string().max(40).optional().meta({ description: "Only SLOs owned by this team (slug)." }),
  kind: SloKind.optional(),
  q: z.string().max(100).optional().meta({ description: "Name, display name or service contains." }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListSlosQuery = z.output<typeof ListSlosQuery>;

const Description = z.string().max(2000);
const DisplayName = z.string().trim().max(200);
const EnvironmentName = z.string().min(1).max(63);

export const CreateSloBody = z
  .object({
    name: SloName,
    service: z.string().min(1).max(63).meta({ description: "The service (name) the SLO watches." }),
    displayName: DisplayName.default(""),
    description: Description.default(""),
    kind: SloKind,
    objective: Objective,
    window: SloWindow.default("30d"),
    sli: SliSchema,
    ownerTeam: z.string().min(1).max(40).optional().meta({ description: "Owning team (slug); defaults to the service's team." }),
    environment: EnvironmentName.default("production"),
    alerting: z.boolean().default(true),
    automation: Automation.default("none"),
  })
  .strict();
export type CreateSloBody = z.output<typeof CreateSloBody>;

export const PatchSloBody = z
  .object({
    displayName: DisplayName.optional(),
    description: Description.optional(),
    kind: SloKind.optional(),
    objective: Objective.optional(),
    window: SloWindow.optional(),
    sli: SliSchema.optional(),
    ownerTeam: z.string().min(1).max(40).optional(),
    environment: EnvironmentName.optional(),
    alerting: z.boolean().optional(),
    automation: Automation.optional(),
    revision: z.number().int().min(1).optional().meta({ description: "The revision you edited; a stale one gets 409." }),
  })
  .strict();
export type PatchSloBody = z.output<typeof PatchSloBody>;

export const SloParams = z.object({ id: z.string().min(1).max(100) });

export const DeleteSloQuery = z.object({
  revision: z.coerce.number().int().min(1).optional().meta({ description: "The revision you saw; a stale one gets 409." }),
});

export const DeleteSloResult = z.object({ id: z.string(), service: z.string(), name: z.string() });

export const IMPORT_FORMATS = ["openslo", "sloth"] as const;
export const ImportSlosQuery = z.object({
  format: z.enum(IMPORT_FORMATS).meta({ description: "`openslo` (OpenSLO v1 `kind: SLO` documents) or `sloth` (a Sloth `prometheus/v1` spec)." }),
  dryRun: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .meta({ description: "Validate and report without writing." }),
});

export const ImportSlosResult = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    dryRun: z.boolean(),
    created: z.array(z.string()).meta({ description: "`service/name` of each SLO created." }),
    updated: z.array(z.string()),
    unchanged: z.array(z.string()),
    ignored: z.array(z.object({ document: z.string(), reason: z.string() })),
  })
  .meta({ id: "SloImportResult" });
export type ImportSlosResult = z.infer<typeof ImportSlosResult>;

export const ExportSlosQuery = z.object({
  format: z.enum(["openslo"]).default("openslo"),
  service: z.string().max(63).optional(),
  team: z.string().max(40).optional(),
});

export const RulesQuery = z.object({
  service: z.string().max(63).optional().meta({ description: "Only this service's SLOs." }),
  team: z.string().max(40).optional().meta({ description: "Only SLOs owned by this team (slug)." }),
});

export const CommitSloRulesResult = z
  .object({
    repository: z.string().meta({ description: "The GitOps repository (`owner/name`)." }),
    branch: z.string(),
    directory: z.string().meta({ description: "Where the rule files live: one file per service with SLOs." }),
    committed: z.boolean().meta({ description: "False when the repository already held exactly these rules (no commit is made)." }),
    sha: z.string().meta({ description: "The new commit, or the branch's head when nothing changed." }),
    written: z.array(z.string()).meta({ description: "Rule files added or changed." }),
    deleted: z.array(z.string()).meta({ description: "Rule files removed (services that no longer have SLOs)." }),
    slos: z.number().int().meta({ description: "SLOs whose rules the files hold." }),
  })
  .meta({ id: "SloRulesCommit" });
export type CommitSloRulesResult = z.infer<typeof CommitSloRulesResult>;
