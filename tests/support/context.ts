// What the integration projects' global setups hand to the test files (through vitest's
// provide/inject): where the run's database is and how to make more like it.
export type TestDatabaseInfo =
  | {
      mode: "external";
      /** The run's shared database: migrated and seeded with the demo organisation. */
      url: string;
      /** The server's maintenance database, for CREATE/DROP DATABASE. */
      adminUrl: string;
      /** A migrated, empty database to copy fresh databases from. */
      templateName: string;
      /** Every database of this run starts with it (teardown drops them all). */
      prefix: string;
    }
  | {
      mode: "embedded";
      url: string;
      /** A migrated, empty PGlite data folder (stopped) to copy fresh databases from. */
      templateDir: string;
      /** The run's temp folder: fresh databases go under it. */
      prefix: string;
    };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseInfo;
  }
}

/** The session secret the tests mint cookies with. */
export const TEST_AUTH_SECRET = "paved-test-secret-0123456789abcdef0123456789abcdef";

export const POSTGRES_ADMIN_URL = process.env.PAVED_TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** The same server URL with another database name. */
export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
