"use client";

// The incidents list: every page that opened an incident in the time range, open ones first, with
// its service, SLO, how long it lasted (or has lasted), the deployment that preceded it and the
// remediation self-healing decided. Filters (service, status, range) are kept in the URL; columns
// sort on a click; polled every few seconds while any incident is open.
import { useQuery } from "@tanstack/react-query";
import { flexRender, getCoreRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { Siren } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState, useTransition } from "react";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { useNow } from "@/components/delivery/use-now";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { NativeSelect } from "@/components/ui/input";
import { SortableTHead, TBody, Td, Tr } from "@/components/ui/table";
import type { IncidentDto, RemediationDto } from "@/lib/incidents/schemas";
import {
  compareIncidents,
  deploymentHref,
  formatDuration,
  formatUtc,
  incidentSeconds,
  incidentsApiQuery,
  INCIDENT_RANGES,
  latestRemediationByIncident,
  listPollMs,
  medianMttr,
  readIncidentFilters,
  writeIncidentFilters,
  type IncidentFilters,
  type IncidentLinks,
  type IncidentsData,
  type IncidentRange,
} from "./model";
import { GuardrailBadge, IncidentStatusBadge, RemediationStatusBadge } from "./status";

const RANGE_LABEL: Record<IncidentRange, string> = { "24h": "Last 24 hours", "7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days" };

async function fetchIncidents(filters: IncidentFilters): Promise<IncidentsData> {
  const [incidents, remediations] = await Promise.all([
    api<{ items: IncidentDto[] }>(`/api/v1/incidents?${incidentsApiQuery(filters, Date.now())}`),
    api<{ items: RemediationDto[] }>(`/api/v1/remediations?limit=1000${filters.service ? `&service=${encodeURIComponent(filters.service)}` : ""}`),
  ]);
  return { items: incidents.items, remediations: remediations.items };
}

export function IncidentsTable({ initial, initialQuery, services, links }: { initial: IncidentsData; initialQuery: string; services: string[]; links: IncidentLinks }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const filters = readIncidentFilters(params);
  const query = writeIncidentFilters(filters);
  const [pending, startTransition] = useTransition();
  const [sorting, setSorting] = useState<SortingState>([]);

  const { data, error } = useQuery({
    queryKey: ["incidents", "list", query],
    queryFn: () => fetchIncidents(filters),
    ...(query === initialQuery ? { initialData: initial } : {}),
    refetchInterval: (q) => listPollMs(q.state.data?.items ?? []),
  });
  const items = useMemo(() => [...(data?.items ?? [])].sort(compareIncidents), [data]);
  const remediationOf = useMemo(() => latestRemediationByIncident(data?.remediations ?? []), [data]);
  const anyOpen = items.some((i) => i.status === "open");
  const now = useNow(1000, anyOpen);

  const update = (patch: Partial<IncidentFilters>) => {
    const next = writeIncidentFilters({ ...readIncidentFilters(params), ...patch });
    startTransition(() => router.replace(`${pathname}${next ? `?${next}` : ""}`, { scroll: false }));
  };

  const columns = useMemo<ColumnDef<IncidentDto>[]>(
    () => [
      {
        id: "incident",
        header: "Incident",
        accessorFn: (i) => i.number,
        cell: ({ row }) => {
          const i = row.original;
          return (
            <div className="min-w-48 max-w-md">
              <Link href={`/slos/incidents/${i.id}`} className="font-medium hover:underline" data-testid={`incident-link-${i.number}`}>
                #{i.number}
              </Link>{" "}
              <span className="text-xs text-muted">{i.summary || i.alertname}</span>
            </div>
          );
        },
      },
      { id: "status", header: "Status", accessorFn: (i) => (i.status === "open" ? 0 : 1), cell: ({ row }) => <IncidentStatusBadge status={row.original.status} /> },
      {
        id: "service",
        header: "Service",
        accessorFn: (i) => i.service,
        cell: ({ row }) => (
          <div className="whitespace-nowrap">
            <Link href={`/services/${row.original.service}`} className="font-mono text-xs hover:underline">
              {row.original.service}
            </Link>
            <div className="text-xs text-subtle">{row.original.environment}</div>
          </div>
        ),
      },
      {
        id: "slo",
        header: "SLO",
        accessorFn: (i) => i.slo ?? "",
        cell: ({ row }) => {
          const i = row.original;
          if (!i.slo) return <span className="text-subtle">—</span>;
          const id = links.slos[`${i.service}/${i.slo}`];
          return id ? (
            <Link href={`/slos/${id}`} className="font-mono text-xs hover:underline">
              {i.slo}
            </Link>
          ) : (
            <span className="font-mono text-xs">{i.slo}</span>
          );
        },
      },
      { id: "severity", header: "Severity", accessorFn: (i) => i.severity, cell: ({ row }) => <span className="text-xs">{row.original.severity}</span> },
      {
        id: "started",
        header: "Started",
        accessorFn: (i) => Date.parse(i.startedAt),
        cell: ({ row }) => (
          <span className="whitespace-nowrap text-xs" title={formatUtc(row.original.startedAt)} suppressHydrationWarning>
            {relativeTime(row.original.startedAt)}
          </span>
        ),
      },
      {
        id: "duration",
        header: "Duration / MTTR",
        accessorFn: (i) => incidentSeconds(i, Date.now()),
        cell: ({ row }) => {
          const i = row.original;
          return (
            <span className={cn("tabular whitespace-nowrap text-xs", i.status === "open" && "font-medium text-danger")} data-testid="incident-duration" suppressHydrationWarning>
              {formatDuration(incidentSeconds(i, now))}
              {i.status === "open" ? <span className="font-normal text-subtle"> so far</span> : null}
            </span>
          );
        },
      },
      {
        id: "deployment",
        header: "Preceding deployment",
        accessorFn: (i) => i.precedingDeployment?.version ?? "",
        cell: ({ row }) => {
          const i = row.original;
          const href = deploymentHref(i, links.promotions);
          if (!i.precedingDeployment || !href) return <span className="text-subtle">—</span>;
          return (
            <Link href={href} className="font-mono text-xs text-accent hover:underline" title="The service's last deployment in the environment before the incident started">
              {i.precedingDeployment.version ?? "deployment"}
            </Link>
          );
        },
      },
      {
        id: "remediation",
        header: "Remediation",
        accessorFn: (i) => remediationOf.get(i.id)?.status ?? "",
        cell: ({ row }) => {
          const r = remediationOf.get(row.original.id);
          if (!r) return <span className="text-xs text-subtle">{row.original.automation === "none" ? "none (no automation)" : "—"}</span>;
          return (
            <div className="flex flex-wrap items-center gap-1.5">
              <code className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-[11px]">{r.playbook}</code>
              <RemediationStatusBadge status={r.status} />
              <GuardrailBadge guardrail={r.guardrail} />
            </div>
          );
        },
      },
    ],
    [links, remediationOf, now],
  );

  const table = useReactTable({ data: items, columns, state: { sorting }, onSortingChange: setSorting, getCoreRowModel: getCoreRowModel(), getSortedRowModel: getSortedRowModel() });
  const open = items.filter((i) => i.status === "open").length;
  const mttr = medianMttr(items);

  return (
    <div aria-busy={pending}>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3">
        <NativeSelect aria-label="Service" className="w-52" value={filters.service} onChange={(e) => update({ service: e.target.value })} data-testid="incidents-service">
          <option value="">All services</option>
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </NativeSelect>
        <NativeSelect aria-label="Time range" className="w-44" value={filters.range} onChange={(e) => update({ range: e.target.value as IncidentRange })} data-testid="incidents-range">
          {(Object.keys(INCIDENT_RANGES) as IncidentRange[]).map((r) => (
            <option key={r} value={r}>
              {RANGE_LABEL[r]}
            </option>
          ))}
        </NativeSelect>
        <div className="flex gap-1" role="group" aria-label="Filter by status">
          {(["", "open", "resolved"] as const).map((s) => (
            <button
              key={s || "all"}
              type="button"
              aria-pressed={filters.status === s}
              onClick={() => update({ status: s })}
              className={cn(
                "rounded-full border px-2.5 py-0.5 text-xs font-medium transition-colors",
                filters.status === s ? "border-accent bg-accent-soft text-accent" : "border-border text-muted hover:bg-surface-2",
              )}
              data-testid={`incidents-status-${s || "all"}`}
            >
              {s === "" ? "All" : s === "open" ? "Open" : "Resolved"}
            </button>
          ))}
        </div>
        <span className="ml-auto flex flex-wrap gap-x-4 text-sm text-muted tabular" aria-live="polite" data-testid="incidents-summary">
          <span>
            <span className={cn("font-medium", open ? "text-danger" : "text-foreground")}>{open}</span> open
          </span>
          <span>
            <span className="font-medium text-foreground">{items.length - open}</span> resolved
          </span>
          <span title="The median time to recover of the resolved incidents listed">
            median MTTR <span className="font-medium text-foreground">{formatDuration(mttr)}</span>
          </span>
        </span>
      </div>
      {error ? (
        <p className="border-b border-border bg-warning-soft px-5 py-2 text-sm text-warning" role="status">
          Could not refresh the incidents just now ({(error as Error).message}); showing the last ones read.
        </p>
      ) : null}
      {items.length === 0 ? (
        <div data-testid="incidents-empty">
          <EmptyState icon={Siren} title={data ? "No incidents" : "Loading the incidents…"}>
            {data
              ? `No page opened an incident${filters.service ? ` for ${filters.service}` : ""}${filters.status ? ` that is ${filters.status}` : ""} in the ${RANGE_LABEL[filters.range].toLowerCase()}. An incident opens when an SLO's page alert reaches Paved through Alertmanager.`
              : null}
          </EmptyState>
        </div>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm" data-testid="incidents-table">
            <SortableTHead table={table} />
            <TBody>
              {table.getRowModel().rows.map((row) => (
                <Tr key={row.id} data-testid="incident-row" data-status={row.original.status}>
                  {row.getVisibleCells().map((cell) => (
                    <Td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</Td>
                  ))}
                </Tr>
              ))}
            </TBody>
          </table>
        </div>
      )}
    </div>
  );
}
