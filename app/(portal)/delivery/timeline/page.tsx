import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { GanttChartSquare } from "lucide-react";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { DeliveryNav } from "@/components/delivery/delivery-nav";
import { DeploymentTimeline } from "@/components/delivery/timeline";
import { RANGES, isRange, type RangeKey } from "@/components/delivery/timeline-model";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listDeployments } from "@/lib/delivery";

export const metadata: Metadata = { title: "Deployment timeline" };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => ((Array.isArray(v) ? v[0] : v) ?? "").slice(0, 63);

/** The window to read: the range back from now (read per request, so the page is always current). */
function windowOf(range: RangeKey): { from: string; to: string } {
  const to = Date.now();
  return { from: new Date(to - RANGES[range]).toISOString(), to: new Date(to).toISOString() };
}

export default async function TimelinePage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "delivery.read")) return <NoAccess permission="delivery.read" />;
  const search = await searchParams;
  const range: RangeKey = isRange(first(search.range)) ? (first(search.range) as RangeKey) : "7d";
  const environment = first(search.environment);
  const service = first(search.service);
  const lanes = first(search.lanes) === "environment" ? "environment" : "service";
  const [deployments, environments, services] = await Promise.all([
    listDeployments(db(), { ...windowOf(range), ...(environment ? { environment } : {}), ...(service ? { service } : {}), limit: 5000 }),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true } }),
    db().service.findMany({ orderBy: { name: "asc" }, select: { name: true } }),
  ]);
  // A deployment knows its run and its promotion's number; the promotion page takes the id.
  const runIds = [...new Set(deployments.items.map((d) => d.runId).filter((id): id is string => id !== null))];
  const runs = runIds.length ? await db().deliveryRun.findMany({ where: { id: { in: runIds } }, select: { id: true, promotionId: true } }) : [];
  const filtered = Boolean(environment || service);

  return (
    <div className="space-y-6">
      <div>
        <PageHeader title="Delivery" description="Every deployment on a time axis: when it started, how long it took, how it ended, and who ran it." />
        <DeliveryNav active="timeline" />
      </div>
      <Card>
        {deployments.items.length === 0 && !filtered ? (
          <div data-testid="timeline-empty">
            <EmptyState
              icon={GanttChartSquare}
              title={`No deployments in the last ${range.replace("h", " hours").replace("d", " days")}`}
              action={
                <div className="flex flex-wrap justify-center gap-4 text-sm font-medium">
                  <Link href="/delivery" className="text-accent hover:underline">
                    Open the environments matrix
                  </Link>
                  {range !== "30d" ? (
                    <Link href="/delivery/timeline?range=30d" className="text-muted hover:text-foreground hover:underline">
                      Look at the last 30 days
                    </Link>
                  ) : null}
                </div>
              }
            >
              Promote something from the matrix to see it here.
            </EmptyState>
          </div>
        ) : (
          <Suspense>
            <DeploymentTimeline
              items={deployments.items}
              truncated={deployments.next !== null}
              promotionIds={Object.fromEntries(runs.map((r) => [r.id, r.promotionId]))}
              range={range}
              lanes={lanes}
              environment={environment}
              service={service}
              environments={environments}
              services={services.map((s) => s.name)}
            />
          </Suspense>
        )}
      </Card>
    </div>
  );
}
