// A database of a bench section's own on the server behind `adminUrl`: created empty, dropped
// (with any connections still open) when the section is done.
import pg from "pg";

export interface BenchDatabase {
  /** The new database's URL. */
  url: URL;
  drop(): Promise<void>;
}

export async function createBenchDatabase(adminUrl: string, section: string): Promise<BenchDatabase> {
  const name = `paved_bench_${section}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (e) {
    await admin.end();
    throw e;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url,
    async drop() {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
