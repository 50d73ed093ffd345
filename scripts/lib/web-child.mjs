// Runs `next start|dev` in this process (Next renames it "next-server"), and exits if the
// launcher that spawned it dies without stopping it (e.g. kill -9): no orphaned web server.
// In production the admission gate (admission.mjs) goes in front of Next's request handler:
// `next start` builds its server with http.createServer(requestListener), so the first such call
// gets the gated listener. PAVED_WEB_CONCURRENCY and PAVED_WEB_QUEUE come from the launcher.
import http from "node:http";
import { createRequire } from "node:module";
import { createAdmission } from "./admission.mjs";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 500).unref();

if (process.argv[2] === "start") {
  const admission = createAdmission({
    concurrency: Number(process.env.PAVED_WEB_CONCURRENCY ?? 8),
    queue: Number(process.env.PAVED_WEB_QUEUE ?? 1000),
  });
  const createServer = http.createServer;
  http.createServer = function gatedCreateServer(...args) {
    http.createServer = createServer;
    const i = args.findIndex((a) => typeof a === "function");
    if (i >= 0) args[i] = admission.wrap(args[i]);
    return createServer.apply(this, args);
  };
}

process.argv = [process.argv[0], nextBin, ...process.argv.slice(2)];
await import(nextBin);
