// A query queue for pglite-socket that keeps each client's extended-protocol exchange whole.
//
// PGlite is one PostgreSQL session shared by every socket connection. pglite-socket 0.2.17's
// queue runs one protocol *message* at a time and keeps a connection's messages together only
// inside a transaction, so under concurrency a Parse from one connection can land between
// another connection's Parse and Bind: that connection then binds the wrong statement, or fails
// with "unnamed prepared statement does not exist" / "portal does not exist" (reproduced by
// lib/core/db/pglite-queue.test.ts). This queue gives the session to one connection from its
// first extended-protocol message (Parse, Bind, Describe, Execute, Close, Flush) until its Sync,
// and — as before — for the whole of an open transaction.
//
// It implements the interface pglite-socket's server hands to each connection handler
// (enqueue, getQueueLength, clearQueueForHandler, clearTransactionIfNeeded); install it with
// installProtocolAwareQueue(server, db) before server.start().
import type { PGlite } from "@electric-sql/pglite";

interface Item {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (e: unknown) => void;
  onData: (data: Uint8Array) => void;
}

const SYNC = 0x53; // 'S'
const QUERY = 0x51; // 'Q'
const TERMINATE = 0x58; // 'X'
/** Extended-protocol messages that leave the exchange open until the client's Sync. */
const EXTENDED = new Set([0x50 /* P */, 0x42 /* B */, 0x44 /* D */, 0x45 /* E */, 0x43 /* C */, 0x48 /* H */]);

export class ProtocolAwareQueue {
  private queue: Item[] = [];
  private processing = false;
  /** The connection whose extended-protocol exchange is open (until its Sync). */
  private owner: number | null = null;
  /** The connection that ran last: it keeps the session while a transaction is open. */
  private lastHandlerId: number | null = null;

  constructor(private readonly db: PGlite) {}

  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, resolve, reject, onData });
      if (!this.processing) void this.processQueue();
    });
  }

  private next(): Item | undefined {
    const holder = this.owner ?? (this.db.isInTransaction() ? this.lastHandlerId : null);
    if (holder === null) return this.queue.shift();
    const index = this.queue.findIndex((i) => i.handlerId === holder);
    // The holder's next message has not arrived yet: wait for it (enqueue restarts processing).
    return index === -1 ? undefined : this.queue.splice(index, 1)[0];
  }

  private async processQueue(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      for (;;) {
        const item = this.next();
        if (!item) break;
        const type = item.message[0] ?? 0;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (e) {
          if (this.owner === item.handlerId) this.owner = null;
          item.reject(e);
          continue;
        }
        if (EXTENDED.has(type)) this.owner = item.handlerId;
        else if (type === SYNC || type === QUERY || type === TERMINATE) {
          if (this.owner === item.handlerId) this.owner = null;
        }
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength(): number {
    return this.queue.length;
  }

  clearQueueForHandler(handlerId: number): void {
    this.queue = this.queue.filter((i) => {
      if (i.handlerId !== handlerId) return true;
      i.reject(new Error("Handler disconnected"));
      return false;
    });
    if (this.owner === handlerId) this.owner = null;
  }

  async clearTransactionIfNeeded(handlerId: number): Promise<void> {
    if (this.owner === handlerId) this.owner = null;
    if (this.db.isInTransaction() && this.lastHandlerId === handlerId) {
      await this.db.exec("ROLLBACK");
      this.lastHandlerId = null;
    }
    // Whoever was waiting for this connection to finish can run now.
    if (!this.processing) void this.processQueue();
  }
}

/** Replaces a PGLiteSocketServer's queue before it starts accepting connections. */
export function installProtocolAwareQueue(server: object, db: PGlite): void {
  (server as { queryQueue: unknown }).queryQueue = new ProtocolAwareQueue(db);
}
