// npm run worker: one more job worker against the same database as the web servers. Reaches the
// embedded database of a running `npm start` through its socket; otherwise needs DATABASE_URL.
import { env } from "../lib/core/env.ts";
import { readRuntime } from "../lib/core/db/embedded.ts";
import { startPavedWorker } from "../lib/worker/index.ts";

const config = env();
let url = config.databaseUrl;
if (!url) {
  const running = await readRuntime(config.dataDir);
  if (!running) {
    console.error("[paved-worker] no DATABASE_URL and no running `npm start` with an embedded database: nothing to work for.");
    process.exit(2);
  }
  url = running.databaseUrl;
  process.env.DATABASE_URL = url;
  process.env.PAVED_DATABASE_MODE = "embedded";
}
const worker = await startPavedWorker(url);
console.log(`[paved-worker] running (${config.workerConcurrency} at a time, pid ${process.pid})`);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[paved-worker] ${signal}: finishing running jobs…`);
  await worker.stop();
  process.exit(0);
}
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
