// The embedded project's database: Paved's embedded PGlite (lib/core/db/embedded.ts) in a temp
// folder, served on loopback for the whole run. The folder is first migrated and copied (while
// stopped) as a template for tests that need a fresh database, then reopened and seeded.
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedDatabase } from "../../lib/core/db/embedded.ts";
import { migrate } from "../../lib/core/db/migrate.ts";
import { createClient } from "../../lib/core/db/client.ts";
import { seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { seedTestCatalog } from "./catalog.ts";
import type { TestDatabaseInfo } from "./context.ts";

export default async function setup(project: TestProject) {
  const started = Date.now();
  const base = await mkdtemp(path.join(tmpdir(), "paved-test-embedded-"));
  const templateDir = path.join(base, "template");
  const template = await startEmbeddedDatabase({ dataDir: templateDir, maxConnections: 4 });
  try {
    await migrate(template.url);
  } finally {
    await template.stop();
  }
  const sharedDir = path.join(base, "shared");
  await cp(templateDir, sharedDir, { recursive: true });
  // Room for a test file's Prisma pool, a job client and two workers at once.
  const shared = await startEmbeddedDatabase({ dataDir: sharedDir, maxConnections: 40 });
  const client = createClient(shared.url, 2);
  try {
    await seedDemoOrganisation(client);
    await seedTestCatalog(client);
  } finally {
    await client.$disconnect();
  }
  console.log(`[embedded] test database ready in ${Date.now() - started} ms (${shared.url})`);
  const info: TestDatabaseInfo = { mode: "embedded", url: shared.url, templateDir, prefix: base };
  project.provide("testDatabase", info);

  return async () => {
    await shared.stop();
    await rm(base, { recursive: true, force: true });
  };
}
