// Asking for the roll-ups now: queued as the job (one at a time), audited.
import type { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction } from "../core/db/client.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { insightsRollupJob } from "./jobs.ts";
import type { RefreshBody } from "./schemas.ts";

export async function requestInsightsRefresh(actor: Actor, body: z.output<typeof RefreshBody>, requestId?: string): Promise<{ jobId: string | null }> {
  await prepareJob(insightsRollupJob);
  return transaction(async (tx) => {
    const jobId = await sendJob(insightsRollupJob, { full: body.full }, { tx, singletonKey: body.full ? "insights-rollup-full" : "insights-rollup" });
    await recordAudit(tx, actor, {
      action: "insights.refresh_requested",
      target: { type: "insights_rollup", id: jobId ?? "queued", label: body.full ? "Insights roll-ups (every day)" : "Insights roll-ups" },
      payload: { full: body.full },
      requestId,
    });
    return { jobId };
  });
}
