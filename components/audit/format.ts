/** Human wording of audit actions: "token.created" → "created an API token". */
const PHRASES: Record<string, string> = {
  "organisation.seeded": "seeded the demo organisation",
  "auth.signed_in": "signed in",
  "auth.signed_out": "signed out",
  "token.created": "created an API token",
  "token.revoked": "revoked an API token",
  "team.created": "created a team",
  "team.updated": "updated a team",
  "membership.updated": "changed roles of",
  "membership.removed": "removed from a team",
  "user.created": "added a person",
  "user.updated": "updated a person",
  "user.disabled": "disabled",
  "user.enabled": "re-enabled",
  "job.retried": "retried a job",
  "job.cancelled": "cancelled a job",
  "service.created": "created a service",
  "service.updated": "changed a service",
  "service.deleted": "deleted a service",
  "service.dependencies_changed": "changed the dependencies of",
  "service.strategy_written": "wrote the deployment strategy of",
  "graph.imported": "imported services and dependencies",
  "promotion.requested": "asked for a promotion",
  "promotion.approved": "approved a promotion",
  "promotion.rejected": "rejected a promotion",
  "promotion.started": "started a promotion's run",
  "deployment.rollback_started": "started a rollback",
  "drift.reconciled": "reconciled drift of",
  "environment.updated": "changed the settings of",
  "gitops.repository_requested": "asked for the GitOps repository",
  "gitops.repository_created": "created the GitOps repository",
  "adoption.scan_requested": "asked for an adoption scan",
  "adoption.scanned": "scanned template adoption",
  "catalog.synced": "synced the template catalog",
  "compliance.scan_requested": "asked for a compliance scan",
  "compliance.scanned": "scanned compliance",
  "policy_exception.granted": "granted a policy exception",
  "policy_exception.revoked": "revoked a policy exception",
  "template.instantiated": "instantiated a template",
  "template.instantiation_failed": "failed to instantiate a template",
  "template.lifecycle_changed": "changed the lifecycle of",
  "template.upgrade_requested": "asked for a template upgrade",
  "template.upgrade_opened": "opened a template upgrade",
  "template.upgrade_failed": "failed to open a template upgrade",
  "slo.created": "created an SLO",
  "slo.updated": "changed an SLO",
  "slo.deleted": "deleted an SLO",
  "slo.imported": "imported SLOs",
  "slo.rules_committed": "committed SLO rules to the GitOps repository",
  "alerts.received": "received alerts from Alertmanager",
  "incident.opened": "opened an incident",
  "incident.resolved": "resolved an incident",
  "remediation.decided": "decided a remediation for",
  "remediation.suppressed": "held back a remediation for",
  "remediation.approved": "approved a remediation for",
  "remediation_settings.updated": "changed the self-healing settings",
  "sandbox.chaos_set": "broke a service in the sandbox",
  "sandbox.chaos_cleared": "cleared sandbox chaos on",
  "sandbox.pull_request_merged": "merged a sandbox pull request",
  "insights.refresh_requested": "asked for fresh insights",
};

export function describeAction(action: string): string {
  return PHRASES[action] ?? action.replace(/[._]/g, " ");
}

export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return new Date(iso).toISOString().slice(0, 10);
}
