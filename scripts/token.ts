// npm run token -- --user <login> [--name <name>] [--expires-days <n> | --no-expiry]
// Prints a new personal API token for scripts and CI. Works against DATABASE_URL, against the
// embedded database of a running `npm start` (through its socket), or by opening the embedded
// database itself when nothing is running.
import { parseArgs } from "node:util";
import { env } from "../lib/core/env.ts";
import { connectForScript } from "../lib/core/db/embedded.ts";
import { createClient } from "../lib/core/db/client.ts";
import { migrate } from "../lib/core/db/migrate.ts";
import { issueTokenFromCli } from "../lib/org/tokens.ts";
import { isAppError } from "../lib/core/errors.ts";

const { values } = parseArgs({
  options: {
    user: { type: "string" },
    name: { type: "string", default: "cli" },
    "expires-days": { type: "string", default: "90" },
    "no-expiry": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help || !values.user) {
  console.error("usage: npm run token -- --user <login> [--name <name>] [--expires-days <1-365> | --no-expiry]");
  process.exit(values.help ? 0 : 2);
}
const days = values["no-expiry"] ? null : Number(values["expires-days"]);
if (days !== null && (!Number.isInteger(days) || days < 1 || days > 365)) {
  console.error("--expires-days must be a whole number from 1 to 365");
  process.exit(2);
}

const config = env();
const connection = await connectForScript({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const client = createClient(connection.url, 2);
try {
  if (connection.source === "opened") await migrate(connection.url);
  const { token, expiresAt } = await issueTokenFromCli(client, { login: values.user, name: values.name ?? "cli", expiresInDays: days });
  console.error(`Token for ${values.user.toLowerCase()} (${expiresAt ? `expires ${expiresAt.slice(0, 10)}` : "never expires"}). Send it as: Authorization: Bearer <token>`);
  console.log(token);
} catch (e) {
  console.error(isAppError(e) ? e.message : `Could not create a token: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await client.$disconnect();
  await connection.close();
}
