"use client";

// Find a service: typing lists matches (name first, then team and description); Enter or a click
// centres the graph on it and selects it. A combobox in the WAI-ARIA sense: arrows move, Escape closes.
import { Search } from "lucide-react";
import { useId, useMemo, useState } from "react";
import { cn } from "@/components/ui/cn";
import { searchServices, type GraphDto } from "./model";

export function GraphSearch({ graph, onPick }: { graph: Pick<GraphDto, "nodes" | "teams">; onPick: (name: string) => void }) {
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const matches = useMemo(() => searchServices(graph, query), [graph, query]);
  const teamColor = useMemo(() => new Map(graph.teams.map((t) => [t.slug, t.color])), [graph.teams]);
  const show = open && query.trim().length > 0;

  const pick = (name: string) => {
    setQuery(name);
    setOpen(false);
    onPick(name);
  };

  return (
    <div className="relative w-full sm:w-64">
      <Search className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-subtle" aria-hidden />
      <input
        type="search"
        role="combobox"
        aria-expanded={show}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={show && matches[active] ? `${listId}-${active}` : undefined}
        aria-label="Find a service"
        placeholder="Find a service…"
        data-testid="graph-search"
        className="h-9 w-full rounded-md border border-border-strong bg-surface pl-8 pr-3 text-sm text-foreground shadow-xs placeholder:text-subtle focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, Math.max(matches.length - 1, 0)));
          } else if (e.key === "ArrowUp") {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter") {
            const m = matches[active] ?? matches[0];
            if (m) {
              e.preventDefault();
              pick(m.name);
            }
          } else if (e.key === "Escape") {
            setOpen(false);
          }
        }}
      />
      {show ? (
        <ul id={listId} role="listbox" aria-label="Matching services" className="absolute z-30 mt-1 max-h-72 w-full overflow-auto rounded-md border border-border bg-surface py-1 shadow-lg" data-testid="graph-search-results">
          {matches.length === 0 ? (
            <li className="px-3 py-2 text-sm text-muted">No service matches “{query.trim()}”.</li>
          ) : (
            matches.map((m, i) => (
              <li
                key={m.name}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={cn("flex cursor-pointer items-center gap-2 px-3 py-1.5 text-sm", i === active ? "bg-accent-soft text-foreground" : "text-foreground hover:bg-surface-2")}
                // mousedown, not click: the input's blur would close the list first.
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(m.name);
                }}
                onMouseEnter={() => setActive(i)}
              >
                <span className="size-2 shrink-0 rounded-full" style={{ background: teamColor.get(m.team) }} aria-hidden />
                <span className="truncate font-medium">{m.name}</span>
                <span className="ml-auto truncate text-xs text-subtle">{m.team}</span>
              </li>
            ))
          )}
        </ul>
      ) : null}
    </div>
  );
}
