// From the graph DTO to xyflow's nodes and edges. Pure, and careful about identity: a node or
// edge whose inputs did not change keeps its previous object, so xyflow (which compares objects)
// re-renders only what changed — a selection repaints the dimmed nodes, a drag one node.
import type { Edge, EdgeMarker, MarkerType, Node } from "@xyflow/react";
import { NODE_HEIGHT, NODE_WIDTH, type Positions } from "./layout";
import { edgeId, type EdgeEmphasis, type EditScope, type GraphIndex, type GraphNodeDto, type NodeEmphasis, type Team, canEditTeam } from "./model";

export interface ServiceNodeData extends Record<string, unknown> {
  service: GraphNodeDto;
  team: Team | null;
  wave: number;
  /** Handles offered: `from` starts a new dependent, `to` takes a new dependency. null: read-only. */
  connect: { from: boolean; to: boolean } | null;
}
export type ServiceFlowNode = Node<ServiceNodeData, "service">;

export interface DependencyEdgeData extends Record<string, unknown> {
  /** The dependent: the service whose dependsOn holds `dependsOn`. */
  service: string;
  dependsOn: string;
  emphasis: EdgeEmphasis | "pending" | "ghost";
}
export type DependencyFlowEdge = Edge<DependencyEdgeData, "dependency">;

export interface BuildInput {
  index: GraphIndex;
  waves: ReadonlyMap<string, number>;
  positions: Positions;
  scope: EditScope | null;
  nodeEmphasis: ReadonlyMap<string, NodeEmphasis>;
  edgeEmphasis: ReadonlyMap<string, EdgeEmphasis>;
  selectedNode: string | null;
  selectedEdge: string | null;
}

type EdgeLook = { stroke: string; width: number; opacity?: number; dash?: string; animated?: boolean };

/** How each kind of edge is drawn; colours are the theme's tokens. */
export const EDGE_STYLE: Record<DependencyEdgeData["emphasis"], EdgeLook> = {
  normal: { stroke: "var(--subtle)", width: 1.5 },
  dimmed: { stroke: "var(--subtle)", width: 1.25, opacity: 0.18 },
  hidden: { stroke: "var(--subtle)", width: 1 },
  selected: { stroke: "var(--accent)", width: 3 },
  upstream: { stroke: "var(--info)", width: 2.5 },
  downstream: { stroke: "var(--success)", width: 2.5 },
  cycle: { stroke: "var(--danger)", width: 3 },
  ghost: { stroke: "var(--danger)", width: 3, dash: "8 6", animated: true },
  pending: { stroke: "var(--accent)", width: 2, dash: "6 5", animated: true },
};

const markers = new Map<string, EdgeMarker>();
/** One arrowhead per colour (xyflow defines an SVG marker per distinct marker object). */
function markerFor(emphasis: DependencyEdgeData["emphasis"]): EdgeMarker {
  const color = EDGE_STYLE[emphasis].stroke;
  let m = markers.get(color);
  if (!m) {
    m = { type: "arrowclosed" as MarkerType, color, width: 18, height: 18 };
    markers.set(color, m);
  }
  return m;
}

const HIDDEN_EMPHASIS = new Set<string>(["hidden"]);

/**
 * Emphasis lives on the node wrapper (class and data-emphasis), not in `data`: selecting a
 * service re-classes hundreds of wrappers but re-renders no card. The card styles itself from
 * its wrapper's class (`in-[.is-upstream]:…`).
 */
export const NODE_CLASS: Record<NodeEmphasis, string> = {
  normal: "",
  selected: "is-selected",
  upstream: "is-upstream",
  downstream: "is-downstream",
  cycle: "is-cycle",
  dimmed: "is-dimmed opacity-25",
  hidden: "",
};

export function buildNodes(input: BuildInput, previous: ReadonlyMap<string, ServiceFlowNode>): ServiceFlowNode[] {
  const out: ServiceFlowNode[] = [];
  for (const service of input.index.nodes.values()) {
    const name = service.name;
    const position = input.positions.get(name);
    if (!position) continue; // laid out on the next pass
    const emphasis = input.nodeEmphasis.get(name) ?? "normal";
    const team = input.index.teams.get(service.team) ?? null;
    const wave = input.waves.get(name) ?? 1;
    const connect = input.scope ? { from: true, to: canEditTeam(input.scope, service.team) } : null;
    const selected = input.selectedNode === name;
    const hidden = HIDDEN_EMPHASIS.has(emphasis);
    const prev = previous.get(name);
    const sameData = prev && prev.data.service === service && prev.data.team === team && prev.data.wave === wave && prev.data.connect?.from === connect?.from && prev.data.connect?.to === connect?.to;
    if (sameData && prev.position === position && prev.className === NODE_CLASS[emphasis] && Boolean(prev.selected) === selected && Boolean(prev.hidden) === hidden) {
      out.push(prev);
      continue;
    }
    out.push({
      id: name,
      type: "service",
      position,
      // Keep the data object when only position, selection or emphasis changed: the card does not re-render.
      data: sameData ? prev.data : { service, team, wave, connect },
      width: NODE_WIDTH,
      height: NODE_HEIGHT,
      // The card has a fixed size: tell xyflow so it never waits for a measurement to draw edges.
      measured: { width: NODE_WIDTH, height: NODE_HEIGHT },
      selected,
      hidden,
      className: NODE_CLASS[emphasis],
      ariaLabel: nodeLabel(service, team, wave),
      domAttributes: { "data-testid": `graph-node-${name}`, "data-emphasis": emphasis } as ServiceFlowNode["domAttributes"],
    });
  }
  return out;
}

/** buildNodes with memory: each call reuses the objects of the previous call's unchanged nodes. */
export function createNodeBuilder(): (input: BuildInput) => ServiceFlowNode[] {
  let previous = new Map<string, ServiceFlowNode>();
  return (input) => {
    const out = buildNodes(input, previous);
    previous = new Map(out.map((n) => [n.id, n]));
    return out;
  };
}

export function nodeLabel(service: GraphNodeDto, team: Team | null, wave: number): string {
  const deps = service.dependsOn.length;
  return `${service.name}, ${team?.name ?? service.team} team, ${service.strategy.replace("_", "-")}, wave ${wave}, ${deps === 0 ? "no dependencies" : `depends on ${service.dependsOn.join(", ")}`}`;
}

export function buildEdges(input: Pick<BuildInput, "index" | "edgeEmphasis" | "selectedEdge" | "scope">, previous: ReadonlyMap<string, DependencyFlowEdge>): DependencyFlowEdge[] {
  const out: DependencyFlowEdge[] = [];
  for (const [service, deps] of input.index.dependsOn) {
    for (const dep of deps) {
      const id = edgeId(service, dep);
      const emphasis = input.edgeEmphasis.get(id) ?? "normal";
      const selected = input.selectedEdge === id;
      const hidden = emphasis === "hidden";
      const deletable = canEditTeam(input.scope, input.index.nodes.get(service)?.team ?? "");
      const prev = previous.get(id);
      if (prev && prev.data?.emphasis === emphasis && Boolean(prev.selected) === selected && Boolean(prev.hidden) === hidden && prev.deletable === deletable) {
        out.push(prev);
        continue;
      }
      out.push(dependencyEdge(service, dep, emphasis, { selected, hidden, deletable }));
    }
  }
  return out;
}

/** One dependency edge, drawn from the dependency (source) to the dependent (target). */
export function dependencyEdge(
  service: string,
  dependsOn: string,
  emphasis: DependencyEdgeData["emphasis"],
  extra: { selected?: boolean; hidden?: boolean; deletable?: boolean; id?: string } = {},
): DependencyFlowEdge {
  return {
    id: extra.id ?? edgeId(service, dependsOn),
    type: "dependency",
    source: dependsOn,
    target: service,
    data: { service, dependsOn, emphasis },
    selected: extra.selected ?? false,
    hidden: extra.hidden ?? false,
    deletable: extra.deletable ?? false,
    markerEnd: markerFor(emphasis),
    selectable: emphasis !== "ghost" && emphasis !== "pending",
    focusable: emphasis !== "ghost" && emphasis !== "pending",
    zIndex: emphasis === "cycle" || emphasis === "ghost" ? 10 : emphasis === "upstream" || emphasis === "downstream" || emphasis === "selected" ? 5 : 0,
    ariaLabel: `${service} depends on ${dependsOn}`,
    domAttributes: { "data-testid": `graph-edge-${service}--${dependsOn}`, "data-emphasis": emphasis } as DependencyFlowEdge["domAttributes"],
  };
}
