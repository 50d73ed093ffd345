// The service graph at size for the bench: synthetic layered graphs (each service depends on a
// few earlier ones, as real organisations' graphs do), the planner in process, and the editor
// in Chromium.
import { chromium } from "@playwright/test";
import { DependencyGraph, cycleIfAdded, impactOf, planWaves, type ServiceNode } from "../../lib/services/graph.ts";
import { percentile } from "./catalog.ts";

/** A small deterministic PRNG, so runs compare. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` services with about `edges` dependencies, each on earlier services (so acyclic). */
export function syntheticGraph(count: number, edges: number, prefix = "svc", seed = 42): ServiceNode[] {
  const random = prng(seed);
  const perService = edges / Math.max(1, count - 1);
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(5, "0")}`);
  return names.map((name, i) => {
    const deps = new Set<string>();
    if (i > 0) {
      const want = Math.min(i, Math.floor(perService) + (random() < perService % 1 ? 1 : 0));
      // Mostly recent services (layers), sometimes far back (shared infrastructure).
      while (deps.size < want) deps.add(names[random() < 0.7 ? Math.max(0, i - 1 - Math.floor(random() * 40)) : Math.floor(random() * i)]!);
    }
    return { name, dependsOn: [...deps] };
  });
}

export function deploymentConfigYaml(services: readonly ServiceNode[], owner: string): string {
  const lines = ["services:"];
  for (const s of services) {
    lines.push(`  ${s.name}:`, `    owner: ${owner}`, `    dependencies: [${s.dependsOn.map((d) => JSON.stringify(d)).join(", ")}]`, `    paths: ["services/${s.name}/**"]`);
  }
  return `${lines.join("\n")}\n`;
}

export interface Timing {
  p50: number;
  p95: number;
}

function time(runs: number, fn: () => void): Timing {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return { p50: percentile(out, 50), p95: percentile(out, 95) };
}

/** Planning on 5,000 services / 20,000 edges, in process (what POST /api/v1/plans does after its query). */
export function benchPlanner(): { edges: number; whole: Timing; subset: Timing; impact: Timing; cycle: Timing } {
  const services = syntheticGraph(5000, 20_000);
  const edges = services.reduce((n, s) => n + s.dependsOn.length, 0);
  for (let i = 0; i < 5; i++) planWaves(DependencyGraph.from(services));
  const whole = time(30, () => planWaves(DependencyGraph.from(services)));
  const graph = DependencyGraph.from(services);
  const some = services.filter((_, i) => i % 10 === 0).map((s) => s.name);
  const subset = time(30, () => planWaves(graph, some));
  const impact = time(30, () => {
    const { services: changed, dependents } = impactOf(graph, some.slice(0, 50), { includeDependents: true });
    planWaves(graph, [...changed, ...dependents]);
  });
  const cycle = time(30, () => cycleIfAdded(graph, services[10]!.name, services[4990]!.name));
  return { edges, whole, subset, impact, cycle };
}

/**
 * The editor in Chromium: time from navigation to laid out (elkjs) and drawn, then frames per second
 * while panning, zooming and dragging a node. Needs a running Paved with a session cookie.
 */
export async function benchEditor(baseUrl: string, cookie: { name: string; value: string }): Promise<{ nodes: number; layoutSource: string; firstRenderMs: number; panFps: number; zoomFps: number; dragFps: number }> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addCookies([{ name: cookie.name, value: cookie.value, url: baseUrl }]);
    const page = await context.newPage();
    // Warm the route once (compiles the page, and starts the server's layout of this graph),
    // then wait until the server has the layout, as it has for anyone who opens the graph after
    // the first person since the last change.
    await page.goto(`${baseUrl}/services/graph`);
    await page.waitForSelector('[data-testid="graph-editor"][data-layout="idle"]', { timeout: 60_000 });
    for (let i = 0; i < 30; i++) {
      if ((await page.getAttribute('[data-testid="graph-editor"]', "data-layout-source")) === "server") break;
      await new Promise((r) => setTimeout(r, 1000));
      await page.goto(`${baseUrl}/services/graph`);
      await page.waitForSelector('[data-testid="graph-editor"][data-layout="idle"]', { timeout: 60_000 });
    }
    const t0 = Date.now();
    await page.goto(`${baseUrl}/services/graph`);
    await page.waitForSelector('[data-testid="graph-editor"][data-layout="idle"]', { timeout: 60_000 });
    await page.waitForSelector(".react-flow__node");
    const firstRenderMs = Date.now() - t0;
    const nodes = Number(await page.getAttribute('[data-testid="graph-editor"]', "data-node-count"));
    const layoutSource = (await page.getAttribute('[data-testid="graph-editor"]', "data-layout-source")) ?? "browser";
    const pane = await page.locator(".react-flow__pane").boundingBox();
    if (!pane) throw new Error("no graph pane");
    const cx = pane.x + pane.width / 2;
    const cy = pane.y + pane.height / 2;
    const fps = async (action: () => Promise<void>) => {
      // Strings, not functions: tsx's compiled functions refer to helpers the page does not have.
      await page.evaluate(`(() => { window.__frames = 0; window.__stop = false; const tick = () => { if (window.__stop) return; window.__frames++; requestAnimationFrame(tick); }; requestAnimationFrame(tick); })()`);
      const started = Date.now();
      await action();
      const frames = (await page.evaluate(`(() => { window.__stop = true; return window.__frames; })()`)) as number;
      return Math.round((frames / ((Date.now() - started) / 1000)) * 10) / 10;
    };
    const panFps = await fps(async () => {
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 0; i < 60; i++) await page.mouse.move(cx + i * 6, cy + i * 3);
      await page.mouse.up();
    });
    const zoomFps = await fps(async () => {
      await page.mouse.move(cx, cy);
      for (let i = 0; i < 30; i++) await page.mouse.wheel(0, i < 15 ? -120 : 120);
    });
    const node = await page.locator(".react-flow__node").first().boundingBox();
    const dragFps = node
      ? await fps(async () => {
          await page.mouse.move(node.x + node.width / 2, node.y + node.height / 2);
          await page.mouse.down();
          for (let i = 0; i < 60; i++) await page.mouse.move(node.x + node.width / 2 + i * 4, node.y + node.height / 2 + i * 2);
          await page.mouse.up();
        })
      : 0;
    return { nodes, layoutSource, firstRenderMs, panFps, zoomFps, dragFps };
  } finally {
    await browser.close();
  }
}
