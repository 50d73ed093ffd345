// The daily roll-ups, every hour (and on demand from the Insights page or the API).
import { z } from "zod";
import { db } from "../core/db/client.ts";
import { defineJob } from "../core/jobs/define.ts";
import { refreshRollups } from "./rollup.ts";

export const insightsRollupJob = defineJob({
  name: "insights.rollup",
  description: "Recomputes the daily roll-ups of deployments, incidents and template adoption behind the Insights page.",
  schema: z.object({ full: z.boolean().default(false) }),
  schedule: { cron: "17 * * * *", data: { full: false } },
  retryLimit: 2,
  expireInSeconds: 30 * 60,
  handler: async (data, ctx) => {
    const result = await refreshRollups(db(), { full: data.full });
    ctx.log.info(result, "insights roll-ups refreshed");
    return result;
  },
});

export const insightsJobs = [insightsRollupJob];
