// The audit trail: reading, filtering and verifying it. Writing is lib/core/audit (every domain
// records its events there, in the transaction of the change).
export * from "./schemas.ts";
export { listAuditEvents, auditFacets, toAuditEventDto } from "./list.ts";
export { verifyAuditChain } from "./verify.ts";
export { auditContracts, listAuditContract, verifyAuditContract } from "./contracts.ts";
