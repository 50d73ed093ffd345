// Automatic layered layout with ELK in the browser (the graph and options are lib/services/layout.ts,
// shared with the server, which caches the layout of the current graph). ELK runs in a web worker
// when the browser gives us one, so laying out 500 services (~0.5–1 s) never freezes panning;
// otherwise on the main thread.
import ElkApi, { type ElkNode } from "elkjs/lib/elk-api.js";
import { elkGraph, layoutPositions, NODE_HEIGHT, NODE_WIDTH, type LayoutPositions } from "@/lib/services/layout";
import type { GraphIndex } from "./model";

export { LAYOUT_OPTIONS, NODE_HEIGHT, NODE_WIDTH } from "@/lib/services/layout";

export type Positions = Map<string, { x: number; y: number }>;

/** The ELK graph: one child per service, one edge per dependency, from dependency to dependent. */
export function toElkGraph(index: GraphIndex): ElkNode {
  return elkGraph([...index.nodes.keys()].map((name) => ({ name, dependsOn: index.dependsOn.get(name) ?? [] })));
}

export function positionsFrom(layout: ElkNode): Positions {
  return fromLayoutPositions(layoutPositions(layout));
}

export function fromLayoutPositions(p: LayoutPositions): Positions {
  const out: Positions = new Map();
  for (const [name, [x, y]] of Object.entries(p)) out.set(name, { x, y });
  return out;
}

const COLUMN = NODE_WIDTH + 96;
const ROW = NODE_HEIGHT + 28;

/**
 * A layout good enough to draw at once while ELK works: one column per wave, each column ordered
 * by where its dependencies sit (one barycentre pass) and centred on the same line. ELK's result
 * then moves the nodes to their final place.
 */
export function provisionalPositions(index: GraphIndex, waves: ReadonlyMap<string, number>): Positions {
  const columns = new Map<number, string[]>();
  for (const name of [...index.nodes.keys()].sort()) {
    const w = waves.get(name) ?? 1;
    let col = columns.get(w);
    if (!col) columns.set(w, (col = []));
    col.push(name);
  }
  const row = new Map<string, number>();
  const out: Positions = new Map();
  for (const w of [...columns.keys()].sort((a, b) => a - b)) {
    const col = columns.get(w)!;
    const key = new Map(
      col.map((n, i) => {
        const deps = (index.dependsOn.get(n) ?? []).filter((d) => row.has(d));
        return [n, deps.length ? deps.reduce((s, d) => s + row.get(d)!, 0) / deps.length : i] as const;
      }),
    );
    col.sort((a, b) => key.get(a)! - key.get(b)! || a.localeCompare(b));
    col.forEach((n, i) => {
      row.set(n, i - (col.length - 1) / 2);
      out.set(n, { x: (w - 1) * COLUMN, y: Math.round((i - (col.length - 1) / 2) * ROW) });
    });
  }
  return out;
}

interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>;
}

let mainThread: Promise<Elk> | undefined;
function mainThreadElk(): Promise<Elk> {
  mainThread ??= import("elkjs/lib/elk.bundled.js").then((m) => new m.default());
  return mainThread;
}

/**
 * ELK in a classic web worker running ELK's own worker script. The bundler copies that script to
 * a static URL (the `new URL(…, import.meta.url)` below); `elk-api` is the small client that talks
 * to it. elk-api never reports a worker that failed to load, so a load error is raced in.
 */
function workerElk(): { elk: Elk; terminate(): void } | null {
  if (typeof Worker === "undefined") return null;
  let fail: (e: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});
  try {
    const url = new URL("../../node_modules/elkjs/lib/elk-worker.min.js", import.meta.url);
    const api = new ElkApi({
      workerUrl: url.href,
      workerFactory: (u) => {
        const w = new Worker(u ?? url.href, { name: "elk-layout" });
        w.addEventListener("error", (e) => {
          e.preventDefault();
          fail(new Error("the layout worker failed to start"));
        });
        return w;
      },
    });
    return { elk: { layout: (g) => Promise.race([api.layout(g), failed]) }, terminate: () => api.terminateWorker() };
  } catch {
    return null;
  }
}

// One worker for the page, started as soon as this module loads in the browser: fetching and
// compiling ELK (~1.6 MB) then overlaps with hydration instead of delaying the first layout.
let shared: ReturnType<typeof workerElk> | undefined;
let workerBroken = false;
function sharedWorker(): ReturnType<typeof workerElk> {
  if (workerBroken) return null;
  shared ??= workerElk();
  if (!shared) workerBroken = true;
  return shared;
}
if (typeof window !== "undefined") sharedWorker();

/**
 * Lays graphs out in the web worker, falling back to the main thread if it cannot start.
 * `dispose` stops the worker (the next editor starts a new one).
 */
export function createLayoutEngine(): { layout(index: GraphIndex): Promise<{ positions: Positions; ms: number; where: "worker" | "main" }>; dispose(): void } {
  return {
    async layout(index) {
      const graph = toElkGraph(index);
      const started = performance.now();
      const worker = sharedWorker();
      if (worker) {
        try {
          const out = await worker.elk.layout(graph);
          return { positions: positionsFrom(out), ms: performance.now() - started, where: "worker" };
        } catch {
          workerBroken = true;
          worker.terminate();
          shared = null;
        }
      }
      const elk = await mainThreadElk();
      const out = await elk.layout(graph);
      return { positions: positionsFrom(out), ms: performance.now() - started, where: "main" };
    },
    dispose() {
      shared?.terminate();
      shared = undefined;
    },
  };
}
