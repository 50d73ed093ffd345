// Plain JavaScript on purpose: a next.config.ts makes `next start` load the SWC compiler
// (~25 MB of the web server's memory) just to read its own configuration.
//
// Security headers: the values come from lib/core/http/security-headers.ts, which this file
// cannot import (TypeScript); tests/integration/security-headers.int.test.ts checks that they are
// the same. Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts.
const staticSecurityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const hsts = "max-age=63072000; includeSubDomains";

/** @type {import("next").NextConfig} */
const config = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The build type-checks the app only; `npm run typecheck` covers tests and scripts too, so a
  // test being written cannot break `npm start`.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // Server-only packages with native-ish or dynamic requires: load them from node_modules at run
  // time instead of bundling them.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "@prisma/client", "pino", "pg-boss", "@electric-sql/pglite", "@electric-sql/pglite-socket"],
  async headers() {
    return [
      { source: "/:path*", headers: staticSecurityHeaders },
      { source: "/api/:path*", headers: [{ key: "Content-Security-Policy", value: apiContentSecurityPolicy }] },
      // HSTS only when the request came through TLS (the terminating proxy says so); pages also
      // get it from proxy.ts when AUTH_URL is https.
      { source: "/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [{ key: "Strict-Transport-Security", value: hsts }] },
    ];
  },
};

export default config;
