// Policy as code: CEL policies in policies/, exceptions, evaluation and compliance.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { policySet, evaluate, evaluateAll, activeWaivers, resetPolicySet } from "./service.ts";
export { listExceptions, createException, revokeException } from "./exceptions.ts";
export { getCompliance, listViolations, runComplianceScan } from "./compliance.ts";
export { policyJobs, complianceScanJob } from "./jobs.ts";
export { toPolicyDto, policyCases, requestComplianceScan } from "./read.ts";
