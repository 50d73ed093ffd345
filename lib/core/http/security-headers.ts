// The security headers of every answer, built in one place:
// - every path (next.config.mjs `headers()`, which cannot import TypeScript, repeats
//   STATIC_SECURITY_HEADERS, API_CSP and HSTS; tests/integration/security-headers.int.test.ts
//   checks that it matches): no framing, no sniffing, a same-origin referrer policy, no camera,
//   microphone or location, and HSTS when the request reached Paved over TLS;
// - pages (proxy.ts, per request): a Content-Security-Policy with a fresh nonce. Next.js reads the
//   nonce from the request's CSP header and puts it on every script it renders, so scripts are
//   `'self' 'nonce-…' 'strict-dynamic'`: no inline script runs without it and nothing from another
//   origin (no CDN) loads. Scripts also keep `'unsafe-eval'`, for one reason: the template form
//   validates parameters in the browser with ajv (lib/templates/parameters.ts, the same validator
//   as the server's), and ajv compiles each schema into a function with `new Function`. It lets
//   code that already runs evaluate strings; it lets no injected <script> or inline handler run.
//   Dropping it needs that form to validate without compiling (or on the server only).
//   Styles keep `'unsafe-inline'`: React renders `style="…"` attributes (charts, the graph,
//   avatars) and the toaster injects a <style> element, neither of which can carry a nonce;
//   styles cannot run code, and `default-src 'self'` still keeps out remote ones.
// - API answers (JSON, YAML, text): `default-src 'none'`, since nothing there should ever render.

export const STATIC_SECURITY_HEADERS: readonly { key: string; value: string }[] = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** For everything under /api: nothing in an API answer may load, run or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Two years, subdomains included; only ever sent on answers to requests that came over TLS. */
export const HSTS = "max-age=63072000; includeSubDomains";

/** Where GitHub avatars (people's `avatarUrl`) are served from: the one image origin besides Paved. */
export const AVATAR_ORIGIN = "https://avatars.githubusercontent.com";

/** A fresh nonce per page request: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export interface PageCspOptions {
  nonce: string;
  /** `next dev` needs its hot-reload websocket. */
  dev?: boolean;
  /** "Sign in with GitHub" submits a form that redirects to github.com, which form-action governs. */
  githubSignIn?: boolean;
  /** Over TLS: ask the browser to upgrade any stray http:// subresource. */
  tls?: boolean;
}

export function pageContentSecurityPolicy(o: PageCspOptions): string {
  const directives: [string, ...string[]][] = [
    ["default-src", "'self'"],
    // 'unsafe-eval': ajv compiles the template form's schema in the browser (see the top of this file).
    ["script-src", "'self'", `'nonce-${o.nonce}'`, "'strict-dynamic'", "'unsafe-eval'"],
    ["style-src", "'self'", "'unsafe-inline'"],
    ["img-src", "'self'", "data:", "blob:", AVATAR_ORIGIN],
    ["font-src", "'self'", "data:"],
    ["connect-src", "'self'", ...(o.dev ? ["ws:", "wss:"] : [])],
    ["worker-src", "'self'", "blob:"],
    ["object-src", "'none'"],
    ["base-uri", "'none'"],
    ["form-action", "'self'", ...(o.githubSignIn ? ["https://github.com"] : [])],
    ["frame-ancestors", "'none'"],
  ];
  if (o.tls) directives.push(["upgrade-insecure-requests"]);
  return directives.map((d) => d.join(" ")).join("; ");
}

/**
 * Whether Paved is being reached over TLS: the TLS-terminating proxy's `X-Forwarded-Proto` (its
 * first value) says https, the URL itself is https, or the configured public URL (`AUTH_URL`) is
 * https (then the deployment is declared to sit behind TLS). Browsers ignore HSTS received over
 * plain http, so a wrong "yes" costs nothing; a wrong "no" only omits the header.
 */
export function cameOverTls(headers: Headers, url: string, publicUrl?: string): boolean {
  const proto = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return proto === "https" || url.startsWith("https:") || (publicUrl?.startsWith("https:") ?? false);
}

/** The per-request headers of a page answer (proxy.ts). */
export function pageSecurityHeaders(o: PageCspOptions): { "Content-Security-Policy": string; "Strict-Transport-Security"?: string } {
  return {
    "Content-Security-Policy": pageContentSecurityPolicy(o),
    ...(o.tls ? { "Strict-Transport-Security": HSTS } : {}),
  };
}
