// npm run migrate: apply pending migrations to DATABASE_URL (npm start does this by itself).
import { env } from "../lib/core/env.ts";
import { connectForScript } from "../lib/core/db/embedded.ts";
import { migrate } from "../lib/core/db/migrate.ts";

const config = env();
const connection = await connectForScript({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const result = await migrate(connection.url, { log: (l) => console.log(l) });
  console.log(`${result.applied.length} applied, ${result.alreadyApplied} already applied.`);
} finally {
  await connection.close();
}
