import { describe, expect, it } from "vitest";
import { VersionedCache } from "./data-version.ts";

describe("VersionedCache", () => {
  it("answers only under the version an entry was stored with", () => {
    const cache = new VersionedCache<string>(10);
    cache.set("5", "a", "A");
    expect(cache.get("5", "a")).toBe("A");
    expect(cache.get("6", "a")).toBeUndefined();
    expect(cache.get("4", "a")).toBeUndefined();
  });

  it("drops everything older when a newer version is stored, and ignores a store under an older one", () => {
    const cache = new VersionedCache<string>(10);
    cache.set("5", "a", "A");
    cache.set("7", "b", "B");
    expect(cache.get("7", "a")).toBeUndefined();
    expect(cache.size).toBe(1);
    // A slow request that read version 6 before the change to 7 must not put its answer back.
    cache.set("6", "a", "stale");
    expect(cache.get("7", "a")).toBeUndefined();
    expect(cache.get("6", "a")).toBeUndefined();
    // Versions compare as numbers, not as text.
    cache.set("10", "c", "C");
    expect(cache.get("10", "c")).toBe("C");
    cache.set("9", "c", "older");
    expect(cache.get("10", "c")).toBe("C");
  });

  it("keeps at most its size, letting the least recently used go first", () => {
    const cache = new VersionedCache<number>(2);
    cache.set("1", "a", 1);
    cache.set("1", "b", 2);
    expect(cache.get("1", "a")).toBe(1); // a is now the most recently used
    cache.set("1", "c", 3);
    expect(cache.get("1", "b")).toBeUndefined();
    expect(cache.get("1", "a")).toBe(1);
    expect(cache.get("1", "c")).toBe(3);
  });

  it("caches null (a token that does not exist) as an answer", () => {
    const cache = new VersionedCache<string | null>(2);
    cache.set("1", "missing", null);
    expect(cache.get("1", "missing")).toBeNull();
  });
});
