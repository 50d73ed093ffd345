import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { IncidentView, type AlertInfo } from "@/components/incidents/incident-view";
import { incidentLinks } from "@/components/incidents/links";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { getIncident, IdParams, type IncidentDetailDto } from "@/lib/incidents";

async function load(id: string): Promise<IncidentDetailDto | null> {
  if (!IdParams.safeParse({ id }).success) return null;
  try {
    return await getIncident(db(), id);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

/**
 * The alert as Alertmanager sent it. The incident keeps its labels; its annotations and the
 * generator's link are on the stored notification (the firing one first), which the API's
 * incident does not carry.
 */
async function alertOf(incident: IncidentDetailDto): Promise<AlertInfo> {
  const events = await db().alertEvent.findMany({
    where: { fingerprint: incident.fingerprint, startsAt: new Date(incident.startedAt) },
    orderBy: { receivedAt: "asc" },
    select: { status: true, annotations: true, generatorUrl: true, receiver: true },
  });
  const event = events.find((e) => e.status === "firing") ?? events[0];
  const opened = incident.decisions.find((d) => d.kind === "opened")?.detail.alert as { generatorURL?: unknown } | undefined;
  const generator = event?.generatorUrl || (typeof opened?.generatorURL === "string" ? opened.generatorURL : "");
  return { annotations: (event?.annotations ?? {}) as Record<string, string>, generatorURL: generator || null, receiver: event?.receiver ?? null };
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const incident = await load((await params).id).catch(() => null);
  return { title: incident ? `Incident #${incident.number}` : "Incident" };
}

export default async function IncidentPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  const incident = await load((await params).id);
  if (!incident) notFound();
  const [alert, links, environment] = await Promise.all([
    alertOf(incident),
    incidentLinks([incident]),
    db().environment.findUnique({ where: { name: incident.environment }, select: { displayName: true, protected: true } }),
  ]);
  return <IncidentView initial={incident} alert={alert} links={links} environment={environment} canApprove={can(actor, "promotions.execute")} />;
}
