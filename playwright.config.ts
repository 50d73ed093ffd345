// Browser flows in Debian's Chromium against a real `npm start` (embedded database, sandbox
// integrations, demo organisation) in a fresh data folder per run.
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3210);

// Data folders of earlier runs (each holds a whole embedded database): remove those over an hour old.
for (const name of readdirSync(tmpdir())) {
  if (!/^paved-(e2e|launcher)-/.test(name)) continue;
  const dir = path.join(tmpdir(), name);
  try {
    if (Date.now() - statSync(dir).mtimeMs > 3_600_000) rmSync(dir, { recursive: true, force: true });
  } catch {
    // another run's folder vanished meanwhile
  }
}
// Evaluated once in the runner, inherited by the workers.
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "paved-e2e-"));

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 2,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `http://127.0.0.1:${port}/api/health`,
    // The first run builds the app (about a minute).
    timeout: 240_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      PAVED_DATA_DIR: process.env.E2E_DATA_DIR,
      LOG_LEVEL: "warn",
    },
  },
});
