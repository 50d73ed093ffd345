// The postgres project's database: a fresh `paved_test_<timestamp>_<random>` per run on the real
// PostgreSQL, migrated with Paved's own runner and seeded with the demo organisation. A migrated
// but empty `<name>_template` lets tests copy fresh databases cheaply. Teardown drops every
// database of the run, including those tests created and failed to drop.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../../lib/core/db/migrate.ts";
import { createClient } from "../../lib/core/db/client.ts";
import { seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { seedTestCatalog } from "./catalog.ts";
import { POSTGRES_ADMIN_URL, withDatabase, type TestDatabaseInfo } from "./context.ts";

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export default async function setup(project: TestProject) {
  const prefix = `paved_test_${Date.now()}_${randomBytes(3).toString("hex")}`;
  const templateName = `${prefix}_template`;
  const started = Date.now();
  await admin(async (c) => {
    // Databases left by runs that were killed before their teardown (older than six hours).
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^paved_test_[0-9]{13}_'`);
    for (const { datname } of rows) {
      if (Number(datname.split("_")[2]) < Date.now() - 6 * 3600_000) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await c.query(`CREATE DATABASE "${templateName}"`);
  });
  await migrate(withDatabase(POSTGRES_ADMIN_URL, templateName));
  await admin(async (c) => {
    await c.query(`CREATE DATABASE "${prefix}" TEMPLATE "${templateName}"`);
  });
  const url = withDatabase(POSTGRES_ADMIN_URL, prefix);
  const client = createClient(url, 2);
  try {
    await seedDemoOrganisation(client);
    await seedTestCatalog(client);
  } finally {
    await client.$disconnect();
  }
  console.log(`[postgres] test database ${prefix} ready in ${Date.now() - started} ms`);
  const info: TestDatabaseInfo = { mode: "external", url, adminUrl: POSTGRES_ADMIN_URL, templateName, prefix };
  project.provide("testDatabase", info);

  return async () => {
    await admin(async (c) => {
      const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}%`]);
      for (const r of rows) await c.query(`DROP DATABASE IF EXISTS "${r.datname}" WITH (FORCE)`);
    });
  };
}
