// The one database client. Always Prisma through the pg driver adapter, whether the URL points
// at a real PostgreSQL or at the embedded PGlite served on loopback (scripts/start.ts).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient, Prisma } from "./generated/client.ts";
import { env } from "../env.ts";

export { Prisma };
export type Db = PrismaClient;
/** A transaction client. On PGlite an open transaction blocks every other connection: inside a
 * transaction, use only this client. */
export type Tx = Prisma.TransactionClient;

const globalForDb = globalThis as unknown as { pavedDb?: { url: string; client: PrismaClient } };

export function databaseUrl(): string {
  const url = env().databaseUrl;
  if (!url) {
    throw new Error(
      "DATABASE_URL is not set. `npm start` provides it (starting the embedded database); scripts reach a running embedded database through .data/runtime.json.",
    );
  }
  return url;
}

export function createClient(url: string, poolSize = env().poolSize): PrismaClient {
  const adapter = new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  return new PrismaClient({ adapter });
}

/** The process-wide client, created on first use (kept across hot reloads in development). */
export function db(): PrismaClient {
  const url = databaseUrl();
  const current = globalForDb.pavedDb;
  if (current && current.url === url) return current.client;
  const client = createClient(url);
  globalForDb.pavedDb = { url, client };
  return client;
}

export async function disconnectDb(): Promise<void> {
  const current = globalForDb.pavedDb;
  globalForDb.pavedDb = undefined;
  await current?.client.$disconnect();
}

/** Runs `fn` in a transaction. Writes and their audit events go through one of these. */
export function transaction<T>(fn: (tx: Tx) => Promise<T>, options?: { timeoutMs?: number }): Promise<T> {
  return db().$transaction(fn, { timeout: options?.timeoutMs ?? 15_000, maxWait: 10_000 });
}

/** Prisma's unique-constraint violation, for turning into a ConflictError. */
export function isUniqueViolation(e: unknown): boolean {
  return e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002";
}
