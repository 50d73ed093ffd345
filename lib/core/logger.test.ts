// The logger's secret filters, as pure functions: field names that hold secrets (at any depth,
// inside errors too) and secret-shaped text. tests/integration/security-secrets.int.test.ts checks
// the whole logger and the API answers with a configuration full of secrets.
import { describe, expect, it } from "vitest";
import { CENSOR, censorSecrets, scrubSecretText } from "./logger.ts";

describe("censorSecrets", () => {
  it("censors secret-named fields at any depth, in arrays and errors, and keeps the rest", () => {
    const err = Object.assign(new Error("boom"), { request: { headers: { authorization: "Bearer abc" } }, status: 500 });
    const out = censorSecrets({
      token: "t1",
      tokenId: "id-1",
      expiresAt: "2030-01-01",
      user: { login: "ann", apiToken: "t2", password: "p", hasSecret: true, tokenCount: 3 },
      list: [{ clientSecret: "s" }, { privateKey: "k", name: "kept" }],
      deep: { a: { b: { c: { d: { webhookToken: "t3" } } } } },
      headers: { Authorization: "Basic xyz", Cookie: "a=b", "set-cookie": "c=d", accept: "json" },
      err,
    }) as Record<string, unknown>;
    expect(out).toMatchObject({
      token: CENSOR,
      tokenId: "id-1",
      expiresAt: "2030-01-01",
      user: { login: "ann", apiToken: CENSOR, password: CENSOR, hasSecret: true, tokenCount: 3 },
      list: [{ clientSecret: CENSOR }, { privateKey: CENSOR, name: "kept" }],
      deep: { a: { b: { c: { d: { webhookToken: CENSOR } } } } },
      headers: { Authorization: CENSOR, Cookie: CENSOR, "set-cookie": CENSOR, accept: "json" },
      err: { type: "Error", message: "boom", status: 500, request: { headers: { authorization: CENSOR } } },
    });
  });

  it("leaves values that are not plain data alone, and stops at a bounded depth", () => {
    const date = new Date(0);
    expect(censorSecrets({ at: date }) as { at: Date }).toEqual({ at: date });
    let nested: Record<string, unknown> = { secret: "x" };
    for (let i = 0; i < 20; i++) nested = { next: nested };
    expect(() => censorSecrets(nested)).not.toThrow();
  });
});

describe("scrubSecretText", () => {
  it("removes bearer and basic credentials, Paved and GitHub tokens, private keys and URL passwords", () => {
    const text = [
      "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
      "Basic YWxpY2U6c2VjcmV0cGFzcw==",
      "token pvd_AbCdEfGh1234567890_xyz",
      "ghp_0123456789abcdefghijABCDEFGHIJ and github_pat_11ABCDEFG0123456789_abcdefghij",
      "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
      "postgresql://paved:hunter2-long@db:5432/paved",
    ].join("\n");
    const out = scrubSecretText(text);
    for (const leaked of ["eyJhbGciOiJIUzI1NiJ9", "YWxpY2U6c2VjcmV0cGFzcw", "pvd_AbCdEfGh", "ghp_0123", "github_pat_11", "MIIEow", "hunter2-long"]) {
      expect(out).not.toContain(leaked);
    }
    expect(out).toContain("postgresql://paved:[redacted]@db:5432/paved");
    expect(out).toContain("Bearer [redacted]");
  });

  it("leaves ordinary text alone", () => {
    const text = "The Authorization header must be `Bearer <token>`. Token pvd_ab expired. https://example.com/a@b";
    expect(scrubSecretText(text)).toBe(text);
  });
});
