// The hourly chain check: a broken chain is logged as an error and kept as the job's output,
// so the Audit page can show when the chain was last verified and what it found.
import { z } from "zod";
import { db } from "../core/db/client.ts";
import { defineJob } from "../core/jobs/define.ts";
import { verifyAuditChain } from "./verify.ts";

export const verifyAuditChainJob = defineJob({
  name: "audit.verify-chain",
  description: "Verifies the audit trail's hash chain end to end.",
  schema: z.object({}).passthrough(),
  schedule: { cron: "17 * * * *", data: {} },
  retryLimit: 2,
  async handler(_data, { log }) {
    const result = await verifyAuditChain(db());
    if (result.ok) log.info({ count: result.count }, "audit chain verified");
    else log.error({ brokenAt: result.brokenAt }, "audit chain is broken");
    return result;
  },
});
