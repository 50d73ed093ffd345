// PUT /api/v1/gitops/sandbox/workflow-outcome: the local git host's switch for a workflow's runs (demos and tests of the integration-tests gate).
import { handle } from "@/lib/core/http/handler";
import { setSandboxWorkflowOutcome, workflowOutcomeContract } from "@/lib/delivery";
import { gitHost } from "@/lib/integrations/git-host";

export const PUT = handle(workflowOutcomeContract, async ({ body }) => {
  await setSandboxWorkflowOutcome(gitHost(), body);
  return body;
});
