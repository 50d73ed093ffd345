"use client";

// The period (7, 30 or 90 days back from today, or custom dates) and the team, kept in the URL so
// that any view can be shared as a link.
import { usePathname, useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input, NativeSelect } from "@/components/ui/input";
import { RANGES, selectionParams, type RangeKey, type Selection } from "./format";

export function InsightsFilters({ selection, period, teams }: { selection: Selection; period: { from: string; to: string }; teams: { slug: string; name: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const [custom, setCustom] = useState(selection.range === "custom");
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);

  const go = (next: Selection) => {
    const p = selectionParams(next).toString();
    startTransition(() => router.replace(`${pathname}${p ? `?${p}` : ""}`, { scroll: false }));
  };
  const pick = (range: RangeKey) => {
    if (range === "custom") {
      setCustom(true);
      return;
    }
    setCustom(false);
    go({ range, ...(selection.team ? { team: selection.team } : {}) });
  };
  const active = custom ? "custom" : selection.range;

  return (
    <div className={cn("flex flex-wrap items-end gap-3", pending && "opacity-70")} aria-busy={pending || undefined} data-testid="insights-filters">
      <div role="group" aria-label="Period" className="inline-flex rounded-md border border-border-strong bg-surface p-0.5 shadow-xs">
        {[...RANGES, "custom" as const].map((r) => (
          <button
            key={r}
            type="button"
            onClick={() => pick(r)}
            aria-pressed={active === r}
            data-testid={`range-${r}`}
            className={cn("rounded px-3 py-1.5 text-sm font-medium transition-colors", active === r ? "bg-accent text-accent-foreground" : "text-muted hover:bg-surface-2 hover:text-foreground")}
          >
            {r === "custom" ? "Custom" : r.replace("d", " days")}
          </button>
        ))}
      </div>
      {custom ? (
        <form
          className="flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            go({ range: "custom", from, to, ...(selection.team ? { team: selection.team } : {}) });
          }}
        >
          <label className="text-xs text-muted">
            From
            <Input type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} className="mt-1 w-40" data-testid="range-from" required />
          </label>
          <label className="text-xs text-muted">
            To
            <Input type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} className="mt-1 w-40" data-testid="range-to" required />
          </label>
          <Button type="submit" variant="secondary" data-testid="range-apply">
            Apply
          </Button>
        </form>
      ) : null}
      <label className="ml-auto text-xs text-muted">
        Team
        <NativeSelect
          value={selection.team ?? ""}
          onChange={(e) => go({ ...selection, team: e.target.value || undefined })}
          className="mt-1 w-48"
          data-testid="insights-team"
          aria-label="Team"
        >
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </NativeSelect>
      </label>
    </div>
  );
}
