// The compliance scan, hourly (and on demand from the Governance page).
import { z } from "zod";
import { defineJob } from "../core/jobs/define.ts";
import { runComplianceScan } from "./compliance.ts";

export const complianceScanJob = defineJob({
  name: "policies.compliance-scan",
  description: "Evaluates the GitOps repository's manifests, Terraform plans and template instances against every policy.",
  schema: z.object({}).passthrough(),
  schedule: { cron: "7 * * * *", data: {} },
  retryLimit: 2,
  handler: () => runComplianceScan(),
});

export const policyJobs = [complianceScanJob];
