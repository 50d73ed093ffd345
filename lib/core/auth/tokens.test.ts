import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateApiToken, hashApiToken, looksLikeApiToken, TOKEN_PREFIX } from "./tokens.ts";

describe("API token format", () => {
  it("is pvd_ and 40 url-safe characters, with a short prefix to recognise it and its sha256", () => {
    const { token, prefix, hash } = generateApiToken();
    expect(token).toMatch(/^pvd_[A-Za-z0-9_-]{40}$/);
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(prefix).toBe(token.slice(0, 10));
    expect(hash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(hashApiToken(token)).toBe(hash);
    expect(looksLikeApiToken(token)).toBe(true);
  });

  it("never repeats", () => {
    const tokens = new Set(Array.from({ length: 500 }, () => generateApiToken().token));
    expect(tokens.size).toBe(500);
  });

  it.each([
    "",
    "pvd_",
    "pvd_short",
    `pvd_${"a".repeat(39)}`,
    `pvd_${"a".repeat(41)}`,
    `pvx_${"a".repeat(40)}`,
    `PVD_${"a".repeat(40)}`,
    `pvd_${"a".repeat(39)}=`,
    `pvd_${"a".repeat(39)}+`,
    ` pvd_${"a".repeat(40)}`,
    "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB",
  ])("rejects %j", (value) => {
    expect(looksLikeApiToken(value)).toBe(false);
  });
});
