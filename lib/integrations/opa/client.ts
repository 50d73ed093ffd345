// Open Policy Agent, for organisations that already keep Rego policies: Paved asks a running OPA
// through its REST Data API (POST /v1/data/<path> with { input } → { result }). By convention the
// rules are sets of messages: `deny` (refuses) and `warn` under the configured package path.
import { z } from "zod";

const DataResponse = z.object({ result: z.unknown().optional() }).passthrough();
const Messages = z.array(z.union([z.string(), z.object({ msg: z.string() }).passthrough()]));

export class OpaError extends Error {}

export interface OpaClient {
  url: string;
  /** The messages of a rule (an array or set of strings, or objects with `msg`); [] when the rule is undefined. */
  query(path: string, input: unknown): Promise<string[]>;
}

export function createOpaClient(url: string, options: { timeoutMs?: number; token?: string } = {}): OpaClient {
  const base = url.endsWith("/") ? url : `${url}/`;
  return {
    url,
    async query(path, input) {
      const target = new URL(`v1/data/${path.replace(/^\/+/, "").replace(/\./g, "/")}`, base);
      let res: Response;
      try {
        res = await fetch(target, {
          method: "POST",
          headers: { "content-type": "application/json", ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ input }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
      } catch (e) {
        throw new OpaError(`OPA at ${url} did not answer: ${(e as Error).message}`);
      }
      if (!res.ok) throw new OpaError(`OPA answered ${res.status} for ${target.pathname}`);
      const body = DataResponse.parse(await res.json());
      if (body.result === undefined) return [];
      const messages = Messages.safeParse(body.result);
      if (!messages.success) throw new OpaError(`OPA's ${path} is not a set of messages (strings, or objects with msg)`);
      return messages.data.map((m) => (typeof m === "string" ? m : m.msg));
    },
  };
}

/** GET /health: OPA's own health endpoint. */
export async function checkOpa(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const res = await fetch(new URL("health", url.endsWith("/") ? url : `${url}/`), { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? { ok: true, detail: "OPA answers" } : { ok: false, detail: `OPA answered ${res.status}` };
  } catch (e) {
    return { ok: false, detail: `OPA did not answer: ${(e as Error).message}` };
  }
}
