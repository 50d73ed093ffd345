import type { Metadata } from "next";
import Link from "next/link";
import { Activity, Download, TriangleAlert } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { relativeTime } from "@/components/audit/format";
import { NoAccess } from "@/components/shell/no-access";
import { InsightsFilters } from "@/components/insights/filters";
import { BandBadge, StatusBadge } from "@/components/insights/parts";
import { RefreshInsightsButton } from "@/components/insights/refresh-button";
import { Sparkline } from "@/components/insights/sparkline";
import { TeamsTable, type TeamColumn, type TeamRow } from "@/components/insights/teams-table";
import { BAND_LABEL, changeOf, csvHref, formatValue, recordsHref, selectionFrom, type Selection } from "@/components/insights/format";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { NotFoundError } from "@/lib/core/errors";
import { listTeams } from "@/lib/org";
import { BANDS, DEFINITIONS, DORA_BANDS, DORA_METRICS, DORA_SOURCE, ENTERPRISE_METRICS, insightsSummary, insightsTeams, type MetricDto, type SummaryDto, type TeamsDto } from "@/lib/insights";

export const metadata: Metadata = { title: "Insights" };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 64);

function Value({ metric, selection, testId, className }: { metric: MetricDto; selection: Selection; testId: string; className?: string }) {
  return (
    <Link
      href={recordsHref(metric.metric, selection)}
      className={cn("tabular font-semibold hover:underline", metric.status === "met" ? "text-success" : metric.status === "not_met" ? "text-danger" : "text-subtle", className)}
      data-testid={testId}
      title={`${metric.detail}: open the records`}
    >
      {formatValue(metric.value, metric.unit)}
    </Link>
  );
}

function Change({ metric }: { metric: MetricDto }) {
  const change = changeOf(metric.value, metric.trend?.previous ?? null, DEFINITIONS[metric.metric].higherIsBetter);
  if (!change) return <span className="text-xs text-subtle">no previous figure</span>;
  const previous = formatValue(metric.trend?.previous ?? null, metric.unit);
  return (
    <span className={cn("text-xs", change.tone === "better" ? "text-success" : change.tone === "worse" ? "text-danger" : "text-muted")}>
      {change.tone === "same" ? "same as the previous period" : `${change.tone === "better" ? "better" : "worse"} than ${previous} before`}
    </span>
  );
}

function CsvLink({ href, testId, label = "CSV" }: { href: string; testId: string; label?: string }) {
  return (
    <a href={href} download className="inline-flex h-8 items-center gap-1.5 rounded-md border border-border-strong bg-surface px-3 text-sm font-medium text-foreground shadow-sm hover:bg-surface-2" data-testid={testId}>
      <Download className="size-4" aria-hidden /> {label}
    </a>
  );
}

export default async function InsightsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "insights.read")) return <NoAccess permission="insights.read" />;
  const raw = await searchParams;
  const today = new Date().toISOString().slice(0, 10);
  const { selection, period, problem } = selectionFrom({ range: first(raw.range), from: first(raw.from), to: first(raw.to), team: first(raw.team) }, today);
  const teams = await listTeams(db());

  let summary: SummaryDto;
  let perTeam: TeamsDto;
  try {
    [summary, perTeam] = await Promise.all([insightsSummary(db(), { ...period, team: selection.team }), insightsTeams(db(), period)]);
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    return (
      <div className="space-y-6">
        <PageHeader title="Insights" />
        <Card>
          <EmptyState icon={TriangleAlert} title={`There is no team "${selection.team}"`} action={<Link href="/insights" className="text-sm font-medium text-accent hover:underline">Show every team</Link>}>
            It may have been renamed or removed.
          </EmptyState>
        </Card>
      </div>
    );
  }

  const enterprise = ENTERPRISE_METRICS.map((k) => summary[k]);
  const dora = DORA_METRICS.map((k) => summary.dora[k]);
  const nothing = [...enterprise, ...dora].every((m) => m.status === "no_data" || (m.metric === "deploymentFrequency" && m.value === 0));
  const production = summary.productionEnvironment ?? "production";
  const columns: TeamColumn[] = [...ENTERPRISE_METRICS, ...DORA_METRICS].map((metric) => ({ metric, label: DEFINITIONS[metric].label, unit: DEFINITIONS[metric].unit, higherIsBetter: DEFINITIONS[metric].higherIsBetter }));
  const rows: TeamRow[] = perTeam.teams.map((t) => ({
    slug: t.team.slug,
    name: t.team.name,
    color: t.team.color,
    cells: Object.fromEntries(
      [...ENTERPRISE_METRICS.map((k) => t[k]), ...DORA_METRICS.map((k) => t.dora[k])].map((m) => [m.metric, { value: m.value, status: m.status, band: m.band, detail: m.detail }]),
    ),
  }));
  const asOf = [
    summary.asOf.rollups ? `daily roll-ups ${relativeTime(summary.asOf.rollups)} (today read live)` : "no roll-up yet: every day read from the records",
    summary.asOf.adoptionScan ? `adoption scan ${relativeTime(summary.asOf.adoptionScan)}` : "no adoption scan yet",
    summary.asOf.complianceScan ? `compliance scan ${relativeTime(summary.asOf.complianceScan)}` : "no compliance scan yet",
  ].join(" · ");

  return (
    <div className="space-y-6">
      <PageHeader
        title="Insights"
        description="Whether the platform works: the enterprise metrics of the seed document and the DORA four keys, per team, each number leading to the records behind it."
        actions={<RefreshInsightsButton />}
      />

      <Card className="space-y-3 px-5 py-4">
        <InsightsFilters selection={selection} period={period} teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} />
        <p className="text-xs text-subtle" data-testid="insights-period">
          {summary.period.from} to {summary.period.to} ({summary.period.days} days, UTC){summary.team ? ` · team ${summary.team.name}` : " · every team"} · {asOf}
        </p>
        {problem ? (
          <p className="rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-sm text-warning" data-testid="insights-problem">
            {problem}
          </p>
        ) : null}
      </Card>

      {nothing ? (
        <Card data-testid="insights-empty">
          <EmptyState icon={Activity} title="Nothing to measure in this period yet">
            The numbers come from deployments and incidents (Delivery, SLOs), the adoption scan (Catalog) and the compliance scan (Governance). Widen the period, or come back once
            something has been promoted.
          </EmptyState>
        </Card>
      ) : null}

      <Card>
        <CardHeader
          title="Enterprise metrics"
          description="As the seed document states them: each current value against its target. Follow a value to the records behind it."
          actions={<CsvLink href={csvHref("summary", summary.period, { team: selection.team })} testId="summary-csv" />}
        />
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm" data-testid="enterprise-metrics">
            <THead>
              <tr>
                <Th>Metric</Th>
                <Th>Target</Th>
                <Th className="text-right">Your result</Th>
                <Th>Status</Th>
                <Th>Trend</Th>
              </tr>
            </THead>
            <TBody>
              {enterprise.map((m) => (
                <Tr key={m.metric} data-testid={`metric-row-${m.metric}`}>
                  <Td className="font-medium">{m.label}</Td>
                  <Td className="tabular text-muted" data-testid={`metric-target-${m.metric}`}>
                    {m.target.label}
                  </Td>
                  <Td className="text-right">
                    <Value metric={m} selection={selection} testId={`metric-value-${m.metric}`} className="text-lg" />
                    <div className="text-xs text-subtle">{m.detail}</div>
                  </Td>
                  <Td>
                    <StatusBadge status={m.status} testId={`metric-status-${m.metric}`} />
                  </Td>
                  <Td>
                    <div className="flex items-center gap-3">
                      <Sparkline points={m.trend?.points ?? []} target={m.target.value} label={m.label} unit={m.unit} />
                      <Change metric={m} />
                    </div>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </table>
        </div>
      </Card>

      <Card>
        <CardHeader title="DORA four keys" description={`Deliveries to ${production}, placed in the DORA performance bands (${DORA_SOURCE}). The target is the elite band.`} />
        <div className="grid gap-px bg-border sm:grid-cols-2 xl:grid-cols-4" data-testid="dora">
          {dora.map((m) => (
            <div key={m.metric} className="space-y-2 bg-surface px-5 py-4" data-testid={`dora-${m.metric}`}>
              <div className="flex items-center justify-between gap-2">
                <span className="text-sm text-muted">{m.label}</span>
                <BandBadge band={m.band} testId={`dora-band-${m.metric}`} />
              </div>
              <Value metric={m} selection={selection} testId={`dora-value-${m.metric}`} className="text-2xl" />
              <div className="text-xs text-subtle">
                {m.detail} · target {m.target.label}
              </div>
              <div className="flex items-center gap-3">
                <Sparkline points={m.trend?.points ?? []} label={m.label} unit={m.unit} width={140} />
                <Change metric={m} />
              </div>
            </div>
          ))}
        </div>
      </Card>

      <Card>
        <CardHeader
          title="By team"
          description={`The same numbers per team over ${summary.period.days} days; sort by any column, follow a number to the team's records.`}
          actions={<CsvLink href={csvHref("teams", summary.period)} testId="teams-csv" />}
        />
        {rows.length ? (
          <TeamsTable columns={columns} rows={rows} selection={selection} />
        ) : (
          <EmptyState title="No teams yet">Teams own services; their numbers appear here.</EmptyState>
        )}
      </Card>

      <Card data-testid="definitions">
        <CardHeader title="How these numbers are computed" description="Days are UTC calendar days. Every number is computed from the records its link lists." />
        <dl className="divide-y divide-border">
          {[...ENTERPRISE_METRICS, ...DORA_METRICS].map((k) => (
            <div key={k} className="grid gap-1 px-5 py-3 md:grid-cols-[14rem_1fr]">
              <dt className="text-sm font-medium">
                {DEFINITIONS[k].label} <span className="font-normal text-subtle">({DEFINITIONS[k].unit})</span>
              </dt>
              <dd className="text-sm text-muted">
                {DEFINITIONS[k].definition} <span className="text-subtle">Target: {DEFINITIONS[k].target.label}. Records: {DEFINITIONS[k].records.toLowerCase()}.</span>
              </dd>
            </div>
          ))}
        </dl>
        <div className="border-t border-border px-5 py-4">
          <h3 className="mb-2 text-sm font-semibold">DORA performance bands</h3>
          <div className="overflow-x-auto">
            <table className="w-full border-collapse text-sm" data-testid="dora-bands">
              <THead>
                <tr>
                  <Th>Key</Th>
                  {BANDS.map((b) => (
                    <Th key={b}>{BAND_LABEL[b]}</Th>
                  ))}
                </tr>
              </THead>
              <TBody>
                {DORA_METRICS.map((k) => (
                  <Tr key={k}>
                    <Td className="font-medium">{DEFINITIONS[k].label}</Td>
                    {BANDS.map((b) => (
                      <Td key={b} className="text-muted">
                        {DORA_BANDS[k].labels[b]}
                      </Td>
                    ))}
                  </Tr>
                ))}
              </TBody>
            </table>
          </div>
          <p className="mt-2 text-xs text-subtle">
            Source: {DORA_SOURCE}. The report&apos;s clusters leave gaps between them; here each band reaches up to the next one&apos;s boundary, and a value on a boundary takes
            the better band.
          </p>
        </div>
      </Card>
    </div>
  );
}
