// Runs `next start|dev` in this process (Next renames it "next-server"), and exits if the
// launcher that spawned it dies without stopping it (e.g. kill -9): no orphaned web server.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, "SIGTERM");
}, 500).unref();
process.argv = [process.argv[0], nextBin, ...process.argv.slice(2)];
await import(nextBin);
