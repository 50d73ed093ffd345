import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeft, ChevronLeft, ChevronRight, Download, TriangleAlert } from "lucide-react";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { NoAccess } from "@/components/shell/no-access";
import { csvHref, formatTime, insightsHref, recordsHref, selectionFrom } from "@/components/insights/format";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { NotFoundError } from "@/lib/core/errors";
import { DEFINITIONS, MetricKeySchema, RecordsQuery, insightsRecords, type RecordsDto } from "@/lib/insights";

export const metadata: Metadata = { title: "Insights records" };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 64);
const PAGE = 50;

export default async function InsightsRecordsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "insights.read")) return <NoAccess permission="insights.read" />;
  const raw = await searchParams;
  const today = new Date().toISOString().slice(0, 10);
  const { selection, period, problem } = selectionFrom({ range: first(raw.range), from: first(raw.from), to: first(raw.to), team: first(raw.team) }, today);
  const metric = MetricKeySchema.safeParse(first(raw.metric));
  const back = (
    <Link href={insightsHref(selection)} className="inline-flex items-center gap-1 text-sm font-medium text-accent hover:underline" data-testid="records-back">
      <ArrowLeft className="size-4" aria-hidden /> Insights
    </Link>
  );
  if (!metric.success) {
    return (
      <div className="space-y-6">
        <PageHeader title="Records" actions={back} />
        <Card>
          <EmptyState icon={TriangleAlert} title="No such number">
            Follow a number from the Insights page to the records behind it.
          </EmptyState>
        </Card>
      </div>
    );
  }
  const offset = Math.max(0, Math.min(1_000_000, Math.floor(Number(first(raw.offset) ?? 0)) || 0));
  let records: RecordsDto;
  try {
    records = await insightsRecords(db(), RecordsQuery.parse({ metric: metric.data, ...period, ...(selection.team ? { team: selection.team } : {}), limit: PAGE, offset }));
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    return (
      <div className="space-y-6">
        <PageHeader title="Records" actions={back} />
        <Card>
          <EmptyState icon={TriangleAlert} title={`There is no team "${selection.team}"`} />
        </Card>
      </div>
    );
  }
  const definition = DEFINITIONS[metric.data];
  const last = records.offset + records.items.length;

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={`Insights · ${definition.label}`}
        title={records.title}
        description={`${records.period.from} to ${records.period.to} (UTC)${records.team ? ` · team ${records.team.name}` : " · every team"}`}
        actions={
          <>
            {back}
            <a
              href={csvHref("records", records.period, { team: selection.team, metric: metric.data })}
              download
              className="inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2"
              data-testid="records-csv"
            >
              <Download className="size-4" aria-hidden /> Download CSV
            </a>
          </>
        }
      />
      {problem ? <p className="rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-sm text-warning">{problem}</p> : null}
      <Card>
        <div className="flex flex-wrap items-center justify-between gap-2 border-b border-border px-5 py-3 text-sm">
          <span className="text-muted" data-testid="records-total">
            {records.total === 0 ? "No records" : `${records.offset + 1}–${last} of ${records.total.toLocaleString("en-US")}`}
          </span>
          {records.note ? <span className="text-xs text-subtle">{records.note}</span> : null}
        </div>
        {records.items.length === 0 ? (
          <EmptyState title="Nothing here for this period">
            {records.offset > 0 ? "This page is past the end of the list." : "Nothing counts against this number in the period: widen it, or pick another team."}
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full border-collapse text-sm" data-testid="records-table">
              <THead>
                <tr>
                  {records.columns.map((c) => (
                    <Th key={c.key} className={c.kind === "number" ? "text-right" : undefined}>
                      {c.label}
                    </Th>
                  ))}
                </tr>
              </THead>
              <TBody>
                {records.items.map((item, i) => (
                  <Tr key={String(item.id ?? i)}>
                    {records.columns.map((c) => {
                      const v = item[c.key] ?? null;
                      return (
                        <Td key={c.key} className={c.kind === "number" ? "text-right tabular" : c.kind === "time" ? "whitespace-nowrap tabular text-muted" : c.key === "message" || c.key === "summary" ? "min-w-64" : "whitespace-nowrap"}>
                          {v === null ? <span className="text-subtle">—</span> : c.kind === "time" ? formatTime(String(v)) : String(v)}
                        </Td>
                      );
                    })}
                  </Tr>
                ))}
              </TBody>
            </table>
          </div>
        )}
        {records.total > PAGE ? (
          <div className="flex items-center justify-end gap-2 border-t border-border px-5 py-3 text-sm">
            {records.offset > 0 ? (
              <Link href={recordsHref(metric.data, selection, Math.max(0, records.offset - PAGE))} className="inline-flex items-center gap-1 text-accent hover:underline">
                <ChevronLeft className="size-4" aria-hidden /> Previous
              </Link>
            ) : null}
            {last < records.total ? (
              <Link href={recordsHref(metric.data, selection, last)} className="inline-flex items-center gap-1 text-accent hover:underline" data-testid="records-next">
                Next <ChevronRight className="size-4" aria-hidden />
              </Link>
            ) : null}
          </div>
        ) : null}
      </Card>
      <p className="max-w-3xl text-sm text-muted">
        <span className="font-medium text-foreground">{definition.label}:</span> {definition.definition}
      </p>
    </div>
  );
}
