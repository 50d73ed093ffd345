"use client";

// The SLO overview: every SLO, most at risk first (budget spent, critical, warning, ok, no data),
// filtered by team, service, risk or text and optionally grouped per team, all kept in the URL.
// Columns sort on a click; the rows are the server's, computed in one batch from the metrics source.
import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { Gauge, Search } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Fragment, useEffect, useMemo, useRef, useState, useTransition } from "react";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, NativeSelect } from "@/components/ui/input";
import { SortableTHead, TBody, Td, Tr } from "@/components/ui/table";
import {
  applyFilters,
  burnRateOf,
  compareByRisk,
  formatBurnRate,
  formatPercent,
  groupByTeam,
  readFilters,
  RISK_ORDER,
  riskCounts,
  writeFilters,
  type OverviewFilters,
  type OverviewRow,
  type RiskLevel,
} from "./model";
import { AlertBadge, AutomationLabel, BudgetBar, RISK, RiskBadge } from "./status";

export function SlosTable({ rows, teams, services }: { rows: OverviewRow[]; teams: { slug: string; name: string }[]; services: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readFilters(params);
  const [q, setQ] = useState(filters.q);
  const [sorting, setSorting] = useState<SortingState>([{ id: "risk", desc: false }]);
  const [pending, startTransition] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const update = (patch: Partial<OverviewFilters>) => {
    const query = writeFilters({ ...readFilters(params), ...patch });
    startTransition(() => router.replace(`${pathname}${query ? `?${query}` : ""}`, { scroll: false }));
  };

  const { team, service, risk, group } = filters;
  const data = useMemo(() => applyFilters(rows, { team, service, risk, q, group }), [rows, team, service, risk, q, group]);
  // The risk chips count what the other filters leave, so that each says what a click would show.
  const counts = useMemo(() => riskCounts(applyFilters(rows, { team, service, risk: "", q, group })), [rows, team, service, q, group]);

  const columns = useMemo<ColumnDef<OverviewRow>[]>(
    () => [
      {
        id: "service",
        header: "Service",
        accessorFn: (s) => s.service.name,
        cell: ({ row }) => (
          <Link href={`/services/${row.original.service.name}`} className="font-mono text-xs hover:underline">
            {row.original.service.name}
          </Link>
        ),
      },
      {
        id: "slo",
        header: "SLO",
        accessorFn: (s) => s.displayName || s.name,
        cell: ({ row }) => (
          <div className="min-w-40">
            <Link href={`/slos/${row.original.id}`} className="font-medium hover:underline" data-testid={`slo-link-${row.original.service.name}-${row.original.name}`}>
              {row.original.displayName || row.original.name}
            </Link>
            <div className="text-xs text-subtle">
              {row.original.kind} · <span className="font-mono">{row.original.name}</span>
              {row.original.environment !== "production" ? <> · {row.original.environment}</> : null}
            </div>
          </div>
        ),
      },
      { id: "objective", header: "Objective", accessorFn: (s) => s.objective, cell: ({ row }) => <span className="tabular">{formatPercent(row.original.objective, 4)}</span> },
      { id: "window", header: "Window", accessorFn: (s) => Number.parseInt(s.window, 10), cell: ({ row }) => <span className="tabular">{row.original.window}</span> },
      {
        id: "sli",
        header: "SLI now",
        accessorFn: (s) => s.status?.sli ?? -1,
        cell: ({ row }) => {
          const s = row.original;
          const sli = s.status?.sli ?? null;
          return (
            <span className={cn("tabular", sli !== null && sli < s.objective && "text-danger")} title={`Good events over the last ${s.window}`}>
              {formatPercent(sli, 3)}
            </span>
          );
        },
      },
      {
        id: "budget",
        header: "Budget left",
        accessorFn: (s) => s.status?.budget.remainingPercent ?? Infinity,
        cell: ({ row }) => <BudgetBar status={row.original.status} compact />,
      },
      {
        id: "burn",
        header: "Burn 1 h",
        accessorFn: (s) => burnRateOf(s.status, "1h") ?? -1,
        cell: ({ row }) => {
          const burn = burnRateOf(row.original.status, "1h");
          return <span className={cn("tabular", burn !== null && burn > 1 && "font-medium text-warning", row.original.status?.alerts.page && "text-danger")}>{formatBurnRate(burn)}</span>;
        },
      },
      { id: "alerts", header: "Alerts", accessorFn: (s) => (s.status?.alerts.page ? 2 : s.status?.alerts.ticket ? 1 : 0), cell: ({ row }) => <AlertBadge status={row.original.status} alerting={row.original.alerting} /> },
      { id: "automation", header: "Automation", accessorFn: (s) => s.automation, cell: ({ row }) => <AutomationLabel automation={row.original.automation} /> },
      {
        id: "risk",
        header: "Risk",
        accessorFn: (s) => s.status?.risk.level ?? "unknown",
        sortingFn: (a, b) => compareByRisk(a.original, b.original),
        cell: ({ row }) => <RiskBadge status={row.original.status} />,
      },
    ],
    [],
  );

  const table = useReactTable({ data, columns, state: { sorting }, onSortingChange: setSorting, getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel() });
  const sorted = table.getRowModel().rows;
  const groups = filters.group ? groupByTeam(sorted.map((r) => r.original)) : null;
  const rowById = new Map(sorted.map((r) => [r.original.id, r]));
  const renderRow = (id: string) => {
    const row = rowById.get(id)!;
    return (
      <Tr key={row.id} data-testid="slo-row" data-risk={row.original.status?.risk.level ?? "unknown"}>
        {row.getVisibleCells().map((cell) => (
          <Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Td>
        ))}
      </Tr>
    );
  };

  return (
    <div aria-busy={pending}>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3">
        <div className="relative min-w-56 flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-subtle" aria-hidden />
          <Input
            type="search"
            aria-label="Search SLOs"
            placeholder="Search SLO or service…"
            className="pl-9"
            value={q}
            data-testid="slos-search"
            onChange={(e) => {
              const value = e.target.value;
              setQ(value);
              clearTimeout(timer.current);
              timer.current = setTimeout(() => update({ q: value.trim() }), 250);
            }}
          />
        </div>
        <NativeSelect aria-label="Team" className="w-44" value={filters.team} onChange={(e) => update({ team: e.target.value })} data-testid="slos-team">
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label="Service" className="w-48" value={filters.service} onChange={(e) => update({ service: e.target.value })} data-testid="slos-service">
          <option value="">All services</option>
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </NativeSelect>
        <label className="flex items-center gap-1.5 text-sm text-muted">
          <input type="checkbox" checked={filters.group} onChange={(e) => update({ group: e.target.checked })} data-testid="slos-group" /> Group by team
        </label>
        <span className="text-sm text-muted tabular" aria-live="polite">
          {data.length} of {rows.length}
        </span>
      </div>
      <div className="flex flex-wrap gap-2 border-b border-border px-5 py-2.5" role="group" aria-label="Filter by risk">
        {RISK_ORDER.map((level: RiskLevel) => {
          const r = RISK[level];
          const active = filters.risk === level;
          return (
            <button
              key={level}
              type="button"
              aria-pressed={active}
              onClick={() => update({ risk: active ? "" : level })}
              className={cn(
                "inline-flex items-center gap-1.5 rounded-full border px-2.5 py-0.5 text-xs font-medium transition-colors",
                active ? "border-accent bg-accent-soft text-accent" : "border-border text-muted hover:bg-surface-2",
                counts[level] === 0 && !active && "opacity-50",
              )}
              data-testid={`risk-filter-${level}`}
            >
              <span className={cn("size-2 rounded-full", r.bar)} aria-hidden />
              {r.label} <span className="tabular">{counts[level]}</span>
            </button>
          );
        })}
      </div>
      {data.length === 0 ? (
        <EmptyState icon={Gauge} title="No SLOs match">
          Clear the search, or pick another team, service or risk.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm" data-testid="slos-table">
            <SortableTHead table={table} />
            {groups ? (
              groups.map((g) => {
                const c = riskCounts(g.items);
                return (
                  <Fragment key={g.team.slug}>
                    <tbody>
                      <tr className="border-y border-border bg-surface-2/60">
                        <td colSpan={columns.length} className="px-4 py-2 text-xs font-medium" data-testid={`slo-group-${g.team.slug}`}>
                          <span className="inline-flex items-center gap-2">
                            <span className="size-2 rounded-full" style={{ background: g.team.color }} aria-hidden />
                            {g.team.name}
                            <span className="text-subtle">
                              {g.items.length} SLO{g.items.length === 1 ? "" : "s"}
                              {c.exhausted + c.critical ? ` · ${c.exhausted + c.critical} at risk` : ""}
                            </span>
                          </span>
                        </td>
                      </tr>
                    </tbody>
                    <TBody>{g.items.map((i) => renderRow(i.id))}</TBody>
                  </Fragment>
                );
              })
            ) : (
              <TBody>{sorted.map((r) => renderRow(r.original.id))}</TBody>
            )}
          </table>
        </div>
      )}
    </div>
  );
}
