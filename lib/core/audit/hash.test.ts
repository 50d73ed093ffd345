import { describe, expect, it } from "vitest";
import { canonicalJson, GENESIS_HASH, hashEvent, type ChainedFields } from "./hash.ts";

const event: ChainedFields = {
  seq: 7n,
  createdAt: new Date("2026-01-02T03:04:05.678Z"),
  actorType: "user",
  actorId: "4b0c9a5e-6f3c-4a1b-9f0e-2d9c8b7a6f5e",
  actorTokenId: null,
  actorLogin: "alice",
  action: "team.created",
  targetType: "team",
  targetId: "0d7f5c1a-1111-4222-8333-444455556666",
  targetLabel: "payments",
  teamId: null,
  payload: { slug: "payments", name: "Payments", nested: { b: 1, a: [3, 2, 1] } },
  requestId: "req-1",
  prevHash: GENESIS_HASH,
};

describe("canonicalJson", () => {
  it("does not depend on key order, at any depth", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: "x" } };
    const b = { a: { c: "x", d: [1, { x: 1, y: 2 }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it("keeps array order", () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it("writes one text per value: no whitespace, dates as ISO, bigints as strings, undefined dropped", () => {
    expect(canonicalJson({ when: new Date("2026-01-01T00:00:00.000Z"), n: 10n, gone: undefined, s: "a b" })).toBe(
      '{"n":"10","s":"a b","when":"2026-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson(Number.NaN)).toBe("null");
    expect(canonicalJson("é\n")).toBe('"é\\n"');
  });
});

describe("hashEvent", () => {
  it("is a sha256 hex digest and stable", () => {
    expect(hashEvent(event)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent({ ...event })).toBe(hashEvent(event));
  });

  it("does not depend on the payload's key order", () => {
    const reordered = { ...event, payload: { nested: { a: [3, 2, 1], b: 1 }, name: "Payments", slug: "payments" } };
    expect(hashEvent(reordered)).toBe(hashEvent(event));
  });

  it("changes when one character of the payload changes", () => {
    expect(hashEvent({ ...event, payload: { ...(event.payload as object), name: "Paymentz" } })).not.toBe(hashEvent(event));
  });

  it("covers every field of the event, the link to the previous one included", () => {
    const base = hashEvent(event);
    const changes: Partial<ChainedFields>[] = [
      { seq: 8n },
      { createdAt: new Date(event.createdAt.getTime() + 1) },
      { actorType: "token" },
      { actorId: null },
      { actorTokenId: "t" },
      { actorLogin: "alicf" },
      { action: "team.updated" },
      { targetType: "user" },
      { targetId: "x" },
      { targetLabel: null },
      { teamId: "0d7f5c1a-1111-4222-8333-444455556666" },
      { requestId: "req-2" },
      { prevHash: "1".repeat(64) },
    ];
    for (const change of changes) expect(hashEvent({ ...event, ...change }), JSON.stringify(Object.keys(change))).not.toBe(base);
  });
});
