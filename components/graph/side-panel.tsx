"use client";

// The panel beside the canvas: the selected service's lineage (everything it depends on and
// everything that needs it, transitively), the selected dependency in words, or — with nothing
// selected — how to read and edit the graph.
import Link from "next/link";
import { ArrowRight, Crosshair, ExternalLink, MousePointerClick, Trash2, Unlink } from "lucide-react";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { STRATEGY_LABEL, type GraphIndex } from "./model";

export type Selection = { kind: "node"; name: string } | { kind: "edge"; service: string; dependsOn: string } | null;

interface PanelProps {
  index: GraphIndex;
  waves: ReadonlyMap<string, number>;
  selection: Selection;
  upstream: ReadonlySet<string>;
  downstream: ReadonlySet<string>;
  canEdit: (team: string) => boolean;
  readOnly: boolean;
  onFocus: (name: string) => void;
  onDeleteNode: (name: string) => void;
  onRemoveEdge: (service: string, dependsOn: string) => void;
}

function byWaveThenName(waves: ReadonlyMap<string, number>) {
  return (a: string, b: string) => (waves.get(a) ?? 0) - (waves.get(b) ?? 0) || a.localeCompare(b);
}

function ServiceList({ names, direct, index, onFocus, empty, testId }: { names: string[]; direct: ReadonlySet<string>; index: GraphIndex; onFocus: (name: string) => void; empty: string; testId: string }) {
  if (names.length === 0) return <p className="px-1 text-sm text-subtle" data-testid={testId}>{empty}</p>;
  return (
    <ul className="space-y-0.5" data-testid={testId}>
      {names.map((n) => {
        const team = index.teams.get(index.nodes.get(n)?.team ?? "");
        return (
          <li key={n} className="group flex items-center gap-2 rounded-md px-1 py-1 text-sm hover:bg-surface-2" data-service={n}>
            <span className="size-2 shrink-0 rounded-full" style={{ background: team?.color }} aria-hidden />
            <Link href={`/services/${n}`} prefetch={false} className={cn("truncate hover:text-accent hover:underline", direct.has(n) ? "font-medium text-foreground" : "text-muted")}>
              {n}
            </Link>
            {direct.has(n) ? <span className="text-[10px] uppercase tracking-wide text-subtle">direct</span> : null}
            <button
              type="button"
              className="ml-auto rounded p-1 text-subtle opacity-0 hover:bg-surface hover:text-foreground focus-visible:opacity-100 group-hover:opacity-100"
              onClick={() => onFocus(n)}
              aria-label={`Show ${n} in the graph`}
              title="Show in the graph"
            >
              <Crosshair className="size-3.5" />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function Section({ title, count, children, tone }: { title: string; count?: number; children: ReactNode; tone?: "info" | "success" }) {
  return (
    <section className="space-y-1.5">
      <h3 className="flex items-center gap-2 text-xs font-semibold uppercase tracking-wide text-subtle">
        {tone ? <span className={cn("h-0.5 w-3 rounded-full", tone === "info" ? "bg-info" : "bg-success")} aria-hidden /> : null}
        {title}
        {count !== undefined ? <span className="tabular font-normal normal-case text-subtle">({count})</span> : null}
      </h3>
      {children}
    </section>
  );
}

export function SidePanel(props: PanelProps) {
  const { index, waves, selection, upstream, downstream, canEdit, readOnly, onFocus, onDeleteNode, onRemoveEdge } = props;

  if (selection?.kind === "node" && index.nodes.has(selection.name)) {
    const node = index.nodes.get(selection.name)!;
    const team = index.teams.get(node.team);
    const strategy = STRATEGY_LABEL[node.strategy];
    const order = byWaveThenName(waves);
    const directUp = new Set(index.dependsOn.get(node.name) ?? []);
    const directDown = new Set(index.dependents.get(node.name) ?? []);
    return (
      <aside className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="graph-side-panel" aria-label={`${node.name} details`}>
        <div className="space-y-2">
          <div className="flex items-start gap-2">
            <span className="mt-1.5 size-2.5 shrink-0 rounded-full" style={{ background: team?.color }} aria-hidden />
            <div className="min-w-0">
              <h2 className="truncate text-base font-semibold text-foreground">{node.name}</h2>
              <p className="text-xs text-muted">
                {team?.name ?? node.team} · deploys in wave {waves.get(node.name) ?? 1}
              </p>
            </div>
          </div>
          {node.description ? <p className="text-sm text-muted">{node.description}</p> : null}
          <div className="flex flex-wrap items-center gap-1.5">
            <Badge tone={strategy.tone}>{strategy.label}</Badge>
            {node.environments.map((e) => (
              <Badge key={e}>{e}</Badge>
            ))}
          </div>
          <div className="flex flex-wrap gap-2 pt-1">
            <Button asChild size="sm" variant="secondary">
              <Link href={`/services/${node.name}`} prefetch={false}>
                <ExternalLink /> Open service
              </Link>
            </Button>
            {!readOnly && canEdit(node.team) ? (
              <Button size="sm" variant="ghost" className="text-danger hover:bg-danger-soft hover:text-danger" onClick={() => onDeleteNode(node.name)} data-testid="graph-delete-service">
                <Trash2 /> Delete…
              </Button>
            ) : null}
          </div>
        </div>
        <Section title="Depends on (upstream)" count={upstream.size} tone="info">
          <ServiceList names={[...upstream].sort(order)} direct={directUp} index={index} onFocus={onFocus} empty="Nothing: it deploys in the first wave." testId="graph-upstream" />
        </Section>
        <Section title="Needed by (downstream)" count={downstream.size} tone="success">
          <ServiceList names={[...downstream].sort(order)} direct={directDown} index={index} onFocus={onFocus} empty="Nothing depends on it." testId="graph-downstream" />
        </Section>
      </aside>
    );
  }

  if (selection?.kind === "edge" && index.nodes.has(selection.service)) {
    const { service, dependsOn } = selection;
    const editable = !readOnly && canEdit(index.nodes.get(service)?.team ?? "");
    return (
      <aside className="flex h-full flex-col gap-4 overflow-y-auto p-4" data-testid="graph-side-panel" aria-label="Dependency details">
        <div className="space-y-1">
          <h2 className="text-xs font-semibold uppercase tracking-wide text-subtle">Dependency</h2>
          <p className="flex flex-wrap items-center gap-1.5 text-sm font-medium text-foreground">
            <button type="button" className="hover:text-accent hover:underline" onClick={() => onFocus(dependsOn)}>
              {dependsOn}
            </button>
            <ArrowRight className="size-4 text-subtle" aria-hidden />
            <button type="button" className="hover:text-accent hover:underline" onClick={() => onFocus(service)}>
              {service}
            </button>
          </p>
          <p className="text-sm text-muted">
            <span className="font-medium text-foreground">{service}</span> depends on <span className="font-medium text-foreground">{dependsOn}</span>: {dependsOn} deploys first
            (wave {waves.get(dependsOn) ?? 1}), {service} after it (wave {waves.get(service) ?? 1}).
          </p>
        </div>
        {editable ? (
          <Button size="sm" variant="secondary" className="self-start" onClick={() => onRemoveEdge(service, dependsOn)} data-testid="graph-remove-edge">
            <Unlink /> Remove dependency…
          </Button>
        ) : !readOnly ? (
          <p className="text-xs text-subtle">Only {index.nodes.get(service)?.team ?? "its"} team (or a release manager) can change what {service} depends on.</p>
        ) : null}
      </aside>
    );
  }

  return (
    <aside className="flex h-full flex-col gap-5 overflow-y-auto p-4 text-sm" data-testid="graph-side-panel" aria-label="How to use the graph">
      <div className="flex items-start gap-2 text-muted">
        <MousePointerClick className="mt-0.5 size-4 shrink-0" aria-hidden />
        <p>Select a service to highlight everything it depends on and everything that needs it.</p>
      </div>
      <Section title="Reading the graph">
        <ul className="space-y-1.5 text-muted">
          <li>Columns are deployment waves: wave 1 depends on nothing, each later wave only on earlier ones.</li>
          <li>The left edge of a card is its team&apos;s colour.</li>
        </ul>
      </Section>
      {readOnly ? null : (
        <Section title="Editing">
          <ul className="space-y-1.5 text-muted">
            <li>
              <span className="font-medium text-foreground">Add a dependency:</span> drag from the right dot of the service that deploys first onto the left dot of the
              service that needs it.
            </li>
            <li>
              <span className="font-medium text-foreground">Remove:</span> select an arrow and press <kbd className="rounded border border-border bg-surface-2 px-1 font-mono text-[11px]">Delete</kbd>.
            </li>
            <li>
              <span className="font-medium text-foreground">Undo</span> your last change with <kbd className="rounded border border-border bg-surface-2 px-1 font-mono text-[11px]">Ctrl</kbd>+
              <kbd className="rounded border border-border bg-surface-2 px-1 font-mono text-[11px]">Z</kbd>.
            </li>
          </ul>
        </Section>
      )}
    </aside>
  );
}
