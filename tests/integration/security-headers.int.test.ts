// Security headers (issue 9). No Next.js server runs in the tests (the build is shared and slow),
// so this calls the real proxy.ts in-process, as Next does for every page request, and reads the
// real next.config.mjs: pages get a Content-Security-Policy with a fresh nonce on the answer and
// on the request (where Next.js takes it for its scripts), HSTS only over TLS, and every path the
// static headers from lib/core/http/security-headers.ts.
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { NextConfig } from "next";
import { NextRequest, type NextFetchEvent } from "next/server";
import { getScriptNonceFromHeader } from "next/dist/server/app-render/get-script-nonce-from-header";
import { afterEach, describe, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import {
  API_CSP,
  AVATAR_ORIGIN,
  cameOverTls,
  createNonce,
  HSTS,
  pageContentSecurityPolicy,
  STATIC_SECURITY_HEADERS,
} from "@/lib/core/http/security-headers";
import { proxy, config as proxyConfig } from "@/proxy";
import { makePerson } from "../support/factory";
import { ORIGIN } from "../support/http";

/** A page request as Next.js hands it to the proxy (it sets X-Forwarded-Proto itself when no proxy did). */
const runProxy = (path: string, headers: Record<string, string> = {}) =>
  proxy(new NextRequest(new URL(path, ORIGIN), { headers: { host: new URL(ORIGIN).host, "x-forwarded-proto": "http", ...headers } }), {} as NextFetchEvent);

function directives(csp: string): Record<string, string[]> {
  return Object.fromEntries(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

afterEach(() => {
  delete process.env.AUTH_URL;
  delete process.env.AUTH_GITHUB_ID;
  delete process.env.AUTH_GITHUB_SECRET;
  resetEnvCache();
});

describe("the page policy", () => {
  it("allows scripts only with the nonce, nothing from another origin but GitHub avatars, and no framing", () => {
    const nonce = createNonce();
    const d = directives(pageContentSecurityPolicy({ nonce }));
    expect(d["default-src"]).toEqual(["'self'"]);
    // No 'unsafe-inline' for scripts; 'unsafe-eval' only because ajv compiles the template form's schema in the browser.
    expect(d["script-src"]).toEqual(["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", "'unsafe-eval'"]);
    expect(d["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
    expect(d["img-src"]).toEqual(["'self'", "data:", "blob:", AVATAR_ORIGIN]);
    expect(d["connect-src"]).toEqual(["'self'"]);
    expect(d["object-src"]).toEqual(["'none'"]);
    expect(d["base-uri"]).toEqual(["'none'"]);
    expect(d["form-action"]).toEqual(["'self'"]);
    expect(d["frame-ancestors"]).toEqual(["'none'"]);
    expect(d["upgrade-insecure-requests"]).toBeUndefined();
    // No other origin anywhere (no CDN), no websocket outside `next dev`.
    const all = Object.values(d).flat();
    expect(all.filter((v) => /^(https?|wss?):/.test(v))).toEqual([AVATAR_ORIGIN]);
    expect(all.filter((v) => v === "'unsafe-inline'")).toHaveLength(1);
  });

  it("lets `next dev` reload, a GitHub sign-in form leave for github.com, and upgrades requests over TLS", () => {
    expect(directives(pageContentSecurityPolicy({ nonce: "n", dev: true }))["connect-src"]).toEqual(["'self'", "ws:", "wss:"]);
    expect(directives(pageContentSecurityPolicy({ nonce: "n", githubSignIn: true }))["form-action"]).toEqual(["'self'", "https://github.com"]);
    expect(directives(pageContentSecurityPolicy({ nonce: "n", tls: true }))["upgrade-insecure-requests"]).toEqual([]);
  });

  it("uses a fresh 128-bit nonce that Next.js finds in the header", () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect(getScriptNonceFromHeader(pageContentSecurityPolicy({ nonce }))).toBe(nonce);
    }
  });

  it("counts a request as TLS when the proxy says https, the URL is https or the public URL is", () => {
    expect(cameOverTls(new Headers({ "x-forwarded-proto": "https" }), "http://paved/")).toBe(true);
    expect(cameOverTls(new Headers({ "x-forwarded-proto": "https, http" }), "http://paved/")).toBe(true);
    expect(cameOverTls(new Headers({ "x-forwarded-proto": "http" }), "http://paved/")).toBe(false);
    expect(cameOverTls(new Headers(), "https://paved/")).toBe(true);
    expect(cameOverTls(new Headers(), "http://paved/", "https://paved.example.com")).toBe(true);
    expect(cameOverTls(new Headers(), "http://paved/", "http://localhost:3000")).toBe(false);
  });
});

describe("proxy.ts on page requests", () => {
  it("puts a per-request CSP on the answer and on the request, with the nonce for the layout", async () => {
    const me = await makePerson(["viewer"]);
    const first = await runProxy("/catalog", { cookie: me.cookie });
    const second = await runProxy("/catalog", { cookie: me.cookie });
    for (const res of [first, second]) {
      expect(res.headers.get("x-middleware-next")).toBe("1");
      const csp = res.headers.get("content-security-policy") ?? "";
      const nonce = getScriptNonceFromHeader(csp);
      expect(nonce).toBeTruthy();
      // What Next.js hands on to the page as request headers.
      expect(res.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
      expect(res.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
      expect(res.headers.get("x-middleware-override-headers")?.split(",")).toEqual(expect.arrayContaining(["content-security-policy", "x-nonce"]));
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
    expect(getScriptNonceFromHeader(first.headers.get("content-security-policy") ?? "")).not.toBe(getScriptNonceFromHeader(second.headers.get("content-security-policy") ?? ""));
  });

  it("sends visitors without a session to the sign-in page, with the policy too", async () => {
    const res = await runProxy("/governance?tab=exceptions");
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.pathname).toBe("/signin");
    expect(location.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/governance?tab=exceptions`);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The sign-in page itself is served, with its own nonce.
    const signin = await runProxy("/signin");
    expect(signin.headers.get("x-middleware-next")).toBe("1");
    expect(getScriptNonceFromHeader(signin.headers.get("content-security-policy") ?? "")).toBeTruthy();
  });

  it("adds HSTS only over TLS: the proxy's X-Forwarded-Proto, or an https AUTH_URL", async () => {
    expect((await runProxy("/signin", { "x-forwarded-proto": "https" })).headers.get("strict-transport-security")).toBe(HSTS);
    expect((await runProxy("/signin", { "x-forwarded-proto": "http" })).headers.get("strict-transport-security")).toBeNull();
    process.env.AUTH_URL = "https://paved.example.com";
    resetEnvCache();
    const res = await runProxy("/signin");
    expect(res.headers.get("strict-transport-security")).toBe(HSTS);
    expect(res.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });

  it("allows the GitHub sign-in form to leave for github.com only when GitHub sign-in is configured", async () => {
    expect(directives((await runProxy("/signin")).headers.get("content-security-policy") ?? "")["form-action"]).toEqual(["'self'"]);
    process.env.AUTH_GITHUB_ID = "Iv1.test";
    process.env.AUTH_GITHUB_SECRET = "test-secret-value";
    resetEnvCache();
    expect(directives((await runProxy("/signin")).headers.get("content-security-policy") ?? "")["form-action"]).toEqual(["'self'", "https://github.com"]);
  });

  it("runs on pages, not on the API or Next's assets", () => {
    const matcher = new RegExp(`^${proxyConfig.matcher[0]}$`);
    for (const page of ["/", "/catalog", "/signin", "/settings/tokens"]) expect(matcher.test(page), page).toBe(true);
    for (const other of ["/api/v1/me", "/api/health", "/_next/static/chunks/app.js", "/favicon.ico"]) expect(matcher.test(other), other).toBe(false);
  });
});

describe("next.config.mjs", () => {
  it("sends the shared static headers on every path, API_CSP on the API and HSTS behind TLS", async () => {
    // Plain JavaScript without types: loaded by its path, typed as Next.js reads it.
    const nextConfig = ((await import(/* @vite-ignore */ pathToFileURL(path.resolve(import.meta.dirname, "../../next.config.mjs")).href)) as { default: NextConfig }).default;
    const rules = (await nextConfig.headers?.()) ?? [];
    const all = rules.find((r) => r.source === "/:path*" && !r.has);
    expect(all?.headers).toEqual(STATIC_SECURITY_HEADERS);
    const api = rules.find((r) => r.source === "/api/:path*");
    expect(api?.headers).toEqual([{ key: "Content-Security-Policy", value: API_CSP }]);
    const tls = rules.find((r) => r.has?.some((h) => h.type === "header" && h.key === "x-forwarded-proto" && h.value === "https"));
    expect(tls?.source).toBe("/:path*");
    expect(tls?.headers).toEqual([{ key: "Strict-Transport-Security", value: HSTS }]);
    // No page CSP here: proxy.ts gives pages theirs (two policies would both apply).
    expect(rules.filter((r) => r.headers.some((h) => h.key.toLowerCase() === "content-security-policy")).map((r) => r.source)).toEqual(["/api/:path*"]);
    expect(nextConfig.poweredByHeader).toBe(false);
  });
});
