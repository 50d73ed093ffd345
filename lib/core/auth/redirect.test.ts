import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./redirect.ts";

describe("safeRedirectPath", () => {
  it.each([
    ["/services", "/services"],
    ["/audit?action=token.*", "/audit?action=token.*"],
    ["http://localhost:3000/settings?tab=tokens", "/settings?tab=tokens"],
    ["https://paved.example.com/delivery", "/delivery"],
  ])("keeps the same-site path of %s", (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    [null],
    [undefined],
    [""],
    ["//evil.example.com"],
    ["//evil.example.com/path"],
    ["/\\evil.example.com"],
    ["evil.example.com"],
    ["javascript:alert(1)"],
    ["https://evil.example.com//evil.example.com"],
    ["http://"],
    ["/signin"],
    ["/signin?callbackUrl=/x"],
    ["/api/auth/signout"],
  ])("sends %s to /", (input) => {
    expect(safeRedirectPath(input)).toBe("/");
  });

  it("never returns an address that leaves the site", () => {
    for (const input of ["https://evil.example.com", "HTTPS://EVIL.EXAMPLE.COM/x", "//evil", "///evil", "\\\\evil"]) {
      const out = safeRedirectPath(input);
      expect(out.startsWith("/")).toBe(true);
      expect(out.startsWith("//")).toBe(false);
      expect(new URL(out, "http://paved.local").host).toBe("paved.local");
    }
  });
});
