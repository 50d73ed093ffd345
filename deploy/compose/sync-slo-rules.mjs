// Keeps Prometheus' copy of Paved's SLO rules current: docker-compose.yml's `slo-rules` service.
// Every SYNC_INTERVAL_SECONDS (default 60) it fetches GET <PAVED_URL>/api/v1/slos/rules (every
// SLO's recording rules and burn-rate alerts, one Prometheus rule file) with an API token, and
// when the file changed, writes it atomically to <RULES_DIR>/paved-slos.yml, which Prometheus
// loads (`rule_files`), and asks Prometheus to reload (POST <PROMETHEUS_URL>/-/reload, which needs
// --web.enable-lifecycle). Plain Node, no dependencies; `--once` syncs once and exits (1 on failure).
//
// The token: PAVED_RULES_TOKEN, else one kept in <RULES_DIR>/rules-token (mode 0600), else one it
// issues for PAVED_RULES_USER with Paved's own `npm run token` (scripts/token.ts, which needs
// DATABASE_URL) and keeps there. Any role may read SLOs; a viewer is enough. A kept token that
// stops working (revoked, expired) is dropped and a new one issued.
import { spawn } from "node:child_process";
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const config = {
  pavedUrl: (process.env.PAVED_URL ?? "http://paved:3000").replace(/\/$/, ""),
  prometheusUrl: (process.env.PROMETHEUS_URL ?? "http://prometheus:9090").replace(/\/$/, ""),
  dir: process.env.RULES_DIR ?? "/app/.data",
  intervalSeconds: Number(process.env.SYNC_INTERVAL_SECONDS ?? "60"),
  token: process.env.PAVED_RULES_TOKEN || undefined,
  user: process.env.PAVED_RULES_USER || undefined,
  /** Where Paved's scripts are (the image's /app). */
  pavedRoot: process.env.PAVED_ROOT ?? process.cwd(),
};
const RULES_FILE = "paved-slos.yml";
const TOKEN_FILE = "rules-token";
const log = (line) => console.log(`[slo-rules] ${line}`);

async function readIfExists(file) {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Issues a token for PAVED_RULES_USER through Paved's token script. */
function issueToken() {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "scripts/token.ts", "--user", config.user, "--name", "prometheus-slo-rules", "--expires-days", "365"],
      { cwd: config.pavedRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 && out.trim() ? resolve(out.trim()) : reject(new Error(`could not issue a token for ${config.user}: ${err.trim() || `exit ${code}`}`))));
  });
}

async function token() {
  if (config.token) return { value: config.token, kept: false };
  const file = path.join(config.dir, TOKEN_FILE);
  const kept = (await readIfExists(file))?.trim();
  if (kept) return { value: kept, kept: true };
  if (!config.user) throw new Error("set PAVED_RULES_TOKEN (an API token that may read SLOs) or PAVED_RULES_USER (a person to issue one for)");
  const issued = await issueToken();
  await writeFile(file, issued, { mode: 0o600 });
  await chmod(file, 0o600);
  log(`issued an API token for ${config.user}, kept in ${file}`);
  return { value: issued, kept: true };
}

/** One round: fetch, compare, write and reload. Returns what happened. */
async function syncOnce() {
  const auth = await token();
  const res = await fetch(`${config.pavedUrl}/api/v1/slos/rules`, {
    headers: { authorization: `Bearer ${auth.value}`, accept: "application/yaml" },
    signal: AbortSignal.timeout(30_000),
  });
  if (res.status === 401 && auth.kept) {
    await rm(path.join(config.dir, TOKEN_FILE), { force: true });
    throw new Error("Paved refused the kept token (revoked or expired); a new one is issued next time");
  }
  if (!res.ok) throw new Error(`GET /api/v1/slos/rules answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const rules = await res.text();
  if (!/^groups:/m.test(rules)) throw new Error("GET /api/v1/slos/rules did not answer a rule file");
  const file = path.join(config.dir, RULES_FILE);
  if ((await readIfExists(file)) === rules) return "unchanged";
  const temp = `${file}.tmp`;
  await writeFile(temp, rules, { mode: 0o644 });
  await rename(temp, file);
  const reload = await fetch(`${config.prometheusUrl}/-/reload`, { method: "POST", signal: AbortSignal.timeout(30_000) });
  if (!reload.ok) throw new Error(`wrote ${file}, but Prometheus refused to reload (${reload.status}): ${(await reload.text()).slice(0, 300)}`);
  return "updated";
}

async function main() {
  if (process.argv.includes("--once")) {
    log(await syncOnce());
    return;
  }
  let stopped = false;
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => ((stopped = true), process.exit(0)));
  let last = "";
  while (!stopped) {
    try {
      const outcome = await syncOnce();
      if (outcome !== last || outcome === "updated") log(outcome === "updated" ? `rules updated in ${path.join(config.dir, RULES_FILE)}; Prometheus reloaded` : "rules unchanged");
      last = outcome;
    } catch (e) {
      log(`sync failed: ${e.message}`);
      last = "";
    }
    await new Promise((r) => setTimeout(r, config.intervalSeconds * 1000));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e) => {
    log(`failed: ${e.message}`);
    process.exit(1);
  });
}
