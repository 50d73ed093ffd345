"use client";

// The same numbers per team, sortable by any column; each number leads to its records for that team.
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { cn } from "@/components/ui/cn";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { BAND_LABEL, STATUS_LABEL, formatValue, insightsHref, recordsHref, type Band, type Selection, type Status, type Unit } from "./format";

export interface TeamCell {
  value: number | null;
  status: Status;
  band: Band | null;
  detail: string;
}

export interface TeamColumn {
  metric: string;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
}

export interface TeamRow {
  slug: string;
  name: string;
  color: string;
  cells: Record<string, TeamCell>;
}

const STATUS_TEXT: Record<Status, string> = { met: "text-success", not_met: "text-danger", no_data: "text-subtle" };

export function TeamsTable({ columns, rows, selection }: { columns: TeamColumn[]; rows: TeamRow[]; selection: Selection }) {
  const [sort, setSort] = useState<{ key: string; dir: "asc" | "desc" }>({ key: "team", dir: "asc" });
  const sorted = useMemo(() => {
    const out = [...rows];
    out.sort((a, b) => {
      if (sort.key === "team") return a.name.localeCompare(b.name) * (sort.dir === "asc" ? 1 : -1);
      const va = a.cells[sort.key]?.value ?? null;
      const vb = b.cells[sort.key]?.value ?? null;
      // Teams without a figure go last whichever the direction.
      if (va === null || vb === null) return va === null ? (vb === null ? a.name.localeCompare(b.name) : 1) : -1;
      return (va - vb) * (sort.dir === "asc" ? 1 : -1) || a.name.localeCompare(b.name);
    });
    return out;
  }, [rows, sort]);

  const header = (key: string, label: string, higherIsBetter = true) => {
    const active = sort.key === key ? sort.dir : null;
    return (
      <Th key={key} aria-sort={active === "asc" ? "ascending" : active === "desc" ? "descending" : "none"} className={key === "team" ? undefined : "text-right"}>
        <button
          type="button"
          className="inline-flex items-center gap-1 uppercase hover:text-foreground"
          onClick={() => setSort({ key, dir: active === null ? (key === "team" || !higherIsBetter ? "asc" : "desc") : active === "asc" ? "desc" : "asc" })}
          data-testid={`teams-sort-${key}`}
        >
          {label}
          {active === "asc" ? <ArrowUp className="size-3" /> : active === "desc" ? <ArrowDown className="size-3" /> : <ArrowUpDown className="size-3 opacity-40" />}
        </button>
      </Th>
    );
  };

  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm" data-testid="teams-table">
        <THead>
          <tr>
            {header("team", "Team")}
            {columns.map((c) => header(c.metric, c.label, c.higherIsBetter))}
          </tr>
        </THead>
        <TBody>
          {sorted.map((row) => (
            <Tr key={row.slug} data-testid={`team-row-${row.slug}`}>
              <Td className="whitespace-nowrap font-medium">
                <Link href={insightsHref({ ...selection, team: row.slug })} className="inline-flex items-center gap-2 hover:text-accent">
                  <span className="size-2 rounded-full" style={{ background: row.color }} aria-hidden />
                  {row.name}
                </Link>
              </Td>
              {columns.map((c) => {
                const cell = row.cells[c.metric];
                if (!cell) return <Td key={c.metric} />;
                return (
                  <Td key={c.metric} className="whitespace-nowrap text-right tabular" title={`${cell.detail} · ${STATUS_LABEL[cell.status]}${cell.band ? ` · ${BAND_LABEL[cell.band]}` : ""}`}>
                    <Link href={recordsHref(c.metric, { ...selection, team: row.slug })} className={cn("font-medium hover:underline", STATUS_TEXT[cell.status])}>
                      {formatValue(cell.value, c.unit)}
                    </Link>
                    {cell.band ? <div className="text-[11px] text-subtle">{BAND_LABEL[cell.band]}</div> : null}
                  </Td>
                );
              })}
            </Tr>
          ))}
        </TBody>
      </table>
    </div>
  );
}
