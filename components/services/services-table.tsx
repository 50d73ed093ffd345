"use client";

// The services list, a page at a time: search, team and strategy filters, sort and page live in
// the URL and the server answers with one page (GET /api/v1/services's query), so the list stays
// fast with thousands of services and any view can be shared as a link.
import { ChevronLeft, ChevronRight, Network, Search } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { StrategyBadge } from "@/components/services/strategy";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, NativeSelect } from "@/components/ui/input";
import { SortableTh, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { ServiceDto } from "@/lib/services/schemas";

export interface ServicesPage {
  items: ServiceDto[];
  total: number;
  limit: number;
  offset: number;
}

function DependencyList({ names }: { names: string[] }) {
  if (names.length === 0) return <span className="text-subtle">—</span>;
  const shown = names.slice(0, 6);
  return (
    <span className="flex min-w-48 max-w-72 flex-wrap gap-1">
      {shown.map((n) => (
        <Link key={n} href={`/services/${n}`} className="whitespace-nowrap rounded bg-surface-2 px-1.5 py-0.5 font-mono text-[11px] hover:underline">
          {n}
        </Link>
      ))}
      {names.length > shown.length ? <span className="px-1 text-[11px] text-subtle">+{names.length - shown.length} more</span> : null}
    </span>
  );
}

type SortKey = "name" | "team" | "strategy" | "updated";

function SortHeader({ label, column, sort, onSort }: { label: string; column: SortKey; sort: string; onSort: (next: string) => void }) {
  const active = sort === column ? "asc" : sort === `-${column}` ? "desc" : false;
  return (
    <SortableTh sorted={active} onToggle={() => onSort(active === "asc" ? `-${column}` : column)}>
      {label}
    </SortableTh>
  );
}

const STRATEGIES = [
  ["rolling", "Rolling"],
  ["blue_green", "Blue-green"],
  ["canary", "Canary"],
] as const;

export function ServicesTable({ page, teams, anyServices }: { page: ServicesPage; teams: { slug: string; name: string }[]; anyServices: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();
  const [q, setQ] = useState(params.get("q") ?? "");
  const sort = params.get("sort") ?? "name";
  const team = params.get("team") ?? "";
  const strategy = params.get("strategy") ?? "";

  // The URL the last change asked for while it is still being loaded: window.location only moves
  // when a navigation completes, so a change made meanwhile (a sort clicked, then the debounced
  // search firing) must build on what was asked for, or it would undo it. Once nothing is loading,
  // the URL itself is the truth again (including the back button's changes).
  const intended = useRef<string | null>(null);
  useEffect(() => {
    if (!pending) intended.current = null;
  }, [pending, params]);

  /** Changes some of the URL's parameters; any change but the page itself goes back to the first page. */
  const navigate = (changes: Record<string, string>) => {
    const next = new URLSearchParams(intended.current ?? window.location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("offset" in changes)) next.delete("offset");
    if (next.get("sort") === "name") next.delete("sort");
    intended.current = next.toString();
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false }));
  };

  // The search applies as the user types, a quarter of a second after the last key.
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(() => navigate({ q: q.trim() }), 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- navigate reads the URL when it runs
  }, [q]);

  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.items.length;
  const filtered = Boolean(params.get("q") || team || strategy);

  return (
    <div>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3">
        <div className="relative min-w-56 flex-1">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-subtle" aria-hidden />
          <Input
            aria-label="Search services"
            placeholder="Search name, description, dependency…"
            value={q}
            onChange={(e) => {
              typed.current = true;
              setQ(e.target.value);
            }}
            className="pl-9"
            data-testid="services-search"
          />
        </div>
        <label htmlFor="team-filter" className="sr-only">
          Team
        </label>
        <NativeSelect id="team-filter" value={team} onChange={(e) => navigate({ team: e.target.value })} className="w-48" data-testid="services-team">
          <option value="">All teams</option>
          {teams.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </NativeSelect>
        <label htmlFor="strategy-filter" className="sr-only">
          Strategy
        </label>
        <NativeSelect id="strategy-filter" value={strategy} onChange={(e) => navigate({ strategy: e.target.value })} className="w-40" data-testid="services-strategy">
          <option value="">All strategies</option>
          {STRATEGIES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </NativeSelect>
        <span className="text-sm text-muted tabular" aria-live="polite" data-testid="services-count">
          {page.total.toLocaleString("en-US")} {page.total === 1 ? "service" : "services"}
        </span>
      </div>
      {page.items.length === 0 ? (
        <EmptyState icon={Network} title={!anyServices ? "No services yet" : "No services match"}>
          {!anyServices ? (
            "Services appear here once they are registered: create one, or import a deployment-config.yaml or a Backstage catalog."
          ) : filtered ? (
            <Button
              variant="secondary"
              size="sm"
              onClick={() => {
                setQ("");
                navigate({ q: "", team: "", strategy: "" });
              }}
            >
              Clear search and filters
            </Button>
          ) : (
            "This page is past the end of the list."
          )}
        </EmptyState>
      ) : (
        <div className={pending ? "opacity-60 transition-opacity" : "transition-opacity"} aria-busy={pending || undefined}>
          <div className="overflow-x-auto">
            <table className="w-full border-collapse text-sm" data-testid="services-table">
              <THead>
                <tr>
                  <SortHeader label="Service" column="name" sort={sort} onSort={(s) => navigate({ sort: s })} />
                  <SortHeader label="Team" column="team" sort={sort} onSort={(s) => navigate({ sort: s })} />
                  <SortHeader label="Strategy" column="strategy" sort={sort} onSort={(s) => navigate({ sort: s })} />
                  <Th>Depends on</Th>
                  <Th>Used by</Th>
                  <Th>Health check</Th>
                  <SortHeader label="Updated" column="updated" sort={sort} onSort={(s) => navigate({ sort: s })} />
                </tr>
              </THead>
              <TBody>
                {page.items.map((s) => (
                  <Tr key={s.id}>
                    <Td>
                      <Link href={`/services/${s.name}`} className="font-medium hover:underline" data-testid={`service-link-${s.name}`}>
                        {s.name}
                      </Link>
                      <div className="max-w-xs truncate text-xs text-subtle">{s.description}</div>
                    </Td>
                    <Td>
                      <span className="flex items-center gap-2 whitespace-nowrap">
                        <span className="size-2 rounded-full" style={{ background: s.team.color }} aria-hidden />
                        {s.team.name}
                      </span>
                    </Td>
                    <Td>
                      <StrategyBadge strategy={s.strategy} steps={s.trafficSteps} />
                    </Td>
                    <Td>
                      <DependencyList names={s.dependsOn} />
                    </Td>
                    <Td>
                      <DependencyList names={s.dependents} />
                    </Td>
                    <Td>
                      <code className="font-mono text-xs text-muted">{s.healthCheckPath}</code>
                    </Td>
                    <Td className="whitespace-nowrap text-xs text-muted tabular">
                      <time dateTime={s.updatedAt} title={s.updatedAt}>
                        {s.updatedAt.slice(0, 10)}
                      </time>
                    </Td>
                  </Tr>
                ))}
              </TBody>
            </table>
          </div>
          <nav className="flex items-center justify-between gap-3 border-t border-border px-5 py-3 text-sm" aria-label="Pages">
            <span className="text-muted tabular" data-testid="services-range">
              {first.toLocaleString("en-US")}–{last.toLocaleString("en-US")} of {page.total.toLocaleString("en-US")}
            </span>
            <span className="flex gap-2">
              <Button
                variant="secondary"
                size="sm"
                disabled={page.offset === 0}
                onClick={() => navigate({ offset: String(Math.max(0, page.offset - page.limit)) })}
                data-testid="services-previous"
              >
                <ChevronLeft aria-hidden /> Previous
              </Button>
              <Button variant="secondary" size="sm" disabled={last >= page.total} onClick={() => navigate({ offset: String(page.offset + page.limit) })} data-testid="services-next">
                Next <ChevronRight aria-hidden />
              </Button>
            </span>
          </nav>
        </div>
      )}
    </div>
  );
}
