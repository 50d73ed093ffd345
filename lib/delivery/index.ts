// Delivery: the environments matrix, promotions with gates and approvals, durable runs that deploy
// wave by wave and roll back dependents first, deployments for the timeline, and drift.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { createPromotion, decidePromotion, executePromotion, getPromotion, listPromotions } from "./promotions.ts";
export { environmentsMatrix, listDeployments } from "./read.ts";
export { rollbackDeployment, listDrift, reconcileDrift } from "./rollback.ts";
export { gitOpsEngine, sandboxCluster } from "./engine.ts";
export { deliveryJobs } from "./run-job.ts";
export { writeStrategyManifests } from "./strategy.ts";
export { setSandboxWorkflowOutcome } from "./integration-tests.ts";
