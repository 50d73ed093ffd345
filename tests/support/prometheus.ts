// A real Prometheus for integration tests (Debian's `prometheus` 2.42, or PAVED_TEST_PROMETHEUS):
// started on loopback with a temp --storage.tsdb.path, optionally loaded with thirty days of
// synthetic history, scrape targets, rule files and Alertmanagers.
//
// The history is the sandbox's own traffic model (lib/metrics/traffic.ts) for three applications,
// written as OpenMetrics one file per day at a 60 s step and turned into TSDB blocks by
// `promtool tsdb create-blocks-from openmetrics` (two files at a time), as STACK.md proves. The
// blocks are cached in the temp folder under a key made of the generator's version, the day the
// history ends (today, 00:00 UTC) and a fingerprint of the model's output, so the suite builds
// them once a day (~15 s) and later runs copy them (well under a second).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Ajv, type ValidateFunction } from "ajv";
import YAML from "yaml";
import { DAY_SECONDS, HEALTHY, exposedSamples, newSeries, observe, type TrafficSeries } from "@/lib/metrics/traffic";
import { PROMETHEUS_BINARY, freePort, startDaemon } from "./servers";

const run = promisify(execFile);

export const PROMTOOL_BINARY = process.env.PAVED_TEST_PROMTOOL ?? path.join(path.dirname(PROMETHEUS_BINARY), "promtool");

/** Bump when the history's shape changes in a way the fingerprint below would not notice. */
export const HISTORY_GENERATOR_VERSION = 1;
export const HISTORY_DAYS = 30;
export const HISTORY_STEP_SECONDS = 60;
const DAY_MS = DAY_SECONDS * 1000;
const HOUR_MS = 3_600_000;

/** 00:00 UTC today: where the synthetic history ends. */
export function historyAnchor(now = Date.now()): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/**
 * The applications of the history, and what happened to them:
 * - checkout: healthy for thirty days;
 * - search: a quarter of its requests failed for three hours, from two days before the anchor;
 * - ledger: every request was slow for one hour, from five days before the anchor.
 */
export function historySeries(anchor: number): TrafficSeries[] {
  // Counters start at 0 a day before the history does, so that its first day's rates are ordinary.
  const start = anchor - (HISTORY_DAYS + 1) * DAY_MS;
  const healthy = (service: string): TrafficSeries => {
    const s = newSeries(service, "production", start, HEALTHY);
    return { ...s, origin: start, segments: [{ from: start, ...HEALTHY }] };
  };
  const search = observe(observe(healthy("search"), anchor - 2 * DAY_MS, { errorRate: 0.25, slowShare: 0 }), anchor - 2 * DAY_MS + 3 * HOUR_MS, HEALTHY);
  const ledger = observe(observe(healthy("ledger"), anchor - 5 * DAY_MS, { errorRate: HEALTHY.errorRate, slowShare: 1 }), anchor - 5 * DAY_MS + HOUR_MS, HEALTHY);
  return [healthy("checkout"), search, ledger];
}

/** One day of the history as OpenMetrics: families grouped, each series' samples in time order. */
export function historyDay(series: readonly TrafficSeries[], dayStart: number): string {
  const times: number[] = [];
  for (let t = dayStart; t < dayStart + DAY_MS; t += HISTORY_STEP_SECONDS * 1000) times.push(t);
  // series key → [time, value][]
  const byName = new Map<string, Map<string, string[]>>();
  for (const s of series) {
    for (const t of times) {
      for (const sample of exposedSamples(s, t)) {
        const labels = Object.entries(sample.labels)
          .map(([k, v]) => `${k}="${v}"`)
          .join(",");
        const family = byName.get(sample.name) ?? new Map<string, string[]>();
        const lines = family.get(labels) ?? [];
        lines.push(`${sample.name}{${labels}} ${sample.value} ${(t / 1000).toFixed(0)}`);
        family.set(labels, lines);
        byName.set(sample.name, family);
      }
    }
  }
  const out: string[] = ["# TYPE http_requests counter"];
  for (const lines of byName.get("http_requests_total")?.values() ?? []) out.push(...lines);
  out.push("# TYPE http_request_duration_seconds histogram");
  for (const name of ["http_request_duration_seconds_bucket", "http_request_duration_seconds_sum", "http_request_duration_seconds_count"]) {
    for (const lines of byName.get(name)?.values() ?? []) out.push(...lines);
  }
  out.push("# EOF");
  return `${out.join("\n")}\n`;
}

function historyKey(anchor: number): string {
  const probe = historySeries(anchor).map((s) => exposedSamples(s, anchor - DAY_MS));
  const fingerprint = createHash("sha256").update(JSON.stringify(probe)).digest("hex").slice(0, 12);
  return `v${HISTORY_GENERATOR_VERSION}-${new Date(anchor).toISOString().slice(0, 10)}-${fingerprint}`;
}

const CACHE_ROOT = path.join(tmpdir(), "paved-prometheus-history");

/** The TSDB blocks of the history (built once per key, under a lock, then reused). */
export async function historyBlocks(anchor = historyAnchor()): Promise<string> {
  const key = historyKey(anchor);
  const done = path.join(CACHE_ROOT, key, "blocks");
  if (existsSync(done)) return done;
  await mkdir(CACHE_ROOT, { recursive: true });
  const lock = path.join(CACHE_ROOT, `${key}.lock`);
  for (let waited = 0; ; waited += 250) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(done)) return done;
      if (waited > 180_000) throw new Error(`Timed out waiting for ${lock} (remove it if no test run is building the history).`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (existsSync(done)) return done;
    const work = await mkdtemp(path.join(CACHE_ROOT, `${key}-build-`));
    const series = historySeries(anchor);
    const files: string[] = [];
    for (let d = HISTORY_DAYS; d >= 1; d--) {
      const file = path.join(work, `day-${String(d).padStart(2, "0")}.om`);
      await writeFile(file, historyDay(series, anchor - d * DAY_MS));
      files.push(file);
    }
    const blocks = path.join(work, "blocks");
    await mkdir(blocks);
    // Two at a time: promtool re-reads its file per 2-hour block; the machine has two cores.
    for (let i = 0; i < files.length; i += 2) {
      await Promise.all(files.slice(i, i + 2).map((f) => run(PROMTOOL_BINARY, ["tsdb", "create-blocks-from", "openmetrics", "--quiet", f, blocks], { maxBuffer: 16 * 1024 * 1024 })));
    }
    for (const f of files) await rm(f);
    await mkdir(path.dirname(done), { recursive: true });
    await rename(blocks, done);
    await rm(work, { recursive: true, force: true });
    // Older keys are of no use any more.
    for (const entry of await readdir(CACHE_ROOT)) {
      if (entry !== key && !entry.endsWith(".lock") && !entry.includes("-build-")) await rm(path.join(CACHE_ROOT, entry), { recursive: true, force: true });
    }
    return done;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export interface PrometheusOptions {
  /** Load the thirty days of history. */
  history?: boolean;
  scrapeInterval?: string;
  evaluationInterval?: string;
  /** `scrape_configs` entries. */
  scrapeConfigs?: unknown[];
  /** Rule files by name (YAML text), loaded with `rule_files`. */
  rules?: Record<string, string>;
  /** Alertmanagers to send alerts to ("127.0.0.1:9093"). */
  alertmanagers?: string[];
}

export interface PrometheusServer {
  url: string;
  dataDir: string;
  /** Freezes the process (SIGSTOP): connections are accepted and never answered. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

/** Starts a real Prometheus on loopback and waits until it is ready. */
export async function startPrometheusServer(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "paved-prometheus-"));
  const dataDir = path.join(dir, "data");
  await mkdir(dataDir);
  if (options.history) await cp(await historyBlocks(), dataDir, { recursive: true });
  const ruleFiles = Object.entries(options.rules ?? {});
  for (const [name, content] of ruleFiles) await writeFile(path.join(dir, name), content);
  const config = {
    global: { scrape_interval: options.scrapeInterval ?? "15s", evaluation_interval: options.evaluationInterval ?? "15s" },
    scrape_configs: options.scrapeConfigs ?? [],
    ...(ruleFiles.length ? { rule_files: ruleFiles.map(([name]) => path.join(dir, name)) } : {}),
    ...(options.alertmanagers?.length ? { alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] } } : {}),
  };
  await writeFile(path.join(dir, "prometheus.yml"), YAML.stringify(config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, stop } = await startDaemon(
    "prometheus",
    PROMETHEUS_BINARY,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${dataDir}`,
      "--storage.tsdb.retention.time=90d",
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${url}`,
      // Send firing and resolved alerts at once (the default waits a minute between re-sends).
      "--rules.alert.resend-delay=1s",
    ],
    url,
    dir,
    60_000,
  );
  return {
    url,
    dataDir,
    pause: () => void child.kill("SIGSTOP"),
    resume: () => void child.kill("SIGCONT"),
    stop,
  };
}

/** `promtool check rules` on a rule file's text; throws with promtool's output when it fails. */
export async function checkRules(content: string): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), "paved-rules-"));
  try {
    const file = path.join(dir, "rules.yml");
    await writeFile(file, content);
    await run(PROMTOOL_BINARY, ["check", "rules", file]).catch((e: { stdout?: string; stderr?: string }) => {
      throw new Error(`promtool check rules failed:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- The published API description ----------------------------------------------------------

const SPEC = path.resolve(import.meta.dirname, "specs/prometheus-api-openapi-3.1.yaml");
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
let spec: Record<string, unknown> | undefined;

/** Checks a Prometheus answer against a schema of its published OpenAPI description (e.g. "QueryOutputBody"). */
export async function assertPrometheusSchema(schema: string, body: unknown): Promise<void> {
  spec ??= YAML.parse(await readFile(SPEC, "utf8"), { uniqueKeys: false }) as Record<string, unknown>;
  let validate = validators.get(schema);
  if (!validate) {
    const components = spec.components as { schemas: Record<string, unknown> };
    if (!components.schemas[schema]) throw new Error(`The Prometheus API description has no schema ${schema}`);
    validate = ajv.compile({ $ref: `#/components/schemas/${schema}`, components: { schemas: components.schemas } });
    validators.set(schema, validate);
  }
  if (!validate(body)) throw new Error(`Prometheus' answer does not match ${schema}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}

/** Polls until `fn` returns something truthy (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, options: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${options.what ?? "a condition"}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
