// HTTP contracts of the audit trail.
import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import { AuditPage, AuditQuery, ChainVerification } from "./schemas.ts";

export const listAuditContract = defineContract({
  method: "GET",
  path: "/api/v1/audit",
  tag: "Audit",
  summary: "List audit events",
  description: "Newest first. Filter by actor, action (exact or `prefix*`), target and time; page with `cursor`.",
  access: "audit.read",
  query: AuditQuery,
  response: AuditPage,
});

export const verifyAuditContract = defineContract({
  method: "GET",
  path: "/api/v1/audit/verify",
  tag: "Audit",
  summary: "Verify the audit hash chain",
  description: "Walks the whole chain. Answers `{ ok: true, count }`, or `{ ok: false, brokenAt }` naming the first broken link.",
  access: "audit.read",
  query: z.object({}),
  response: ChainVerification,
});

export const auditContracts = [listAuditContract, verifyAuditContract];
