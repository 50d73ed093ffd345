// Daily clean-up: a revoked session id is only needed until the session would have expired.
import { z } from "zod";
import { db } from "../db/client.ts";
import { defineJob } from "../jobs/define.ts";

export const pruneRevokedSessionsJob = defineJob({
  name: "auth.prune-revoked-sessions",
  description: "Deletes revoked-session records whose sessions have expired anyway.",
  schema: z.object({}).passthrough(),
  schedule: { cron: "41 3 * * *", data: {} },
  async handler() {
    const { count } = await db().revokedSession.deleteMany({ where: { expiresAt: { lt: new Date() } } });
    return { deleted: count };
  },
});
