// Generates the Prisma client (lib/core/db/generated). Prisma's CLI wants a native
// schema-engine binary that cannot be downloaded on an offline machine; `generate` never
// runs it, so we point it at /bin/false (never /bin/true: `migrate deploy` would then
// "succeed" having applied nothing). See docs/database.md.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, "generate"], {
  stdio: "inherit",
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
});
process.exit(result.status ?? 1);
