// The service dependency graph: the seed's plan, cycles found before they are saved, subsets
// planned in the order the whole graph implies, rollbacks in reverse, the blast radius of a
// change and change detection from file paths; then properties on random DAGs checked against
// naive reference implementations, and a 5,000-service graph for correctness at scale.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CycleError,
  DependencyGraph,
  DuplicateServicesError,
  UnknownServicesError,
  compileOwners,
  cycleIfAdded,
  detectChanges,
  findCycle,
  impactOf,
  planWaves,
  rollbackPlan,
  type Plan,
  type ServiceNode,
} from "./graph.ts";

const SEED: ServiceNode[] = [
  { name: "database", dependsOn: [] },
  { name: "backend-api", dependsOn: ["database"] },
  { name: "frontend", dependsOn: ["backend-api"] },
  { name: "worker-service", dependsOn: ["database", "backend-api"] },
];

function seed(): DependencyGraph {
  return DependencyGraph.from(SEED);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error("expected a throw");
}

describe("DependencyGraph", () => {
  it("sorts names and both directions of an edge", () => {
    const g = seed();
    expect(g.names).toEqual(["backend-api", "database", "frontend", "worker-service"]);
    expect(g.has("frontend")).toBe(true);
    expect(g.has("nope")).toBe(false);
    expect(g.dependenciesOf("worker-service")).toEqual(["backend-api", "database"]);
    expect(g.dependentsOf("database")).toEqual(["backend-api", "worker-service"]);
    expect(g.dependentsOf("frontend")).toEqual([]);
    expect([...g.upstream("frontend")].sort()).toEqual(["backend-api", "database"]);
    expect([...g.downstream("database")].sort()).toEqual(["backend-api", "frontend", "worker-service"]);
    expect(g.upstream("database").size).toBe(0);
  });

  it("ignores a dependency listed twice", () => {
    const g = DependencyGraph.from([
      { name: "a", dependsOn: ["b", "b"] },
      { name: "b", dependsOn: [] },
    ]);
    expect(g.dependenciesOf("a")).toEqual(["b"]);
    expect(g.dependentsOf("b")).toEqual(["a"]);
  });

  it("rejects unknown dependencies and duplicate names, listing them sorted and once", () => {
    const unknown = thrown(() =>
      DependencyGraph.from([
        { name: "a", dependsOn: ["zeta", "beta"] },
        { name: "b", dependsOn: ["zeta"] },
      ]),
    );
    expect(unknown).toBeInstanceOf(UnknownServicesError);
    expect((unknown as UnknownServicesError).names).toEqual(["beta", "zeta"]);
    expect((unknown as Error).message).toContain("beta, zeta");

    const duplicate = thrown(() => DependencyGraph.from([...SEED, { name: "frontend", dependsOn: [] }, { name: "database", dependsOn: [] }]));
    expect(duplicate).toBeInstanceOf(DuplicateServicesError);
    expect((duplicate as DuplicateServicesError).names).toEqual(["database", "frontend"]);
  });

  it("throws UnknownServicesError when asked about a service it does not have", () => {
    const g = seed();
    expect(() => g.dependenciesOf("nope")).toThrow(UnknownServicesError);
    expect(() => g.upstream("nope")).toThrow(UnknownServicesError);
    expect(() => g.withEdge("frontend", "nope")).toThrow(UnknownServicesError);
    expect(() => g.withDependencies("nope", [])).toThrow(UnknownServicesError);
    expect(() => g.without("nope")).toThrow(UnknownServicesError);
  });

  it("withEdge, withDependencies and without return new graphs and leave the original alone", () => {
    const g = seed();
    const added = g.withEdge("frontend", "database");
    expect(added.dependenciesOf("frontend")).toEqual(["backend-api", "database"]);
    expect(added.dependentsOf("database")).toEqual(["backend-api", "frontend", "worker-service"]);

    const replaced = g.withDependencies("worker-service", ["database"]);
    expect(replaced.dependenciesOf("worker-service")).toEqual(["database"]);
    expect(replaced.dependentsOf("backend-api")).toEqual(["frontend"]);

    const removed = g.without("backend-api");
    expect(removed.names).toEqual(["database", "frontend", "worker-service"]);
    expect(removed.dependenciesOf("frontend")).toEqual([]);
    expect(removed.dependenciesOf("worker-service")).toEqual(["database"]);

    expect(g.names).toEqual(["backend-api", "database", "frontend", "worker-service"]);
    expect(g.dependenciesOf("frontend")).toEqual(["backend-api"]);
    expect(g.dependenciesOf("worker-service")).toEqual(["backend-api", "database"]);
    expect(g.dependentsOf("backend-api")).toEqual(["frontend", "worker-service"]);
  });
});

describe("planWaves", () => {
  it("plans the seed in three waves; worker-service waits for backend-api and database", () => {
    const plan = planWaves(seed());
    expect(plan.waves).toEqual([["database"], ["backend-api"], ["frontend", "worker-service"]]);
    expect(plan.blockedBy).toEqual({
      database: [],
      "backend-api": ["database"],
      frontend: ["backend-api"],
      "worker-service": ["backend-api", "database"],
    });
  });

  it("plans a subset in the order the whole graph implies, through unplanned services", () => {
    const plan = planWaves(seed(), ["frontend", "database"]);
    expect(plan.waves).toEqual([["database"], ["frontend"]]);
    expect(plan.blockedBy).toEqual({ database: [], frontend: ["database"] });

    // Only the nearest planned services: worker-service waits for backend-api, which waits for database.
    expect(planWaves(seed(), ["worker-service", "backend-api", "database"]).blockedBy["worker-service"]).toEqual([
      "backend-api",
      "database",
    ]);
    const chain = DependencyGraph.from([
      { name: "a", dependsOn: ["x"] },
      { name: "x", dependsOn: ["b"] },
      { name: "b", dependsOn: ["y"] },
      { name: "y", dependsOn: ["c"] },
      { name: "c", dependsOn: [] },
    ]);
    expect(planWaves(chain, ["a", "b", "c"])).toEqual({ waves: [["c"], ["b"], ["a"]], blockedBy: { a: ["b"], b: ["c"], c: [] } });
    expect(planWaves(chain, ["a", "c"])).toEqual({ waves: [["c"], ["a"]], blockedBy: { a: ["c"], c: [] } });
    expect(planWaves(chain, [])).toEqual({ waves: [], blockedBy: {} });
  });

  it("takes a single name as one service, not as its letters", () => {
    expect(planWaves(seed(), "frontend").waves).toEqual([["frontend"]]);
  });

  it("rejects unknown services", () => {
    const e = thrown(() => planWaves(seed(), ["frontend", "mobile", "admin"]));
    expect(e).toBeInstanceOf(UnknownServicesError);
    expect((e as UnknownServicesError).names).toEqual(["admin", "mobile"]);
  });

  it("throws CycleError with the cycle when the planned part of the graph has one", () => {
    const cyclic = seed().withEdge("database", "worker-service");
    const e = thrown(() => planWaves(cyclic));
    expect(e).toBeInstanceOf(CycleError);
    expect((e as CycleError).cycle).toEqual(["database", "worker-service", "database"]);
    expect((e as Error).message).toContain("database -> worker-service -> database");
    // frontend waits for the cycle, so planning it alone fails too …
    expect(() => planWaves(cyclic, ["frontend"])).toThrow(CycleError);
    // … but a cycle only downstream of what is planned does not matter.
    const downstreamCycle = seed().withEdge("frontend", "worker-service").withEdge("worker-service", "frontend");
    expect(planWaves(downstreamCycle, ["backend-api"]).waves).toEqual([["backend-api"]]);
  });

  it("does not mind names that are also Object.prototype properties", () => {
    const g = DependencyGraph.from([
      { name: "__proto__", dependsOn: ["constructor"] },
      { name: "constructor", dependsOn: [] },
    ]);
    const plan = planWaves(g);
    expect(Object.keys(plan.blockedBy).sort()).toEqual(["__proto__", "constructor"]);
    expect(plan.blockedBy["__proto__"]).toEqual(["constructor"]);
    expect(Object.getPrototypeOf(plan.blockedBy)).toBe(Object.prototype);
  });
});

describe("cycles", () => {
  it("finds the cycle that adding an edge would close, starting at the service", () => {
    const g = seed();
    expect(cycleIfAdded(g, "database", "worker-service")).toEqual(["database", "worker-service", "database"]);
    expect(cycleIfAdded(g, "database", "frontend")).toEqual(["database", "frontend", "backend-api", "database"]);
    expect(cycleIfAdded(g, "frontend", "database")).toBeNull();
    expect(cycleIfAdded(g, "worker-service", "database")).toBeNull();
    expect(cycleIfAdded(g, "frontend", "frontend")).toEqual(["frontend", "frontend"]);
    expect(() => cycleIfAdded(g, "frontend", "nope")).toThrow(UnknownServicesError);
  });

  it("finds a cycle in a graph, the same one every time", () => {
    expect(findCycle(seed())).toBeNull();
    const cyclic = seed().withEdge("database", "frontend");
    expect(findCycle(cyclic)).toEqual(["backend-api", "database", "frontend", "backend-api"]);
    expect(findCycle(DependencyGraph.from([...SEED].reverse()).withEdge("database", "frontend"))).toEqual(findCycle(cyclic));
    expect(findCycle(seed().withEdge("frontend", "frontend"))).toEqual(["frontend", "frontend"]);
    expect(findCycle(DependencyGraph.from([]))).toBeNull();
  });

  it("reports the shortest cycle, the lexicographically first of equals, whichever way the plan went", () => {
    const g = DependencyGraph.from([
      { name: "a", dependsOn: ["b", "c"] },
      { name: "b", dependsOn: ["e"] },
      { name: "c", dependsOn: ["d"] },
      { name: "d", dependsOn: ["a"] },
      { name: "e", dependsOn: ["a", "f"] },
      { name: "f", dependsOn: ["g"] },
      { name: "g", dependsOn: ["f"] },
    ]);
    expect(findCycle(g)).toEqual(["f", "g", "f"]);
    const noShortCut = g.withDependencies("g", []);
    expect(findCycle(noShortCut)).toEqual(["a", "b", "e", "a"]);
    expect((thrown(() => planWaves(noShortCut)) as CycleError).cycle).toEqual(["a", "b", "e", "a"]);
    expect((thrown(() => rollbackPlan(noShortCut, noShortCut.names)) as CycleError).cycle).toEqual(["a", "b", "e", "a"]);
  });
});

describe("rollbackPlan", () => {
  it("rolls back dependents before their dependencies", () => {
    const plan = rollbackPlan(seed(), ["database", "backend-api", "frontend", "worker-service"]);
    expect(plan.waves).toEqual([["frontend", "worker-service"], ["backend-api"], ["database"]]);
    expect(plan.blockedBy).toEqual({
      frontend: [],
      "worker-service": [],
      "backend-api": ["frontend", "worker-service"],
      database: ["backend-api", "worker-service"],
    });
  });

  it("keeps the order through services that are not rolled back", () => {
    expect(rollbackPlan(seed(), ["database", "frontend"])).toEqual({ waves: [["frontend"], ["database"]], blockedBy: { frontend: [], database: ["frontend"] } });
  });

  it("reports a cycle along depends-on arrows", () => {
    const e = thrown(() => rollbackPlan(seed().withEdge("database", "frontend"), ["database"]));
    expect(e).toBeInstanceOf(CycleError);
    expect((e as CycleError).cycle).toEqual(["backend-api", "database", "frontend", "backend-api"]);
  });
});

describe("impactOf", () => {
  it("lists the changed services and, if asked, everything downstream of them", () => {
    const g = seed();
    expect(impactOf(g, ["database"])).toEqual({ services: ["database"], dependents: [] });
    expect(impactOf(g, ["database"], { includeDependents: true })).toEqual({
      services: ["database"],
      dependents: ["backend-api", "frontend", "worker-service"],
    });
    expect(impactOf(g, ["frontend", "backend-api", "backend-api"], { includeDependents: true })).toEqual({
      services: ["backend-api", "frontend"],
      dependents: ["worker-service"],
    });
    expect(impactOf(g, [], { includeDependents: true })).toEqual({ services: [], dependents: [] });
    expect(() => impactOf(g, ["nope"])).toThrow(UnknownServicesError);
  });
});

describe("detectChanges", () => {
  const owners = [
    { name: "backend-api", pathGlobs: ["services/api/**"] },
    { name: "database", pathGlobs: ["libs/db/**/*.sql", "./migrations/**"] },
    { name: "frontend", pathGlobs: ["services/web/**", "libs/ui/**"] },
    { name: "worker-service", pathGlobs: [] },
  ];

  it("maps changed files to the services whose globs match them", () => {
    const result = detectChanges(owners, [
      "services/api/src/main.ts",
      "./services/api/.env.example",
      "/libs/db/schema.sql",
      "libs/db/migrations/2024/001.sql",
      "libs/db/README.md",
      "README.md",
      "docs/intro.md",
      "services/api/src/main.ts",
      "migrations/003.sql",
      "",
    ]);
    expect(result).toEqual({
      services: ["backend-api", "database"],
      matches: {
        "backend-api": ["services/api/.env.example", "services/api/src/main.ts"],
        database: ["libs/db/migrations/2024/001.sql", "libs/db/schema.sql", "migrations/003.sql"],
      },
      unmatched: ["README.md", "docs/intro.md", "libs/db/README.md"],
    });
  });

  it("matches dotfiles and dot-directories, and a file owned by two services goes to both", () => {
    const result = detectChanges(
      [
        { name: "ci", pathGlobs: [".github/**", "**/*.yaml"] },
        { name: "web", pathGlobs: ["web/**"] },
      ],
      ["web/.eslintrc", ".github/workflows/ci.yaml", "web/deploy.yaml"],
    );
    expect(result.matches).toEqual({ ci: [".github/workflows/ci.yaml", "web/deploy.yaml"], web: ["web/.eslintrc", "web/deploy.yaml"] });
    expect(result.services).toEqual(["ci", "web"]);
    expect(result.unmatched).toEqual([]);
  });

  it("returns nothing for no files and owns nothing for a service without globs", () => {
    expect(detectChanges(owners, [])).toEqual({ services: [], matches: {}, unmatched: [] });
    const matcher = compileOwners(owners);
    expect(matcher.ownersOf("libs/ui/button.tsx")).toEqual(["frontend"]);
    expect(matcher.ownersOf("anything")).toEqual([]);
    expect(matcher.detect(["services/web/index.html"]).services).toEqual(["frontend"]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties on random DAGs. A node only depends on nodes with a lower number, so the graph is
// acyclic; names are "s<number>", whose sort order is not the numeric one.

interface Dag {
  names: string[];
  /** deps[i]: the numbers node i depends on. */
  deps: Set<number>[];
}

const dagArb: fc.Arbitrary<Dag> = fc.integer({ min: 1, max: 60 }).chain((n) =>
  fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 3 }).map((pairs) => {
    const deps = Array.from({ length: n }, () => new Set<number>());
    for (const [a, b] of pairs) if (a !== b) deps[Math.max(a, b)]!.add(Math.min(a, b));
    return { names: Array.from({ length: n }, (_, i) => `s${i}`), deps };
  }),
);

function graphOf(dag: Dag): DependencyGraph {
  return DependencyGraph.from(dag.names.map((name, i) => ({ name, dependsOn: [...dag.deps[i]!].map((j) => dag.names[j]!) })));
}

/** A DAG with a subset of its nodes. */
const dagWithSubsetArb = dagArb.chain((dag) =>
  fc.subarray(dag.names).map((subset) => ({ dag, subset })),
);

/** Name -> names it depends on, from the test's own data. */
function edgesOf(dag: Dag): Map<string, Set<string>> {
  return new Map(dag.names.map((name, i) => [name, new Set([...dag.deps[i]!].map((j) => dag.names[j]!))]));
}

/** Naive: can `from` reach `to` along the edges (in at least one step)? */
function reaches(edges: Map<string, Set<string>>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [...edges.get(from)!];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (u === to) return true;
    if (seen.has(u)) continue;
    seen.add(u);
    stack.push(...edges.get(u)!);
  }
  return false;
}

/** Naive: the planned nodes reachable from `from` through unplanned nodes only. */
function nearestPlanned(edges: Map<string, Set<string>>, planned: Set<string>, from: string): string[] {
  const found = new Set<string>();
  const seen = new Set<string>();
  const stack = [...edges.get(from)!];
  while (stack.length > 0) {
    const u = stack.pop()!;
    if (seen.has(u)) continue;
    seen.add(u);
    if (planned.has(u)) found.add(u);
    else stack.push(...edges.get(u)!);
  }
  return [...found].sort();
}

function reverseEdges(edges: Map<string, Set<string>>): Map<string, Set<string>> {
  const reversed = new Map([...edges.keys()].map((name) => [name, new Set<string>()]));
  for (const [from, tos] of edges) for (const to of tos) reversed.get(to)!.add(from);
  return reversed;
}

function waveOf(plan: Plan): Map<string, number> {
  return new Map(plan.waves.flatMap((wave, k) => wave.map((name) => [name, k + 1] as const)));
}

/** Every planned service once, waves sorted and non-empty, blockedBy for exactly the planned ones. */
function expectWellFormed(plan: Plan, planned: readonly string[]): void {
  const all = plan.waves.flat();
  expect(all.slice().sort()).toEqual([...new Set(planned)].sort());
  expect(new Set(all).size).toBe(all.length);
  for (const wave of plan.waves) {
    expect(wave.length).toBeGreaterThan(0);
    expect(wave).toEqual(wave.slice().sort());
  }
  expect(Object.keys(plan.blockedBy).sort()).toEqual(all.slice().sort());
}

/** blockedBy is exactly the nearest-planned relation along `edges`, and waves are as early as that allows. */
function expectPlanFollows(plan: Plan, edges: Map<string, Set<string>>, planned: readonly string[]): void {
  const set = new Set(planned);
  const wave = waveOf(plan);
  for (const s of set) {
    const blockers = nearestPlanned(edges, set, s);
    expect(plan.blockedBy[s]).toEqual(blockers);
    expect(wave.get(s)).toBe(1 + Math.max(0, ...blockers.map((b) => wave.get(b)!)));
    for (const t of set) if (reaches(edges, s, t)) expect(wave.get(t)!).toBeLessThan(wave.get(s)!);
  }
}

describe("properties on random DAGs", () => {
  it("the full plan: each service once, every edge from a later wave to an earlier one, waves minimal", () => {
    fc.assert(
      fc.property(dagArb, (dag) => {
        const g = graphOf(dag);
        const plan = planWaves(g);
        expectWellFormed(plan, dag.names);
        const wave = waveOf(plan);
        dag.names.forEach((name, i) => {
          const deps = [...dag.deps[i]!].map((j) => dag.names[j]!);
          for (const d of deps) expect(wave.get(d)!).toBeLessThan(wave.get(name)!);
          if (wave.get(name)! > 1) expect(deps.some((d) => wave.get(d) === wave.get(name)! - 1)).toBe(true);
          expect(plan.blockedBy[name]).toEqual(deps.sort());
        });
        expect(findCycle(g)).toBeNull();
      }),
    );
  });

  it("subset plans keep the order implied through unplanned services", () => {
    fc.assert(
      fc.property(dagWithSubsetArb, ({ dag, subset }) => {
        const plan = planWaves(graphOf(dag), subset);
        expectWellFormed(plan, subset);
        expectPlanFollows(plan, edgesOf(dag), subset);
      }),
    );
  });

  it("rollbackPlan is the exact reverse-order relation of planWaves", () => {
    fc.assert(
      fc.property(dagWithSubsetArb, ({ dag, subset }) => {
        const g = graphOf(dag);
        const rollback = rollbackPlan(g, subset);
        const deploy = planWaves(g, subset);
        expectWellFormed(rollback, subset);
        expectPlanFollows(rollback, reverseEdges(edgesOf(dag)), subset);
        // t waits for s when rolling back exactly when s waits for t when deploying.
        for (const s of subset) {
          const waitingForS = subset.filter((t) => deploy.blockedBy[t]!.includes(s)).sort();
          expect(rollback.blockedBy[s]).toEqual(waitingForS);
        }
      }),
    );
  });

  it("cycleIfAdded returns a real, shortest cycle exactly when the new edge closes one", () => {
    const arb = dagArb.chain((dag) => fc.record({ dag: fc.constant(dag), a: fc.constantFrom(...dag.names), b: fc.constantFrom(...dag.names) }));
    fc.assert(
      fc.property(arb, ({ dag, a, b }) => {
        const g = graphOf(dag);
        const edges = edgesOf(dag);
        const cycle = cycleIfAdded(g, a, b);
        const closes = a === b || reaches(edges, b, a);
        expect(cycle !== null).toBe(closes);
        if (!cycle) {
          expect(findCycle(g.withEdge(a, b))).toBeNull();
          return;
        }
        expect(cycle[0]).toBe(a);
        expect(cycle[1]).toBe(b);
        expect(cycle.at(-1)).toBe(a);
        for (let k = 0; k + 1 < cycle.length; k++) {
          const [x, y] = [cycle[k]!, cycle[k + 1]!];
          expect((x === a && y === b) || edges.get(x)!.has(y)).toBe(true);
        }
        // Shortest: no service repeats, and no shorter path from b back to a exists.
        expect(new Set(cycle.slice(0, -1)).size).toBe(cycle.length - 1);
        expect(cycle.length - 1).toBe(a === b ? 1 : 1 + distance(edges, b, a));

        // The graph with that edge has a cycle, which findCycle and planWaves report.
        const cyclic = g.withEdge(a, b);
        const found = findCycle(cyclic)!;
        expect(found).not.toBeNull();
        expect(found[0]).toBe(found.at(-1));
        const cyclicEdges = edgesOf(dag);
        cyclicEdges.get(a)!.add(b);
        for (let k = 0; k + 1 < found.length; k++) expect(cyclicEdges.get(found[k]!)!.has(found[k + 1]!)).toBe(true);
        // Every cycle goes through the new edge, so the shortest is as long as cycleIfAdded's.
        expect(found.length).toBe(cycle.length);
        expect(() => planWaves(cyclic)).toThrow(CycleError);
      }),
    );
  });

  it("findCycle on any graph: null exactly when acyclic, else a shortest cycle, the one planWaves reports", () => {
    const graphArb = fc.integer({ min: 1, max: 30 }).chain((n) =>
      fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: n * 2 }).map((pairs) => {
        const edges = new Map(Array.from({ length: n }, (_, i) => [`s${i}`, new Set<string>()]));
        for (const [a, b] of pairs) edges.get(`s${a}`)!.add(`s${b}`);
        return edges;
      }),
    );
    fc.assert(
      fc.property(graphArb, (edges) => {
        const g = DependencyGraph.from([...edges].map(([name, deps]) => ({ name, dependsOn: [...deps] })));
        // Naive: the shortest cycle through v is one step to a dependency, then the shortest way back.
        const shortest = Math.min(...[...edges].flatMap(([v, deps]) => [...deps].map((w) => 1 + distance(edges, w, v))));
        const found = findCycle(g);
        if (shortest === Infinity) {
          expect(found).toBeNull();
          expect(() => planWaves(g)).not.toThrow();
          return;
        }
        expect(found).not.toBeNull();
        expect(found!.length - 1).toBe(shortest);
        expect(found![0]).toBe(found!.at(-1));
        expect(found![0]).toBe([...found!].sort()[0]);
        for (let k = 0; k + 1 < found!.length; k++) expect(edges.get(found![k]!)!.has(found![k + 1]!)).toBe(true);
        const e = thrown(() => planWaves(g));
        expect(e).toBeInstanceOf(CycleError);
        expect((e as CycleError).cycle).toEqual(found);
        // Rolling back everything meets the same cycle, still told along depends-on arrows.
        expect((thrown(() => rollbackPlan(g, g.names)) as CycleError).cycle).toEqual(found);
      }),
    );
  });

  it("impactOf's dependents are the services downstream of a changed one", () => {
    fc.assert(
      fc.property(dagWithSubsetArb, ({ dag, subset }) => {
        const g = graphOf(dag);
        const edges = edgesOf(dag);
        const changed = new Set(subset);
        const expected = dag.names.filter((name) => !changed.has(name) && subset.some((c) => reaches(edges, name, c))).sort();
        expect(impactOf(g, subset, { includeDependents: true })).toEqual({ services: [...changed].sort(), dependents: expected });
      }),
    );
  });
});

function distance(edges: Map<string, Set<string>>, from: string, to: string): number {
  let frontier = [from];
  const seen = new Set(frontier);
  for (let d = 0; frontier.length > 0; d++) {
    if (frontier.includes(to)) return d;
    frontier = frontier.flatMap((u) => [...edges.get(u)!].filter((v) => !seen.has(v) && seen.add(v)));
  }
  return Infinity;
}

describe("a large graph", () => {
  it("plans 5,000 services and 20,000 edges in a valid topological order", () => {
    let state = 7;
    const random = (below: number) => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return Math.floor((state / 2 ** 32) * below);
    };
    const n = 5000;
    const names = Array.from({ length: n }, (_, i) => `svc-${String((i * 7919) % n).padStart(4, "0")}`);
    const deps = names.map(() => new Set<number>());
    for (let m = 0; m < 20_000; ) {
      const a = 1 + random(n - 1);
      const b = random(a);
      if (!deps[a]!.has(b)) {
        deps[a]!.add(b);
        m++;
      }
    }
    const g = graphOf({ names, deps });
    const plan = planWaves(g);
    expectWellFormed(plan, names);
    const wave = waveOf(plan);
    let edges = 0;
    names.forEach((name, i) => {
      for (const j of deps[i]!) {
        edges++;
        if (wave.get(names[j]!)! >= wave.get(name)!) throw new Error(`${name} is not after ${names[j]}`);
      }
      if (plan.blockedBy[name]!.length !== deps[i]!.size) throw new Error(`blockedBy of ${name}`);
    });
    expect(edges).toBe(20_000);
    expect(findCycle(g)).toBeNull();
  });
});
