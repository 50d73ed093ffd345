// The editor's layout, computed once per graph revision on the server and kept in memory, so the
// editor draws a large graph in its final place at once instead of waiting for ELK in the browser
// (~1–4 s at 500 services on a slow laptop). ELK runs in a worker thread, never on the thread that
// answers requests; a page asks for the layout and gets it if it is ready, else starts it and
// lets the browser lay the graph out this time.
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { ElkNode } from "elkjs/lib/elk-api.js";
import type { Db } from "../core/db/client.ts";
import { logger } from "../core/logger.ts";
import { elkGraph, layoutPositions, type LayoutPositions } from "./layout.ts";
import type { GraphDto } from "./schemas.ts";

/** Larger graphs are laid out in the browser only (a server layout would take many seconds). */
export const SERVER_LAYOUT_MAX_NODES = 3000;

// The worker is plain CommonJS evaluated from a string that requires ELK's bundled build by its
// resolved path, so no bundler has to know about it.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ELK = require(workerData.elkPath);
const elk = new ELK();
parentPort.on("message", (m) => {
  elk.layout(m.graph).then(
    (out) => parentPort.postMessage({ id: m.id, out }),
    (e) => parentPort.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) }),
  );
});`;

let worker: { thread: Worker; pending: Map<number, { resolve: (n: ElkNode) => void; reject: (e: Error) => void }> } | undefined;
let nextId = 0;

/**
 * The thread is a V8 isolate of its own (tens of MB, more after a large layout): it is stopped
 * when no layout has been asked for this long, and started again by the next one.
 */
let idleMs = 30_000;
let idleTimer: NodeJS.Timeout | undefined;

function stopWhenIdle(w: NonNullable<typeof worker>): void {
  if (w.pending.size > 0) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (worker !== w || w.pending.size > 0) return;
    worker = undefined;
    void w.thread.terminate();
  }, idleMs);
  idleTimer.unref();
}

/** Whether the layout thread is running (tests). */
export function layoutThreadRunning(): boolean {
  return worker !== undefined;
}

/** How long the layout thread may stay idle before it is stopped (tests shorten it). */
export function setLayoutThreadIdleMs(ms: number): void {
  idleMs = ms;
}

function elkWorker(): NonNullable<typeof worker> {
  if (worker) return worker;
  const elkPath = createRequire(path.join(process.cwd(), "package.json")).resolve("elkjs/lib/elk.bundled.js");
  const thread = new Worker(WORKER_SOURCE, { eval: true, workerData: { elkPath }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
  const pending = new Map<number, { resolve: (n: ElkNode) => void; reject: (e: Error) => void }>();
  thread.on("message", (m: { id: number; out?: ElkNode; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.out) p?.resolve(m.out);
    else p?.reject(new Error(m.error ?? "layout failed"));
    if (worker) stopWhenIdle(worker);
  });
  const fail = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    worker = undefined;
  };
  thread.on("error", fail);
  thread.on("exit", (code) => {
    if (worker?.thread === thread) fail(new Error(`the layout thread exited (${code})`));
  });
  // The thread must not keep a process (a test, a script) alive on its own.
  thread.unref();
  worker = { thread, pending };
  return worker;
}

/** Lays a graph out with ELK in the worker thread. */
export function layoutGraph(nodes: GraphDto["nodes"]): Promise<LayoutPositions> {
  clearTimeout(idleTimer);
  const w = elkWorker();
  const id = nextId++;
  return new Promise<ElkNode>((resolve, reject) => {
    w.pending.set(id, { resolve, reject });
    w.thread.postMessage({ id, graph: elkGraph(nodes) });
  }).then(layoutPositions);
}

interface Entry {
  revision: number;
  nodes: number;
  positions?: LayoutPositions;
  running?: Promise<LayoutPositions | null>;
}

const cache = new WeakMap<Db, Entry>();

/** The layout only depends on which services exist and their dependencies: the graph revision. */
const sameGraph = (e: Entry, graph: GraphDto) => e.revision === graph.revision && e.nodes === graph.nodes.length;

/**
 * The cached layout of this graph, or null when there is none yet (it is then started, and the
 * next page view gets it). `wait` awaits a computation instead (tests, the bench).
 */
export async function graphLayout(db: Db, graph: GraphDto, options: { wait?: boolean } = {}): Promise<LayoutPositions | null> {
  if (graph.nodes.length === 0 || graph.nodes.length > SERVER_LAYOUT_MAX_NODES) return null;
  let entry = cache.get(db);
  if (entry && sameGraph(entry, graph) && entry.positions) return entry.positions;
  if (!entry || !sameGraph(entry, graph)) {
    const started = performance.now();
    const next: Entry = { revision: graph.revision, nodes: graph.nodes.length };
    next.running = layoutGraph(graph.nodes).then(
      (positions) => {
        next.positions = positions;
        next.running = undefined;
        logger.debug({ revision: graph.revision, nodes: graph.nodes.length, ms: Math.round(performance.now() - started) }, "graph layout computed");
        return positions;
      },
      (e: unknown) => {
        // Forget the failure, so a later view tries again; the browser lays this one out.
        if (cache.get(db) === next) cache.delete(db);
        logger.warn({ err: e, revision: graph.revision }, "graph layout failed on the server");
        return null;
      },
    );
    cache.set(db, next);
    entry = next;
  }
  return options.wait ? ((await entry.running) ?? entry.positions ?? null) : null;
}
