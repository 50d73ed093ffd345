// The data version (migration 20261127125704_data_version): one number that every change to a
// table cached between requests moves on, bumped by triggers in the same transaction as the
// change. A cache here is keyed by it: a request reads the version (one primary-key read) and
// uses what was cached under that version, or loads afresh and caches that. Nothing is ever
// behind a committed change, on any instance, and a request sees its own writes; a write to one
// of those tables empties the caches of every process at the next read.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db, Tx } from "./client.ts";

/**
 * A read-only request (GET, HEAD) reads the version once and uses it for every cache it consults:
 * its answer is then as of the moment it started, like a read in one snapshot. Requests that may
 * write read it afresh each time, so that they see their own writes.
 */
const readOnlyRequest = new AsyncLocalStorage<Map<Db, Promise<string>>>();

/** Runs `fn` as a read-only request: one data-version read per database client. */
export function asReadOnlyRequest<T>(fn: () => Promise<T>): Promise<T> {
  return readOnlyRequest.run(new Map(), fn);
}

async function queryDataVersion(db: Db): Promise<string> {
  const rows = await db.$queryRawUnsafe<{ version: string }[]>(`SELECT "version"::text AS version FROM "data_versions" WHERE "id" = 1`);
  return rows[0]?.version ?? "0";
}

/** The current data version, as text (a bigint); once per read-only request. */
export function readDataVersion(db: Db): Promise<string> {
  const scope = readOnlyRequest.getStore();
  if (!scope) return queryDataVersion(db);
  let version = scope.get(db);
  if (!version) {
    version = queryDataVersion(db);
    scope.set(db, version);
    // A failed read is not remembered.
    version.catch(() => scope.delete(db));
  }
  return version;
}

const newer = (a: string, b: string) => BigInt(a) > BigInt(b);

/**
 * Entries valid for one data version, least recently used first out. Reading under another
 * version misses; storing under a newer one drops everything older; storing under an older one
 * (a slow request that read the version before a change) is ignored.
 */
export class VersionedCache<V> {
  private version: string | null = null;
  private readonly entries = new Map<string, V>();

  constructor(private readonly maxEntries: number) {}

  get(version: string, key: string): V | undefined {
    if (version !== this.version) return undefined;
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(version: string, key: string, value: V): void {
    if (version !== this.version) {
      if (this.version !== null && !newer(version, this.version)) return;
      this.version = version;
      this.entries.clear();
    }
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A transaction client lacks the top-level client's `$disconnect`. */
const isClient = (db: Db | Tx): db is Db => "$disconnect" in db;

const caches = new WeakMap<Db, Map<string, VersionedCache<unknown>>>();

/** The named cache of one database client (tests use several databases in one process). */
export function versionedCache<V>(db: Db, name: string, maxEntries: number): VersionedCache<V> {
  let named = caches.get(db);
  if (!named) caches.set(db, (named = new Map()));
  let cache = named.get(name);
  if (!cache) named.set(name, (cache = new VersionedCache<unknown>(maxEntries)));
  return cache as VersionedCache<V>;
}

/**
 * `load()` through the named cache: one version read, and the load only when nothing is cached
 * under the current version. Inside a transaction there is no cache (the caller reads its own
 * uncommitted state), so `db` must be the process's client, not a transaction.
 */
export async function cachedByDataVersion<V>(db: Db | Tx, name: string, key: string, load: () => Promise<V>, maxEntries = 1000): Promise<V> {
  if (!isClient(db)) return load();
  const cache = versionedCache<V>(db, name, maxEntries);
  const version = await readDataVersion(db);
  const hit = cache.get(version, key);
  if (hit !== undefined) return hit;
  const value = await load();
  cache.set(version, key, value);
  return value;
}
