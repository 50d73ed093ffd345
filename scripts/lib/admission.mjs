// Admission control for the web server: at most `concurrency` requests are being handled at once;
// the others wait in arrival order (at most `queue` of them), and beyond that are answered 503
// with Retry-After at once. Every request being rendered holds memory, so this bounds the web
// process's memory under any number of clients (200 clients used to need a 256 MB heap and
// otherwise aborted it); the CPU is busy either way, so throughput is the same and the wait
// moves from inside the renderer to the front of the queue.
// Health checks and static assets skip the queue: probes must answer under load, and files cost
// next to nothing.

/** @typedef {(req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => unknown} Listener */

const BYPASS = /^\/(api\/health(?:\?|$)|_next\/static\/)/;

/**
 * @param {{ concurrency: number, queue: number, retryAfterSeconds?: number }} options
 * @returns {{ wrap: (listener: Listener) => Listener, stats: () => { active: number, waiting: number, refused: number } }}
 */
export function createAdmission(options) {
  const concurrency = Math.max(1, options.concurrency);
  const queueLimit = Math.max(0, options.queue);
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  let active = 0;
  let refused = 0;
  /** @type {(() => void)[]} */
  const waiting = [];

  const release = () => {
    active--;
    while (waiting.length && active < concurrency) {
      const next = waiting.shift();
      if (next) next();
    }
  };

  /** @param {Listener} listener @returns {Listener} */
  const wrap = (listener) =>
    function admitted(req, res) {
      if (BYPASS.test(req.url ?? "")) return listener.call(this, req, res);
      const run = () => {
        active++;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          release();
        };
        res.once("close", finish);
        try {
          // Next's listener handles its own errors; the gate hands its promise back unchanged.
          return listener.call(this, req, res);
        } catch (e) {
          finish();
          throw e;
        }
      };
      if (active < concurrency) return run();
      if (waiting.length >= queueLimit) {
        refused++;
        res.writeHead(503, { "content-type": "application/json", "retry-after": retryAfter, "cache-control": "no-store" });
        res.end(JSON.stringify({ error: { code: "unavailable", message: "Paved is busy: too many requests are waiting. Try again in a moment." } }));
        return undefined;
      }
      // A caller that gives up while waiting leaves the queue.
      const entry = () => {
        res.off("close", leave);
        run();
      };
      const leave = () => {
        const i = waiting.indexOf(entry);
        if (i >= 0) waiting.splice(i, 1);
      };
      res.once("close", leave);
      waiting.push(entry);
      return undefined;
    };

  return { wrap, stats: () => ({ active, waiting: waiting.length, refused }) };
}
