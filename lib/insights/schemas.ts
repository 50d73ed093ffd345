// Shapes of the insights API: the period asked for, the metrics with their targets, status, band
// and trend, the per-team table, and the records behind a number.
import { z } from "zod";
import { METRICS, daysBetween, parseDay } from "./definitions.ts";

export const MAX_PERIOD_DAYS = 5 * 366;

const DayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A date written YYYY-MM-DD.")
  .refine((d) => !Number.isNaN(parseDay(d).getTime()) && parseDay(d).toISOString().startsWith(d), "Not a calendar date.");

const Format = z.enum(["json", "csv"]).optional().meta({ description: "`csv` answers the table as CSV (as does `Accept: text/csv`)." });

const periodFields = {
  from: DayString.optional().meta({ description: "First day (UTC), included. Default: 29 days before `to`.", example: "2026-01-01" }),
  to: DayString.optional().meta({ description: "Last day (UTC), included; a day after today reads as today. Default: today.", example: "2026-01-31" }),
  team: z.string().min(1).max(40).optional().meta({ description: "Only this team (slug)." }),
  format: Format,
};

function checkPeriod(q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: "custom", path: ["from"], message: "`from` must not be after `to`." });
  else if (q.from && q.to && daysBetween(q.from, q.to) > MAX_PERIOD_DAYS) ctx.addIssue({ code: "custom", path: ["from"], message: `At most ${MAX_PERIOD_DAYS} days.` });
}

export const InsightsQuery = z.object(periodFields).superRefine(checkPeriod);
export type InsightsQuery = z.output<typeof InsightsQuery>;

export const MetricKeySchema = z.enum(METRICS).meta({ id: "InsightsMetric" });

export const RecordsQuery = z
  .object({
    metric: MetricKeySchema.meta({ description: "Whose records: the metric's name as in the summary." }),
    ...periodFields,
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .superRefine(checkPeriod);
export type RecordsQuery = z.output<typeof RecordsQuery>;

const StatusSchema = z.enum(["met", "not_met", "no_data"]).meta({ description: "Against the target; `no_data` when there is nothing to measure." });
const BandSchema = z.enum(["elite", "high", "medium", "low"]).nullable().meta({ description: "DORA performance band (DORA metrics only)." });

export const TargetDto = z.object({ operator: z.enum([">", "<", "=", "≥", "≤"]), value: z.number(), label: z.string() });

export const TrendDto = z.object({
  granularity: z.enum(["day", "week", "month"]),
  points: z.array(z.object({ start: z.string(), end: z.string(), value: z.number().nullable() })),
  previous: z.number().nullable().meta({ description: "The same metric over the period of the same length just before." }),
});

export const MetricDto = z
  .object({
    metric: MetricKeySchema,
    label: z.string(),
    unit: z.enum(["%", "minutes", "hours", "per day"]),
    value: z.number().nullable(),
    target: TargetDto,
    status: StatusSchema,
    band: BandSchema,
    detail: z.string().meta({ description: "What the value was computed from, e.g. `412 of 420 deployments succeeded`." }),
    trend: TrendDto.nullable(),
  })
  .meta({ id: "InsightsMetricValue" });
export type MetricDto = z.infer<typeof MetricDto>;

export const PeriodDto = z.object({ from: z.string(), to: z.string(), days: z.number().int() });
const TeamRef = z.object({ slug: z.string(), name: z.string(), color: z.string() });

const AsOf = z.object({
  rollups: z.string().nullable().meta({ description: "When the daily roll-ups last ran; days after the one they cover are read from the records." }),
  adoptionScan: z.string().nullable(),
  complianceScan: z.string().nullable(),
});

export const SummaryDto = z
  .object({
    period: PeriodDto,
    team: TeamRef.nullable(),
    productionEnvironment: z.string().nullable(),
    asOf: AsOf,
    templateAdoption: MetricDto,
    deploymentSuccessRate: MetricDto,
    mttrMinutes: MetricDto,
    policyCompliance: MetricDto,
    dora: z.object({ deploymentFrequency: MetricDto, leadTime: MetricDto, changeFailureRate: MetricDto, timeToRestore: MetricDto }),
  })
  .meta({ id: "InsightsSummary" });
export type SummaryDto = z.infer<typeof SummaryDto>;

export const TeamRowDto = z.object({
  team: TeamRef,
  templateAdoption: MetricDto,
  deploymentSuccessRate: MetricDto,
  mttrMinutes: MetricDto,
  policyCompliance: MetricDto,
  dora: z.object({ deploymentFrequency: MetricDto, leadTime: MetricDto, changeFailureRate: MetricDto, timeToRestore: MetricDto }),
});
export type TeamRowDto = z.infer<typeof TeamRowDto>;

export const TeamsDto = z
  .object({ period: PeriodDto, productionEnvironment: z.string().nullable(), asOf: AsOf, teams: z.array(TeamRowDto) })
  .meta({ id: "InsightsTeams" });
export type TeamsDto = z.infer<typeof TeamsDto>;

export const RecordColumn = z.object({ key: z.string(), label: z.string(), kind: z.enum(["text", "number", "time"]) });
export type RecordColumn = z.infer<typeof RecordColumn>;
export type RecordValue = string | number | null;

export const RecordsDto = z
  .object({
    metric: MetricKeySchema,
    title: z.string(),
    period: PeriodDto,
    team: TeamRef.nullable(),
    columns: z.array(RecordColumn),
    items: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    note: z.string().nullable(),
  })
  .meta({ id: "InsightsRecords" });
export type RecordsDto = z.infer<typeof RecordsDto>;

export const RefreshBody = z.object({ full: z.boolean().default(false).meta({ description: "Recompute every day, not only the recent ones." }) }).strict();

export const RefreshResult = z.object({ jobId: z.string().nullable() });
