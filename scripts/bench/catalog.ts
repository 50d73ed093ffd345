// The catalog at size for the bench: 1,000 templates × 5 versions made from a real template
// (dotnet-ci-cd), each with its own name, words and versions, so search has work to do.
import path from "node:path";
import autocannon from "autocannon";
import { bundleDigest, loadCatalog, type LoadedBundle } from "../../lib/templates/bundle.ts";

const WORDS = ["dotnet", "node", "python", "java", "go", "rust", "terraform", "helm", "kustomize", "docker", "security", "lint", "release", "deploy", "canary", "azure", "aws", "gcp", "sbom", "cache"];

export function syntheticName(i: number): string {
  return `bench-${String(i).padStart(4, "0")}-${WORDS[i % WORDS.length]}`;
}

export async function syntheticCatalog(templates: number, versions: number): Promise<LoadedBundle[]> {
  const { bundles } = await loadCatalog(path.resolve("templates-catalog"));
  const base = bundles.find((b) => b.bundle.manifest.metadata.name === "dotnet-ci-cd" && b.bundle.manifest.spec.version.startsWith("2."));
  if (!base) throw new Error("dotnet-ci-cd 2.x not found in templates-catalog/");
  const out: LoadedBundle[] = [];
  for (let i = 0; i < templates; i++) {
    const name = syntheticName(i);
    const words = [WORDS[i % WORDS.length], WORDS[(i * 7) % WORDS.length], WORDS[(i * 13) % WORDS.length]];
    for (let v = 0; v < versions; v++) {
      const m = base.bundle.manifest;
      const manifest = {
        ...m,
        metadata: { ...m.metadata, name, title: `Bench ${words.join(" ")} ${i}`, description: `A ${words.join(", ")} pipeline for benchmarks (${i}).`, tags: [...new Set(words as string[])] },
        spec: { ...m.spec, version: `${v + 1}.0.0`, lifecycle: v === versions - 1 ? ("stable" as const) : ("deprecated" as const) },
      };
      const bundle = { ...base.bundle, manifest };
      out.push({ dir: `synthetic/${name}`, bundle, digest: bundleDigest(bundle) });
    }
  }
  return out;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) * 10) / 10;
}

/** Runs `fn` n times one after another; returns the durations in ms. */
export async function timeEach(n: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

/** `connections` clients on one URL for `duration` seconds (autocannon): latency percentiles, answers a second, errors. */
export async function load(url: string, opts: { connections: number; duration: number; headers?: Record<string, string> }) {
  const result = await autocannon({ url, connections: opts.connections, duration: opts.duration, headers: opts.headers ?? {} });
  return {
    p50: result.latency.p50,
    p95: result.latency.p97_5 !== undefined ? percentileFrom(result, 95) : result.latency.p90,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

/** autocannon reports p90, p97.5 and p99; p95 is interpolated between p90 and p97.5. */
function percentileFrom(result: autocannon.Result, p: 95): number {
  const { p90, p97_5 } = result.latency;
  return Math.round((p90 + ((p97_5 - p90) * (p - 90)) / 7.5) * 100) / 100;
}
