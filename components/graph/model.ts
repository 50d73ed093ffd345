// Pure logic of the dependency-graph editor: indexes over the graph DTO, transitive upstream and
// downstream sets, deployment waves, search, what to dim or highlight, the undo stack and the
// sentences the dialogs show. No React, no xyflow, no I/O: unit-tested in model.test.ts.
//
// Direction, everywhere in the editor: an edge goes FROM a dependency TO its dependent, the way a
// deployment flows. `frontend.dependsOn = ["backend-api"]` is drawn backend-api → frontend:
// backend-api deploys first. Wave 1 holds the services that depend on nothing.
import type { GraphDto, GraphNodeDto } from "@/lib/services/schemas";

export type { GraphDto, GraphNodeDto };
export type Team = GraphDto["teams"][number];
export type Strategy = GraphNodeDto["strategy"];

export const STRATEGY_LABEL: Record<Strategy, { label: string; tone: "info" | "accent" | "warning" }> = {
  rolling: { label: "rolling", tone: "info" },
  blue_green: { label: "blue-green", tone: "accent" },
  canary: { label: "canary", tone: "warning" },
};

/** The id of the edge "service depends on dependsOn". Names never hold "|", so ids never collide. */
export function edgeId(service: string, dependsOn: string): string {
  return `${service}|${dependsOn}`;
}

export interface GraphIndex {
  nodes: ReadonlyMap<string, GraphNodeDto>;
  teams: ReadonlyMap<string, Team>;
  /** name -> the services it depends on directly. */
  dependsOn: ReadonlyMap<string, readonly string[]>;
  /** name -> the services that depend on it directly, sorted. */
  dependents: ReadonlyMap<string, readonly string[]>;
}

export function indexGraph(graph: Pick<GraphDto, "nodes" | "teams">): GraphIndex {
  const nodes = new Map(graph.nodes.map((n) => [n.name, n]));
  const dependsOn = new Map<string, readonly string[]>();
  const dependents = new Map<string, string[]>(graph.nodes.map((n) => [n.name, []]));
  for (const n of graph.nodes) {
    // Tolerate a dependency on a service the DTO does not list (a half-applied import): skip it.
    const known = n.dependsOn.filter((d) => nodes.has(d));
    dependsOn.set(n.name, known);
    for (const d of known) dependents.get(d)!.push(n.name);
  }
  for (const list of dependents.values()) list.sort();
  return { nodes, teams: new Map(graph.teams.map((t) => [t.slug, t])), dependsOn, dependents };
}

function reach(start: string, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(start) ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === start || seen.has(n)) continue;
    seen.add(n);
    for (const m of next.get(n) ?? []) if (!seen.has(m)) stack.push(m);
  }
  return seen;
}

/** Everything `name` depends on, directly or not (never `name` itself). */
export function upstream(index: GraphIndex, name: string): Set<string> {
  return reach(name, index.dependsOn);
}

/** Everything that depends on `name`, directly or not (never `name` itself). */
export function downstream(index: GraphIndex, name: string): Set<string> {
  return reach(name, index.dependents);
}

/**
 * Deployment wave of every service: 1 for a service without dependencies, otherwise one more than
 * its latest dependency. Services on a cycle (the server refuses them, but an import could hold
 * one) get the wave after everything reachable before them.
 */
export function waves(index: GraphIndex): Map<string, number> {
  const remaining = new Map<string, number>();
  for (const [name, deps] of index.dependsOn) remaining.set(name, deps.length);
  const wave = new Map<string, number>();
  let frontier = [...remaining].filter(([, c]) => c === 0).map(([n]) => n);
  let level = 1;
  while (frontier.length) {
    const next: string[] = [];
    for (const n of frontier) {
      wave.set(n, level);
      for (const d of index.dependents.get(n) ?? []) {
        const left = remaining.get(d)! - 1;
        remaining.set(d, left);
        if (left === 0) next.push(d);
      }
    }
    frontier = next;
    level++;
  }
  for (const name of index.dependsOn.keys()) if (!wave.has(name)) wave.set(name, level);
  return wave;
}

/** "a", "a and b", "a, b and c". */
export function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** A cycle as the server reports it, a path along "depends on" that ends where it starts. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(" → ");
}

/** The edges of a cycle path that exist in the graph ([a, b, a]: a depends on b, b depends on a). */
export function cycleEdgeIds(cycle: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < cycle.length; i++) out.add(edgeId(cycle[i]!, cycle[i + 1]!));
  return out;
}

/** What the delete-service dialog says about the services that depend on `name`. */
export function dependentsSentence(name: string, dependents: readonly string[]): string {
  if (dependents.length === 0) return `Nothing depends on ${name}.`;
  const verb = dependents.length === 1 ? "depends" : "depend";
  return `${joinNames(dependents)} ${verb} on ${name}; deleting it removes ${dependents.length === 1 ? "that dependency" : "those dependencies"}.`;
}

// ——— Who may edit what ———

/** The teams whose services the person may edit: every team, or a list of slugs. */
export type EditScope = { all: true } | { all: false; teams: readonly string[] };

export function canEditTeam(scope: EditScope | null, team: string): boolean {
  if (!scope) return false;
  return scope.all || scope.teams.includes(team);
}

// ——— Search ———

/** Services matching `query`, best first: name prefix, then name substring, then team or description. */
export function searchServices(graph: Pick<GraphDto, "nodes" | "teams">, query: string, limit = 8): GraphNodeDto[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const teamName = new Map(graph.teams.map((t) => [t.slug, t.name.toLowerCase()]));
  const scored: [number, GraphNodeDto][] = [];
  for (const n of graph.nodes) {
    const name = n.name.toLowerCase();
    let score = -1;
    if (name === q) score = 0;
    else if (name.startsWith(q)) score = 1;
    else if (name.split("-").some((part) => part.startsWith(q))) score = 2;
    else if (name.includes(q)) score = 3;
    else if (n.team.toLowerCase().includes(q) || (teamName.get(n.team) ?? "").includes(q)) score = 4;
    else if (n.description.toLowerCase().includes(q)) score = 5;
    if (score >= 0) scored.push([score, n]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name));
  return scored.slice(0, limit).map(([, n]) => n);
}

// ——— What to dim, hide and highlight ———

export type NodeEmphasis = "normal" | "selected" | "upstream" | "downstream" | "dimmed" | "hidden" | "cycle";
export type EdgeEmphasis = "normal" | "upstream" | "downstream" | "selected" | "dimmed" | "hidden" | "cycle";

export interface ViewState {
  /** Team slugs to show; empty shows every team. */
  teams: readonly string[];
  /** Hide (rather than dim) services of other teams. */
  hideOthers: boolean;
  selectedNode: string | null;
  selectedEdge: string | null;
  /** A refused cycle being shown, as the server reported it. */
  cycle: readonly string[] | null;
}

export interface Emphasis {
  nodes: Map<string, NodeEmphasis>;
  edges: Map<string, EdgeEmphasis>;
  upstream: Set<string>;
  downstream: Set<string>;
}

/**
 * Decides, for every node and edge, how it is drawn. Precedence: a cycle being shown, then hidden
 * (team filter with "hide others"), then the selected node's lineage, then the team filter's dimming.
 */
export function computeEmphasis(index: GraphIndex, view: ViewState): Emphasis {
  const nodes = new Map<string, NodeEmphasis>();
  const edges = new Map<string, EdgeEmphasis>();
  const teamOn = (name: string) => view.teams.length === 0 || view.teams.includes(index.nodes.get(name)?.team ?? "");
  const selected = view.selectedNode && index.nodes.has(view.selectedNode) ? view.selectedNode : null;
  const up = selected ? upstream(index, selected) : new Set<string>();
  const down = selected ? downstream(index, selected) : new Set<string>();
  const cycleNodes = new Set(view.cycle ?? []);
  const cycleEdges = cycleEdgeIds(view.cycle ?? []);

  for (const name of index.nodes.keys()) {
    let e: NodeEmphasis = "normal";
    if (cycleNodes.has(name)) e = "cycle";
    else if (!teamOn(name) && view.hideOthers && name !== selected) e = "hidden";
    else if (name === selected) e = "selected";
    else if (selected) e = up.has(name) ? "upstream" : down.has(name) ? "downstream" : "dimmed";
    else if (cycleNodes.size > 0) e = "dimmed";
    else if (!teamOn(name)) e = "dimmed";
    nodes.set(name, e);
  }

  for (const [service, deps] of index.dependsOn) {
    for (const dep of deps) {
      const id = edgeId(service, dep);
      const a = nodes.get(service)!;
      const b = nodes.get(dep)!;
      let e: EdgeEmphasis = "normal";
      if (cycleEdges.has(id)) e = "cycle";
      else if (a === "hidden" || b === "hidden") e = "hidden";
      else if (id === view.selectedEdge) e = "selected";
      else if (selected) {
        // On the lineage: both ends on the same side of the selected service.
        if ((service === selected || up.has(service)) && up.has(dep)) e = "upstream";
        else if ((dep === selected || down.has(dep)) && down.has(service)) e = "downstream";
        else e = "dimmed";
      } else if (cycleNodes.size > 0 || a === "dimmed" || b === "dimmed") e = "dimmed";
      edges.set(id, e);
    }
  }
  return { nodes, edges, upstream: up, downstream: down };
}

// ——— Applying changes to the DTO we hold ———

/** The graph with one service's dependencies replaced (sorted, like the server's). */
export function withDependencies(graph: GraphDto, service: string, dependsOn: readonly string[], revision: number): GraphDto {
  return {
    ...graph,
    revision,
    nodes: graph.nodes.map((n) => (n.name === service ? { ...n, dependsOn: [...dependsOn].sort() } : n)),
  };
}

/** The graph without a service and without every dependency on it. */
export function withoutService(graph: GraphDto, service: string, revision: number): GraphDto {
  return {
    ...graph,
    revision,
    nodes: graph.nodes.filter((n) => n.name !== service).map((n) => (n.dependsOn.includes(service) ? { ...n, dependsOn: n.dependsOn.filter((d) => d !== service) } : n)),
  };
}

// ——— Undo ———

/** One dependency change made in this session: `service` gained `added` and lost `removed`. */
export interface Change {
  service: string;
  added: readonly string[];
  removed: readonly string[];
}

export const UNDO_LIMIT = 50;

export function pushChange(stack: readonly Change[], change: Change): Change[] {
  if (change.added.length === 0 && change.removed.length === 0) return [...stack];
  return [...stack, change].slice(-UNDO_LIMIT);
}

/**
 * The dependency list that undoes `change`, applied to what the service depends on now (so edits
 * others made meanwhile to the same service survive). Dependencies on services that no longer
 * exist are left out.
 */
export function inverseDependsOn(change: Change, current: readonly string[], exists: (name: string) => boolean): string[] {
  const out = new Set(current);
  for (const a of change.added) out.delete(a);
  for (const r of change.removed) if (exists(r)) out.add(r);
  return [...out].sort();
}

/** Describes a change for the undo button's title and toasts. */
export function describeChange(change: Change): string {
  const parts: string[] = [];
  if (change.added.length) parts.push(`${change.service} now depends on ${joinNames(change.added)}`);
  if (change.removed.length) parts.push(`${change.service} no longer depends on ${joinNames(change.removed)}`);
  return parts.join("; ");
}

/** The undo stack after `service` was deleted: changes to it or naming it can no longer be undone. */
export function dropService(stack: readonly Change[], service: string): Change[] {
  return stack.filter((c) => c.service !== service && !c.added.includes(service) && !c.removed.includes(service));
}
