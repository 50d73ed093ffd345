// Plain JavaScript on purpose: a next.config.ts makes `next start` load the SWC compiler
// (~25 MB of the web server's memory) just to read its own configuration.
const securityHeaders = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

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
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default config;
