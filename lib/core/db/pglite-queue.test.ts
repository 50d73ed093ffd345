// Concurrent clients over one PGlite session: parameterised queries and transactions from
// several pooled connections interleave without binding each other's statements.
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installProtocolAwareQueue } from "./pglite-queue.ts";

describe("ProtocolAwareQueue", () => {
  let db: PGlite;
  let server: PGLiteSocketServer;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await PGlite.create();
    server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 20 });
    installProtocolAwareQueue(server, db);
    await server.start();
    await db.exec("CREATE TABLE t (id int primary key, v text)");
    pool = new pg.Pool({ connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`, max: 8 });
  }, 30_000);

  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    await db?.close();
  });

  it("keeps each connection's Parse/Bind/Execute/Sync and each transaction together", async () => {
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 600 }, async (_, i) => {
        try {
          if (i % 3 === 0) {
            const c = await pool.connect();
            try {
              await c.query("BEGIN");
              await c.query("INSERT INTO t VALUES ($1, $2)", [i, `v${i}`]);
              const r = await c.query<{ v: string }>("SELECT v FROM t WHERE id = $1", [i]);
              if (r.rows[0]?.v !== `v${i}`) failures.push(`tx ${i}: ${JSON.stringify(r.rows)}`);
              await c.query("COMMIT");
            } finally {
              c.release();
            }
          } else if (i % 3 === 1) {
            const r = await pool.query<{ v: number }>("SELECT $1::int + 1 AS v", [i]);
            if (r.rows[0]?.v !== i + 1) failures.push(`int ${i}: ${JSON.stringify(r.rows)}`);
          } else {
            const r = await pool.query<{ w: string }>("SELECT $1::text || 'x' AS w, $2::int AS v2", [String(i), i]);
            if (r.rows[0]?.w !== `${i}x`) failures.push(`text ${i}: ${JSON.stringify(r.rows)}`);
          }
        } catch (e) {
          failures.push(`${i}: ${(e as Error).message}`);
        }
      }),
    );
    expect(failures).toEqual([]);
    const count = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM t");
    expect(count.rows[0]?.n).toBe(200);
  }, 60_000);

  it("releases the session when a connection drops in the middle of a transaction", async () => {
    const c = new pg.Client({ connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable` });
    await c.connect();
    await c.query("BEGIN");
    await c.query("INSERT INTO t VALUES ($1, $2)", [100_000, "orphan"]);
    c.on("error", () => {});
    // Drop the socket without COMMIT or ROLLBACK.
    (c as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const r = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM t WHERE id = $1", [100_000]);
    expect(r.rows[0]?.n).toBe(0);
  }, 30_000);
});
