// Reading incidents (with their timeline) and remediations, as the API and pages see them.
import type { Db } from "../core/db/client.ts";
import type { Incident, IncidentDecision, Prisma, Remediation } from "../core/db/generated/client.ts";
import { NotFoundError } from "../core/errors.ts";
import type { IncidentDetailDto, IncidentDto, RemediationDto } from "./schemas.ts";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function incidentDto(i: Incident): IncidentDto {
  return {
    id: i.id,
    number: i.number,
    status: i.status === "resolved" ? "resolved" : "open",
    service: i.service,
    environment: i.environment,
    slo: i.slo,
    alertname: i.alertname,
    severity: i.severity,
    automation: i.automation,
    summary: i.summary,
    fingerprint: i.fingerprint,
    labels: i.labels as Record<string, string>,
    startedAt: i.startedAt.toISOString(),
    resolvedAt: iso(i.resolvedAt),
    mttrSeconds: i.mttrSeconds,
    precedingDeployment: i.precedingDeploymentId ? { id: i.precedingDeploymentId, version: i.precedingDeploymentVersion } : null,
  };
}

export function remediationDto(r: Remediation, incidentNumber: number): RemediationDto {
  return {
    id: r.id,
    incidentId: r.incidentId,
    incidentNumber,
    service: r.service,
    environment: r.environment,
    playbook: r.playbook as RemediationDto["playbook"],
    status: r.status as RemediationDto["status"],
    guardrail: r.guardrail,
    reason: r.reason,
    result: r.result as Record<string, unknown>,
    requestedAt: r.requestedAt.toISOString(),
    approvedBy: r.approvedBy,
    approvedAt: iso(r.approvedAt),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}

function decisionDto(d: IncidentDecision) {
  return {
    id: d.id,
    at: d.at.toISOString(),
    kind: d.kind,
    outcome: d.outcome,
    playbook: d.playbook,
    guardrail: d.guardrail,
    message: d.message,
    detail: d.detail as Record<string, unknown>,
    remediationId: d.remediationId,
    actor: d.actor,
  };
}

const DAY_MS = 86_400_000;

export async function listIncidents(db: Db, query: { service?: string; status?: "open" | "resolved"; from?: string; to?: string; limit: number }, now = new Date()): Promise<{ items: IncidentDto[]; from: string; to: string }> {
  const to = query.to ? new Date(query.to) : now;
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY_MS);
  const where: Prisma.IncidentWhereInput = {
    startedAt: { gte: from, lt: to },
    ...(query.service ? { service: query.service } : {}),
    ...(query.status ? { status: query.status } : {}),
  };
  const rows = await db.incident.findMany({ where, orderBy: [{ startedAt: "desc" }, { number: "desc" }], take: query.limit });
  return { items: rows.map(incidentDto), from: from.toISOString(), to: to.toISOString() };
}

export async function getIncident(db: Db, id: string): Promise<IncidentDetailDto> {
  const row = await db.incident.findUnique({
    where: { id },
    include: { decisions: { orderBy: [{ at: "asc" }, { id: "asc" }] }, remediations: { orderBy: { requestedAt: "asc" } } },
  });
  if (!row) throw new NotFoundError("Incident", id);
  return { ...incidentDto(row), decisions: row.decisions.map(decisionDto), remediations: row.remediations.map((r) => remediationDto(r, row.number)) };
}

export async function listRemediations(db: Db, query: { service?: string; status?: RemediationDto["status"]; incident?: string; limit: number }): Promise<{ items: RemediationDto[] }> {
  const rows = await db.remediation.findMany({
    where: { ...(query.service ? { service: query.service } : {}), ...(query.status ? { status: query.status } : {}), ...(query.incident ? { incidentId: query.incident } : {}) },
    orderBy: { requestedAt: "desc" },
    take: query.limit,
    include: { incident: { select: { number: true } } },
  });
  return { items: rows.map((r) => remediationDto(r, r.incident.number)) };
}

export async function getRemediation(db: Db, id: string): Promise<RemediationDto> {
  const row = await db.remediation.findUnique({ where: { id }, include: { incident: { select: { number: true } } } });
  if (!row) throw new NotFoundError("Remediation", id);
  return remediationDto(row, row.incident.number);
}
