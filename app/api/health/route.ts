// GET /api/health: instance, database and integration health (no auth); `?probe=live` only says the process serves.
import { handle, Reply } from "@/lib/core/http/handler";
import { checkHealth, checkLiveness, healthContract } from "@/lib/api/health";

export const GET = handle(healthContract, async ({ query }) => {
  if (query.probe === "live") return checkLiveness();
  const health = await checkHealth();
  return health.database.ok ? health : new Reply(503, health);
});
