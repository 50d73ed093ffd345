import type { Metadata } from "next";
import { Suspense } from "react";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { IncidentsTable } from "@/components/incidents/incidents-table";
import { incidentLinks } from "@/components/incidents/links";
import { INCIDENT_RANGES, readIncidentFilters, writeIncidentFilters, type IncidentRange } from "@/components/incidents/model";
import { NoAccess } from "@/components/shell/no-access";
import { SlosNav } from "@/components/slos/slos-nav";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listIncidents, listRemediations } from "@/lib/incidents";

export const metadata: Metadata = { title: "Incidents" };

type Search = Record<string, string | string[] | undefined>;

function searchOf(search: Search): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined) p.set(k, value);
  }
  return p;
}

/** The start of the range, back from now (read per request, so the page is always current). */
function fromOf(range: IncidentRange): string {
  return new Date(Date.now() - INCIDENT_RANGES[range]).toISOString();
}

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  const filters = readIncidentFilters(searchOf(await searchParams));
  const from = fromOf(filters.range);
  const [incidents, remediations, services] = await Promise.all([
    listIncidents(db(), { ...(filters.service ? { service: filters.service } : {}), ...(filters.status ? { status: filters.status } : {}), from, limit: 500 }),
    listRemediations(db(), { ...(filters.service ? { service: filters.service } : {}), limit: 1000 }),
    db().service.findMany({ orderBy: { name: "asc" }, select: { name: true } }),
  ]);
  const links = await incidentLinks(incidents.items);

  return (
    <div className="space-y-6">
      <div>
        <PageHeader
          title="SLOs"
          description="Incidents: every page that reached Paved from Alertmanager, open ones first, how long each lasted (its time to recover once resolved), the deployment that preceded it and what self-healing did about it."
        />
        <SlosNav active="incidents" />
      </div>
      <Card>
        {/* useSearchParams needs a Suspense boundary; the data is already here, so it paints at once. */}
        <Suspense>
          <IncidentsTable
            initial={{ items: incidents.items, remediations: remediations.items }}
            initialQuery={writeIncidentFilters(filters)}
            services={services.map((s) => s.name)}
            links={links}
          />
        </Suspense>
      </Card>
    </div>
  );
}
