// Incidents and self-healing: Alertmanager's webhook in, incidents with their timeline and MTTR,
// guarded playbooks (roll back, scale up, restart), approvals and the guardrails' settings.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { checkWebhookCredentials, readWebhookBody, receiveAlerts } from "./webhook.ts";
export { listIncidents, getIncident, listRemediations, getRemediation } from "./read.ts";
export { approveRemediation } from "./approve.ts";
export { getRemediationSettings, patchRemediationSettings } from "./settings.ts";
export { decideRemediation } from "./guardrails.ts";
export { incidentJobs } from "./jobs.ts";
