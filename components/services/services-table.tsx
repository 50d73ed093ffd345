"use client";

import { flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable, type ColumnDef, type SortingState } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown, Network, Search } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import Link from "next/link";
import { StrategyBadge } from "@/components/services/strategy";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, NativeSelect } from "@/components/ui/input";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { ServiceDto } from "@/lib/services/schemas";

function DependencyList({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="text-subtle">—</span>;
  return (
    <span className="flex flex-wrap gap-1">
      {names.map((n) => (
        <Link key={n} href={`/services/${n}`} className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-[11px] hover:underline">
          {n}
        </Link>
      ))}
    </span>
  );
}

export function ServicesTable({ services, teams }: { services: ServiceDto[]; teams: { slug: string; name: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [sorting, setSorting] = useState<SortingState>([{ id: "name", desc: false }]);
  const [q, setQ] = useState(params.get("q") ?? "");
  const team = params.get("team") ?? "";

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  const data = useMemo(() => (team ? services.filter((s) => s.team.slug === team) : services), [services, team]);
  const columns = useMemo<ColumnDef<ServiceDto>[]>(
    () => [
      {
        id: "name",
        header: "Service",
        accessorFn: (s) => s.name,
        cell: ({ row }) => (
          <div>
            <Link href={`/services/${row.original.name}`} className="font-medium hover:underline" data-testid={`service-link-${row.original.name}`}>
              {row.original.name}
            </Link>
            <div className="max-w-xs truncate text-xs text-subtle">{row.original.description}</div>
          </div>
        ),
      },
      {
        id: "team",
        header: "Team",
        accessorFn: (s) => s.team.name,
        cell: ({ row }) => (
          <span className="flex items-center gap-2 whitespace-nowrap">
            <span className="size-2 rounded-full" style={{ background: row.original.team.color }} aria-hidden />
            {row.original.team.name}
          </span>
        ),
      },
      {
        id: "strategy",
        header: "Strategy",
        accessorFn: (s) => s.strategy,
        cell: ({ row }) => <StrategyBadge strategy={row.original.strategy} steps={row.original.trafficSteps} />,
      },
      { id: "dependsOn", header: "Depends on", accessorFn: (s) => s.dependsOn.length, cell: ({ row }) => <DependencyList names={row.original.dependsOn} /> },
      { id: "dependents", header: "Used by", accessorFn: (s) => s.dependents.length, cell: ({ row }) => <DependencyList names={row.original.dependents} /> },
      {
        id: "health",
        header: "Health check",
        accessorFn: (s) => s.healthCheckPath,
        cell: ({ row }) => <code className="font-mono text-xs text-muted">{row.original.healthCheckPath}</code>,
      },
    ],
    [],
  );
  const table = useReactTable({
    data,
    columns,
    state: { sorting, globalFilter: q },
    onSortingChange: setSorting,
    onGlobalFilterChange: setQ,
    globalFilterFn: (row, _col, value: string) => {
      const needle = value.toLowerCase();
      const s = row.original;
      return [s.name, s.description, s.team.name, ...s.dependsOn].some((v) => v.toLowerCase().includes(needle));
    },
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });
  const rows = table.getRowModel().rows;

  return (
    <div>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3">
        <div className="relative min-w-56 flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-subtle" aria-hidden />
          <Input
            aria-label="Search services"
            placeholder="Search name, description, team, dependency…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            onBlur={() => setParam("q", q)}
            className="pl-9"
            data-testid="services-search"
          />
        </div>
        <label htmlFor="team-filter" className="sr-only">
          Team
        </label>
        <NativeSelect id="team-filter" value={team} onChange={(e) => setParam("team", e.target.value)} className="w-48" data-testid="services-team">
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </NativeSelect>
        <span className="text-sm text-muted tabular" aria-live="polite">
          {rows.length} of {services.length}
        </span>
      </div>
      {rows.length === 0 ? (
        <EmptyState icon={Network} title={services.length === 0 ? "No services yet" : "No services match"}>
          {services.length === 0 ? "Services appear here once they are registered." : "Clear the search or pick another team."}
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm" data-testid="services-table">
            <THead>
              {table.getHeaderGroups().map((hg) => (
                <tr key={hg.id}>
                  {hg.headers.map((h) => {
                    const sorted = h.column.getIsSorted();
                    return (
                      <Th key={h.id} aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}>
                        <button className="inline-flex items-center gap-1 uppercase hover:text-foreground" onClick={h.column.getToggleSortingHandler()}>
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          {sorted === "asc" ? <ArrowUp className="size-3" /> : sorted === "desc" ? <ArrowDown className="size-3" /> : <ArrowUpDown className="size-3 opacity-40" />}
                        </button>
                      </Th>
                    );
                  })}
                </tr>
              ))}
            </THead>
            <TBody>
              {rows.map((row) => (
                <Tr key={row.id}>
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
