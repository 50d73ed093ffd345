import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, nestedDeeperThan, readJsonBody } from "./body.ts";

function request(body: BodyInit | null, headers: Record<string, string> = { "content-type": "application/json" }): Request {
  return new Request("http://localhost/api/v1/x", { method: "POST", body, headers, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

/** A body that arrives in chunks and has no content-length, like a chunked upload. */
function streamOf(totalBytes: number, chunkBytes = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= totalBytes) return controller.close();
      const size = Math.min(chunkBytes, totalBytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
  return { stream, pulled: () => sent };
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected readJsonBody to fail");
}

describe("readJsonBody", () => {
  it("parses JSON, including +json media types and a charset", async () => {
    expect(await readJsonBody(request('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
    expect(await readJsonBody(request('"x"', { "content-type": "application/merge-patch+json; charset=utf-8" }))).toBe("x");
    expect(await readJsonBody(request("null", { "content-type": "Application/JSON" }))).toBeNull();
  });

  it("accepts a body of exactly the limit", async () => {
    const text = `"${"a".repeat(MAX_BODY_BYTES - 2)}"`;
    expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES);
    expect(((await readJsonBody(request(text))) as string).length).toBe(MAX_BODY_BYTES - 2);
  });

  it("refuses a declared content-length over 1 MB before reading", async () => {
    const { stream, pulled } = streamOf(2 * MAX_BODY_BYTES);
    const e = await failure(readJsonBody(request(stream, { "content-type": "application/json", "content-length": String(2 * MAX_BODY_BYTES) })));
    expect(e.code).toBe("payload_too_large");
    expect(e.status).toBe(413);
    expect(e.details).toEqual({ limitBytes: MAX_BODY_BYTES });
    expect(pulled()).toBeLessThan(MAX_BODY_BYTES);
  });

  it("refuses a body without content-length as soon as it passes 1 MB", async () => {
    const { stream, pulled } = streamOf(5 * MAX_BODY_BYTES);
    const e = await failure(readJsonBody(request(stream)));
    expect(e.code).toBe("payload_too_large");
    // It stopped reading shortly after the limit instead of buffering all 5 MB.
    expect(pulled()).toBeLessThan(2 * MAX_BODY_BYTES);
  });

  it("refuses a body whose content-length understates it", async () => {
    const { stream } = streamOf(MAX_BODY_BYTES + 1);
    const e = await failure(readJsonBody(request(stream, { "content-type": "application/json", "content-length": "10" })));
    expect(e.code).toBe("payload_too_large");
  });

  it("applies a smaller limit when given one", async () => {
    expect((await failure(readJsonBody(request('{"a":"0123456789"}'), 8))).code).toBe("payload_too_large");
  });

  it.each([[{}], [{ "content-type": "text/plain" }], [{ "content-type": "application/x-www-form-urlencoded" }], [{ "content-type": "multipart/form-data; boundary=x" }]])(
    "answers 415 to headers %j",
    async (headers) => {
      const e = await failure(readJsonBody(request('{"a":1}', headers)));
      expect(e.code).toBe("unsupported_media_type");
      expect(e.status).toBe(415);
    },
  );

  it.each([[""], ["   "], ["{"], ['{"a":}'], ["undefined"], ["{'a':1}"]])("answers invalid_json to %j", async (text) => {
    const e = await failure(readJsonBody(request(text)));
    expect(e.code).toBe("invalid_json");
    expect(e.status).toBe(400);
  });

  // JSON.parse reads 50,000 levels; JSON.stringify and recursive walks overflow the stack at a few
  // thousand (found by tests/resilience/fuzz.res.test.ts as 500s on every JSON route).
  it.each([
    ["objects", '{"a":'.repeat(50_000) + "1" + "}".repeat(50_000)],
    ["arrays", "[".repeat(200_000) + "]".repeat(200_000)],
    ["one level too many", "[".repeat(MAX_JSON_DEPTH + 1) + "]".repeat(MAX_JSON_DEPTH + 1)],
  ])("answers invalid_json to a body nested too deeply (%s)", async (_what, text) => {
    const e = await failure(readJsonBody(request(text)));
    expect(e.code).toBe("invalid_json");
    expect(e.message).toContain(`${MAX_JSON_DEPTH} levels`);
  });

  it("reads a body nested exactly as deep as allowed", async () => {
    const text = '{"a":'.repeat(MAX_JSON_DEPTH - 1) + "[1]" + "}".repeat(MAX_JSON_DEPTH - 1);
    expect(nestedDeeperThan(await readJsonBody(request(text)), MAX_JSON_DEPTH)).toBe(false);
  });

  it("measures depth without recursion, counting scalars as no level", () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: [] }, 1)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: null }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: {} }] }, 3)).toBe(true);
  });
});
