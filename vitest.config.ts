// Four projects over one config:
// - unit: pure logic beside the code (lib/**/*.test.ts) and tests/unit; no database.
// - postgres: tests/integration against the real PostgreSQL on 127.0.0.1:5432, in a fresh
//   database per run (tests/support/global-setup-postgres.ts creates and drops it).
// - embedded: the same integration files against the embedded PGlite, started by
//   tests/support/global-setup-embedded.ts. PGlite runs one query at a time and an open
//   transaction blocks every other connection, so its files run one after another.
// - resilience: tests/resilience (npm run test:resilience), on the real PostgreSQL.
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

const integration = {
  include: ["tests/integration/**/*.int.test.ts"],
  setupFiles: ["tests/support/setup-integration.ts"],
  testTimeout: 60_000,
  hookTimeout: 120_000,
  teardownTimeout: 60_000,
  // next-auth imports "next/server" without an extension, which Node's own ESM loader cannot
  // resolve (Next.js has no exports map); let Vite load it, as Next's bundler does.
  server: { deps: { inline: ["next-auth"] } },
};

export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    env: { NODE_ENV: "test", LOG_LEVEL: "silent" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          // tests/infra: README, docs, docker-compose and lint-boundary checks (no database either).
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "tests/unit/**/*.test.ts", "tests/infra/**/*.test.ts"],
        },
      },
      {
        extends: true,
        test: {
          ...integration,
          name: "postgres",
          globalSetup: ["tests/support/global-setup-postgres.ts"],
          // Every file works on its own teams and users (or its own database), so files may run
          // side by side.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          ...integration,
          name: "embedded",
          // The migration runner's tests need empty databases, which only the real server makes cheaply.
          exclude: ["tests/integration/migrate.int.test.ts"],
          globalSetup: ["tests/support/global-setup-embedded.ts"],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          ...integration,
          // npm run test:resilience: fuzzing every route, faults (a worker killed mid-run, the
          // database and the integrations cut), several processes on one database, and load. On
          // the real PostgreSQL; files one after another (they start processes and load the CPU).
          name: "resilience",
          include: ["tests/resilience/**/*.res.test.ts"],
          globalSetup: ["tests/support/global-setup-postgres.ts"],
          fileParallelism: false,
          testTimeout: 300_000,
          sequence: { groupOrder: 3 },
        },
      },
    ],
  },
});
