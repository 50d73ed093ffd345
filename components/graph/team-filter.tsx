"use client";

// Team chips: none pressed shows every team; pressing some dims the others, or hides them with
// "Hide others" (edges to hidden services disappear with them).
import { cn } from "@/components/ui/cn";
import type { Team } from "./model";

export function TeamFilter({
  teams,
  counts,
  selected,
  hideOthers,
  onChange,
  onHideOthers,
}: {
  teams: readonly Team[];
  counts: ReadonlyMap<string, number>;
  selected: readonly string[];
  hideOthers: boolean;
  onChange: (teams: string[]) => void;
  onHideOthers: (hide: boolean) => void;
}) {
  const toggle = (slug: string) => onChange(selected.includes(slug) ? selected.filter((s) => s !== slug) : [...selected, slug]);
  return (
    <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Filter by team" data-testid="graph-team-filter">
      <button
        type="button"
        aria-pressed={selected.length === 0}
        onClick={() => onChange([])}
        className={cn(
          "h-7 rounded-full border px-2.5 text-xs font-medium transition-colors",
          selected.length === 0 ? "border-accent bg-accent-soft text-accent" : "border-border-strong bg-surface text-muted hover:text-foreground",
        )}
      >
        All teams
      </button>
      {teams.map((t) => {
        const on = selected.includes(t.slug);
        return (
          <button
            key={t.slug}
            type="button"
            aria-pressed={on}
            data-team={t.slug}
            onClick={() => toggle(t.slug)}
            className={cn(
              "inline-flex h-7 items-center gap-1.5 rounded-full border px-2.5 text-xs font-medium transition-colors",
              on ? "border-accent bg-accent-soft text-foreground" : "border-border-strong bg-surface text-muted hover:text-foreground",
            )}
          >
            <span className="size-2 rounded-full" style={{ background: t.color }} aria-hidden />
            {t.name}
            <span className="tabular text-subtle">{counts.get(t.slug) ?? 0}</span>
          </button>
        );
      })}
      {selected.length > 0 ? (
        <label className="ml-1 inline-flex cursor-pointer items-center gap-1.5 text-xs text-muted">
          <input type="checkbox" className="accent-[var(--accent)]" checked={hideOthers} onChange={(e) => onHideOthers(e.target.checked)} data-testid="graph-hide-others" />
          Hide other teams
        </label>
      ) : null}
    </div>
  );
}
