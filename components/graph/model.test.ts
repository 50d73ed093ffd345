import { describe, expect, it } from "vitest";
import {
  canEditTeam,
  computeEmphasis,
  cycleEdgeIds,
  dependentsSentence,
  describeChange,
  downstream,
  dropService,
  edgeId,
  formatCycle,
  indexGraph,
  inverseDependsOn,
  joinNames,
  pushChange,
  searchServices,
  UNDO_LIMIT,
  upstream,
  waves,
  withDependencies,
  withoutService,
  type GraphDto,
  type ViewState,
} from "./model";

// The first four services of the demo organisation, plus two that sit apart.
function demo(): GraphDto {
  const node = (name: string, team: string, dependsOn: string[]) => ({ name, team, strategy: "rolling" as const, description: `${name} service`, environments: ["dev", "prod"], dependsOn });
  return {
    revision: 7,
    updatedAt: "2026-01-01T00:00:00.000Z",
    updatedBy: "carol",
    teams: [
      { slug: "payments", name: "Payments", color: "#0ea5e9" },
      { slug: "platform", name: "Platform", color: "#8b5cf6" },
      { slug: "storefront", name: "Storefront", color: "#f59e0b" },
    ],
    nodes: [
      node("backend-api", "payments", ["database"]),
      node("database", "platform", []),
      node("frontend", "storefront", ["backend-api"]),
      node("worker-service", "payments", ["backend-api", "database"]),
      node("message-broker", "platform", []),
      node("search-service", "storefront", ["message-broker"]),
    ],
  };
}

const VIEW: ViewState = { teams: [], hideOthers: false, selectedNode: null, selectedEdge: null, cycle: null };

describe("indexes and traversal", () => {
  const index = indexGraph(demo());

  it("knows direct dependents, sorted", () => {
    expect(index.dependents.get("database")).toEqual(["backend-api", "worker-service"]);
    expect(index.dependents.get("backend-api")).toEqual(["frontend", "worker-service"]);
    expect(index.dependents.get("frontend")).toEqual([]);
  });

  it("walks upstream and downstream transitively, never including the start", () => {
    expect([...upstream(index, "frontend")].sort()).toEqual(["backend-api", "database"]);
    expect([...upstream(index, "database")]).toEqual([]);
    expect([...downstream(index, "database")].sort()).toEqual(["backend-api", "frontend", "worker-service"]);
    expect([...downstream(index, "message-broker")]).toEqual(["search-service"]);
  });

  it("ignores dependencies on services the DTO does not list", () => {
    const g = demo();
    g.nodes[0] = { ...g.nodes[0]!, dependsOn: ["database", "ghost"] };
    const i = indexGraph(g);
    expect(i.dependsOn.get("backend-api")).toEqual(["database"]);
  });

  it("puts services without dependencies in wave 1 and each other one after its latest dependency", () => {
    const w = waves(index);
    expect(Object.fromEntries(w)).toEqual({ database: 1, "message-broker": 1, "backend-api": 2, "search-service": 2, frontend: 3, "worker-service": 3 });
  });

  it("still gives every service a wave when the data holds a cycle", () => {
    const g = demo();
    g.nodes[1] = { ...g.nodes[1]!, dependsOn: ["worker-service"] };
    const w = waves(indexGraph(g));
    expect(w.size).toBe(6);
    expect(w.get("message-broker")).toBe(1);
    expect(w.get("database")).toBeGreaterThan(1);
  });
});

describe("words", () => {
  it("joins names the way a sentence does", () => {
    expect(joinNames([])).toBe("");
    expect(joinNames(["a"])).toBe("a");
    expect(joinNames(["a", "b"])).toBe("a and b");
    expect(joinNames(["a", "b", "c"])).toBe("a, b and c");
  });

  it("says who depends on a service about to be deleted", () => {
    expect(dependentsSentence("backend-api", ["worker-service", "frontend"])).toBe(
      "worker-service and frontend depend on backend-api; deleting it removes those dependencies.",
    );
    expect(dependentsSentence("backend-api", ["frontend"])).toBe("frontend depends on backend-api; deleting it removes that dependency.");
    expect(dependentsSentence("frontend", [])).toBe("Nothing depends on frontend.");
  });

  it("formats a refused cycle and finds its existing edges", () => {
    const cycle = ["database", "worker-service", "database"];
    expect(formatCycle(cycle)).toBe("database → worker-service → database");
    expect([...cycleEdgeIds(cycle)]).toEqual([edgeId("database", "worker-service"), edgeId("worker-service", "database")]);
  });
});

describe("edit scope", () => {
  it("lets organisation roles edit everything and developers their teams only", () => {
    expect(canEditTeam({ all: true }, "payments")).toBe(true);
    expect(canEditTeam({ all: false, teams: ["payments"] }, "payments")).toBe(true);
    expect(canEditTeam({ all: false, teams: ["payments"] }, "platform")).toBe(false);
    expect(canEditTeam(null, "payments")).toBe(false);
  });
});

describe("search", () => {
  it("ranks exact and prefix name matches before word and substring matches", () => {
    const g = demo();
    expect(searchServices(g, "service").map((n) => n.name)).toEqual(["search-service", "worker-service", "backend-api", "database", "frontend", "message-broker"]);
    expect(searchServices(g, "data").map((n) => n.name)).toEqual(["database"]);
    expect(searchServices(g, "api")[0]?.name).toBe("backend-api");
    expect(searchServices(g, "  ")).toEqual([]);
  });

  it("finds services by team name and caps the list", () => {
    expect(searchServices(demo(), "storefront").map((n) => n.name)).toEqual(["frontend", "search-service"]);
    expect(searchServices(demo(), "e", 2)).toHaveLength(2);
  });
});

describe("emphasis", () => {
  const index = indexGraph(demo());

  it("draws everything normally with nothing selected or filtered", () => {
    const e = computeEmphasis(index, VIEW);
    expect(new Set(e.nodes.values())).toEqual(new Set(["normal"]));
    expect(new Set(e.edges.values())).toEqual(new Set(["normal"]));
    expect(e.edges.size).toBe(5);
  });

  it("highlights a selected service's lineage and dims the rest", () => {
    const e = computeEmphasis(index, { ...VIEW, selectedNode: "backend-api" });
    expect(e.nodes.get("backend-api")).toBe("selected");
    expect(e.nodes.get("database")).toBe("upstream");
    expect(e.nodes.get("frontend")).toBe("downstream");
    expect(e.nodes.get("worker-service")).toBe("downstream");
    expect(e.nodes.get("message-broker")).toBe("dimmed");
    expect(e.edges.get(edgeId("backend-api", "database"))).toBe("upstream");
    expect(e.edges.get(edgeId("frontend", "backend-api"))).toBe("downstream");
    expect(e.edges.get(edgeId("worker-service", "backend-api"))).toBe("downstream");
    // worker-service → database is neither on backend-api's upstream nor downstream path.
    expect(e.edges.get(edgeId("worker-service", "database"))).toBe("dimmed");
    expect(e.edges.get(edgeId("search-service", "message-broker"))).toBe("dimmed");
  });

  it("dims other teams, or hides them and their edges", () => {
    const dim = computeEmphasis(index, { ...VIEW, teams: ["payments"] });
    expect(dim.nodes.get("backend-api")).toBe("normal");
    expect(dim.nodes.get("database")).toBe("dimmed");
    expect(dim.edges.get(edgeId("backend-api", "database"))).toBe("dimmed");
    const hide = computeEmphasis(index, { ...VIEW, teams: ["payments"], hideOthers: true });
    expect(hide.nodes.get("database")).toBe("hidden");
    expect(hide.nodes.get("worker-service")).toBe("normal");
    expect(hide.edges.get(edgeId("backend-api", "database"))).toBe("hidden");
    expect(hide.edges.get(edgeId("worker-service", "backend-api"))).toBe("normal");
  });

  it("never hides the selected service, even when its team is filtered out", () => {
    const e = computeEmphasis(index, { ...VIEW, teams: ["payments"], hideOthers: true, selectedNode: "database" });
    expect(e.nodes.get("database")).toBe("selected");
  });

  it("shows a refused cycle in red above everything else", () => {
    const e = computeEmphasis(index, { ...VIEW, selectedNode: "frontend", cycle: ["database", "worker-service", "database"] });
    expect(e.nodes.get("database")).toBe("cycle");
    expect(e.nodes.get("worker-service")).toBe("cycle");
    expect(e.edges.get(edgeId("worker-service", "database"))).toBe("cycle");
    expect(e.nodes.get("frontend")).toBe("selected");
  });

  it("marks the selected edge", () => {
    const e = computeEmphasis(index, { ...VIEW, selectedEdge: edgeId("frontend", "backend-api") });
    expect(e.edges.get(edgeId("frontend", "backend-api"))).toBe("selected");
    expect(e.edges.get(edgeId("backend-api", "database"))).toBe("normal");
  });
});

describe("applying server answers to the graph we hold", () => {
  it("replaces one service's dependencies and the revision", () => {
    const before = demo();
    const g = withDependencies(before, "frontend", ["database", "backend-api"], 8);
    expect(g.revision).toBe(8);
    expect(g.nodes.find((n) => n.name === "frontend")?.dependsOn).toEqual(["backend-api", "database"]);
    // Untouched services keep their objects (their nodes are not rebuilt).
    expect(g.nodes.find((n) => n.name === "database")).toBe(before.nodes.find((n) => n.name === "database"));
  });

  it("removes a service and every dependency on it", () => {
    const g = withoutService(demo(), "backend-api", 9);
    expect(g.nodes.map((n) => n.name)).not.toContain("backend-api");
    expect(g.nodes.find((n) => n.name === "frontend")?.dependsOn).toEqual([]);
    expect(g.nodes.find((n) => n.name === "worker-service")?.dependsOn).toEqual(["database"]);
    expect(g.revision).toBe(9);
  });
});

describe("undo", () => {
  it("stacks changes, skips empty ones and keeps the last UNDO_LIMIT", () => {
    let s = pushChange([], { service: "frontend", added: ["database"], removed: [] });
    s = pushChange(s, { service: "frontend", added: [], removed: [] });
    expect(s).toHaveLength(1);
    for (let i = 0; i < UNDO_LIMIT + 5; i++) s = pushChange(s, { service: `s${i}`, added: ["x"], removed: [] });
    expect(s).toHaveLength(UNDO_LIMIT);
    expect(s[s.length - 1]?.service).toBe(`s${UNDO_LIMIT + 4}`);
  });

  it("inverts a change against what the service depends on now, keeping others' edits", () => {
    const exists = (n: string) => n !== "gone";
    expect(inverseDependsOn({ service: "frontend", added: ["database"], removed: [] }, ["backend-api", "database", "auth"], exists)).toEqual(["auth", "backend-api"]);
    expect(inverseDependsOn({ service: "frontend", added: [], removed: ["backend-api", "gone"] }, ["auth"], exists)).toEqual(["auth", "backend-api"]);
  });

  it("describes a change in words", () => {
    expect(describeChange({ service: "frontend", added: ["database"], removed: [] })).toBe("frontend now depends on database");
    expect(describeChange({ service: "frontend", added: [], removed: ["a", "b"] })).toBe("frontend no longer depends on a and b");
  });

  it("forgets changes that involve a deleted service", () => {
    const s = [
      { service: "frontend", added: ["backend-api"], removed: [] },
      { service: "backend-api", added: ["database"], removed: [] },
      { service: "worker-service", added: [], removed: ["database"] },
    ];
    expect(dropService(s, "backend-api")).toEqual([{ service: "worker-service", added: [], removed: ["database"] }]);
  });
});
