// GET /api/health: instance, database and integration health (no auth).
import { handle, Reply } from "@/lib/core/http/handler";
import { checkHealth, healthContract } from "@/lib/api/health";

export const GET = handle(healthContract, async () => {
  const health = await checkHealth();
  return health.database.ok ? health : new Reply(503, health);
});
