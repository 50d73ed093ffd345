// Runs in each integration test file before it loads any app module: points Paved's
// configuration (lib/core/env.ts) at the run's database, and closes the file's pools after it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, inject } from "vitest";
import { TEST_AUTH_SECRET } from "./context.ts";

const database = inject("testDatabase");

for (const name of [
  "GITHUB_TOKEN",
  "GITHUB_API_URL",
  "ARGOCD_URL",
  "ARGOCD_TOKEN",
  "PROMETHEUS_URL",
  "AUTH_GITHUB_ID",
  "AUTH_GITHUB_SECRET",
  "AUTH_URL",
  "PAVED_ADMIN_LOGINS",
  "PAVED_DATA_DIR",
]) {
  delete process.env[name];
}
Object.assign(process.env, {
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  DATABASE_URL: database.url,
  PAVED_DATABASE_MODE: database.mode,
  PAVED_SANDBOX: "true",
  PAVED_DB_POOL_SIZE: database.mode === "embedded" ? "4" : "5",
  AUTH_SECRET: TEST_AUTH_SECRET,
  // Sandbox git repositories and other data-folder state: never the developer's own .data/.
  PAVED_DATA_DIR: mkdtempSync(path.join(tmpdir(), "paved-test-data-")),
});

afterAll(async () => {
  const { stopJobClient } = await import("../../lib/core/jobs/sender.ts");
  const { disconnectDb } = await import("../../lib/core/db/client.ts");
  await stopJobClient();
  await disconnectDb();
});
