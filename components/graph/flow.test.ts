import ELK from "elkjs/lib/elk.bundled.js";
import { describe, expect, it } from "vitest";
import { buildEdges, createNodeBuilder, dependencyEdge, type BuildInput } from "./flow";
import { NODE_HEIGHT, NODE_WIDTH, positionsFrom, provisionalPositions, toElkGraph } from "./layout";
import { computeEmphasis, edgeId, indexGraph, waves, type GraphDto, type ViewState } from "./model";

function demo(): GraphDto {
  const node = (name: string, team: string, dependsOn: string[]) => ({ name, team, strategy: "canary" as const, description: "", environments: ["dev", "staging", "production"], dependsOn });
  return {
    revision: 3,
    updatedAt: "2026-01-01T00:00:00.000Z",
    updatedBy: null,
    teams: [
      { slug: "payments", name: "Payments", color: "#0ea5e9" },
      { slug: "platform", name: "Platform", color: "#8b5cf6" },
      { slug: "storefront", name: "Storefront", color: "#f59e0b" },
    ],
    nodes: [
      node("database", "platform", []),
      node("backend-api", "payments", ["database"]),
      node("frontend", "storefront", ["backend-api"]),
      node("worker-service", "payments", ["database", "backend-api"]),
    ],
  };
}

const VIEW: ViewState = { teams: [], hideOthers: false, selectedNode: null, selectedEdge: null, cycle: null };

function input(graph: GraphDto, view: ViewState = VIEW, scope: BuildInput["scope"] = { all: true }): BuildInput {
  const index = indexGraph(graph);
  const e = computeEmphasis(index, view);
  const positions = new Map([...index.nodes.keys()].map((n, i) => [n, { x: i * 300, y: 0 }]));
  return { index, waves: waves(index), positions, scope, nodeEmphasis: e.nodes, edgeEmphasis: e.edges, selectedNode: view.selectedNode, selectedEdge: view.selectedEdge };
}

describe("xyflow nodes and edges from the graph DTO", () => {
  it("makes one fixed-size node per service with its team, wave and handles", () => {
    const build = createNodeBuilder();
    const nodes = build(input(demo()));
    expect(nodes.map((n) => n.id)).toEqual(["database", "backend-api", "frontend", "worker-service"]);
    const api = nodes.find((n) => n.id === "backend-api")!;
    expect(api.type).toBe("service");
    expect(api.data.team?.color).toBe("#0ea5e9");
    expect(api.data.wave).toBe(2);
    expect(api.data.connect).toEqual({ from: true, to: true });
    expect(api.measured).toEqual({ width: NODE_WIDTH, height: NODE_HEIGHT });
    expect(api.ariaLabel).toBe("backend-api, Payments team, canary, wave 2, depends on database");
    expect(api.domAttributes).toMatchObject({ "data-testid": "graph-node-backend-api", "data-emphasis": "normal" });
  });

  it("offers a developer the 'depends on' handle only on their team's services, and a viewer none", () => {
    const dev = createNodeBuilder()(input(demo(), VIEW, { all: false, teams: ["payments"] }));
    expect(dev.find((n) => n.id === "backend-api")!.data.connect).toEqual({ from: true, to: true });
    expect(dev.find((n) => n.id === "frontend")!.data.connect).toEqual({ from: true, to: false });
    const viewer = createNodeBuilder()(input(demo(), VIEW, null));
    expect(viewer.every((n) => n.data.connect === null)).toBe(true);
  });

  it("keeps the objects of unchanged nodes between builds", () => {
    const build = createNodeBuilder();
    const first = build(input(demo()));
    const again = build(input(demo()));
    // A new DTO means new service objects: new data; but the same input reuses the node.
    expect(again[0]).not.toBe(first[0]);
    const same = input(demo());
    const a = build(same);
    const b = build(same);
    expect(b).toEqual(a);
    b.forEach((n, i) => expect(n).toBe(a[i]));
    // Selecting one node replaces that node and the ones whose emphasis changed, not the others.
    const selected = build({ ...same, ...selectedView(same, "frontend") });
    expect(selected.find((n) => n.id === "frontend")).not.toBe(a.find((n) => n.id === "frontend"));
    expect(selected.find((n) => n.id === "frontend")!.selected).toBe(true);
    const worker = selected.find((n) => n.id === "worker-service")!;
    expect(worker.className).toBe("is-dimmed opacity-25");
    expect((worker.domAttributes as Record<string, string>)["data-emphasis"]).toBe("dimmed");
    // Emphasis is drawn by the wrapper: the card's data object is the same, so the card does not re-render.
    expect(worker.data).toBe(a.find((n) => n.id === "worker-service")!.data);
  });

  it("skips services that have no position yet", () => {
    const i = input(demo());
    i.positions.delete("frontend");
    expect(createNodeBuilder()(i).map((n) => n.id)).not.toContain("frontend");
  });

  it("draws each dependency from the dependency to the dependent, with a test id and a label", () => {
    const i = input(demo());
    const edges = buildEdges(i, new Map());
    expect(edges).toHaveLength(4);
    const e = edges.find((x) => x.id === edgeId("frontend", "backend-api"))!;
    expect(e.source).toBe("backend-api");
    expect(e.target).toBe("frontend");
    expect(e.ariaLabel).toBe("frontend depends on backend-api");
    expect((e.domAttributes as Record<string, string>)["data-testid"]).toBe("graph-edge-frontend--backend-api");
    expect(e.markerEnd).toMatchObject({ type: "arrowclosed" });
    expect(e.deletable).toBe(true);
  });

  it("marks edges deletable only where the person may edit the dependent", () => {
    const i = input(demo(), VIEW, { all: false, teams: ["storefront"] });
    const edges = buildEdges(i, new Map());
    expect(edges.find((x) => x.target === "frontend")!.deletable).toBe(true);
    expect(edges.find((x) => x.target === "backend-api")!.deletable).toBe(false);
  });

  it("reuses unchanged edges and hides edges of hidden services", () => {
    const i = input(demo());
    const first = buildEdges(i, new Map());
    const second = buildEdges(i, new Map(first.map((e) => [e.id, e])));
    second.forEach((e, k) => expect(e).toBe(first[k]));
    const hidden = input(demo(), { ...VIEW, teams: ["payments"], hideOthers: true });
    const h = buildEdges(hidden, new Map());
    expect(h.find((x) => x.id === edgeId("backend-api", "database"))!.hidden).toBe(true);
    expect(h.find((x) => x.id === edgeId("worker-service", "backend-api"))!.hidden).toBe(false);
  });

  it("makes pending and ghost edges that cannot be selected", () => {
    const ghost = dependencyEdge("database", "worker-service", "ghost", { id: "ghost" });
    expect(ghost).toMatchObject({ id: "ghost", source: "worker-service", target: "database", selectable: false, focusable: false });
  });
});

function selectedView(i: BuildInput, name: string): Partial<BuildInput> {
  const e = computeEmphasis(i.index, { ...VIEW, selectedNode: name });
  return { nodeEmphasis: e.nodes, edgeEmphasis: e.edges, selectedNode: name };
}

describe("ELK layout", () => {
  it("builds one ELK child per service and one edge per dependency, dependency first", () => {
    const g = toElkGraph(indexGraph(demo()));
    expect(g.children?.map((c) => c.id)).toEqual(["backend-api", "database", "frontend", "worker-service"]);
    expect(g.children?.[0]).toMatchObject({ width: NODE_WIDTH, height: NODE_HEIGHT });
    expect(g.edges).toContainEqual({ id: "frontend|backend-api", sources: ["backend-api"], targets: ["frontend"] });
    expect(g.layoutOptions?.["elk.layered.layering.strategy"]).toBe("LONGEST_PATH_SOURCE");
  });

  it("draws a provisional layout at once: one column per wave, centred, no overlaps", () => {
    const index = indexGraph(demo());
    const p = provisionalPositions(index, waves(index));
    expect(p.get("database")).toEqual({ x: 0, y: 0 });
    expect(p.get("backend-api")!.x).toBeGreaterThan(NODE_WIDTH);
    expect(p.get("frontend")!.x).toBe(p.get("worker-service")!.x);
    expect(p.get("frontend")!.y).toBe(-p.get("worker-service")!.y);
    expect(Math.abs(p.get("frontend")!.y - p.get("worker-service")!.y)).toBeGreaterThanOrEqual(NODE_HEIGHT);
  });

  it("lays services out left to right in deployment waves, without overlaps", async () => {
    const graph = demo();
    // A service with no dependencies and one late dependent must still sit in wave 1.
    graph.nodes.push({ name: "message-broker", team: "platform", strategy: "rolling", description: "", environments: [], dependsOn: [] });
    graph.nodes.push({ name: "notifications", team: "platform", strategy: "rolling", description: "", environments: [], dependsOn: ["message-broker", "worker-service"] });
    const index = indexGraph(graph);
    const p = positionsFrom(await new ELK().layout(toElkGraph(index)));
    const x = (n: string) => p.get(n)!.x;
    expect(x("database")).toBe(x("message-broker"));
    expect(x("database")).toBeLessThan(x("backend-api"));
    expect(x("backend-api")).toBeLessThan(x("frontend"));
    expect(x("backend-api")).toBeLessThan(x("worker-service"));
    expect(x("frontend")).toBe(x("worker-service"));
    expect(x("worker-service")).toBeLessThan(x("notifications"));
    const boxes = [...p.values()];
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const A = boxes[a]!;
        const B = boxes[b]!;
        const overlap = Math.abs(A.x - B.x) < NODE_WIDTH && Math.abs(A.y - B.y) < NODE_HEIGHT;
        expect(overlap).toBe(false);
      }
    }
  });
});
