import type { Metadata } from "next";
import { Suspense } from "react";
import { Card, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { PageHeader } from "@/components/ui/page-header";
import { DeliveryNav } from "@/components/delivery/delivery-nav";
import { DriftCard } from "@/components/delivery/drift-card";
import { EnvironmentsMatrix } from "@/components/delivery/matrix";
import { PromoteButton } from "@/components/delivery/promote-dialog";
import { RecentPromotions } from "@/components/delivery/recent-promotions";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { logger } from "@/lib/core/logger";
import { environmentsMatrix, gitOpsEngine, listPromotions, type MatrixDto } from "@/lib/delivery";
import { listEnvironments } from "@/lib/gitops";
import { gitHost } from "@/lib/integrations/git-host";

export const metadata: Metadata = { title: "Delivery" };

type Search = Record<string, string | string[] | undefined>;

/** The first paint's matrix; the page polls the API after that, so a failure here only delays it. */
async function initialMatrix(team: string): Promise<MatrixDto | null> {
  try {
    return await environmentsMatrix(db(), gitOpsEngine(), gitHost(), team ? { team } : {});
  } catch (e) {
    logger.warn({ err: e }, "could not build the environments matrix for the delivery page");
    return null;
  }
}

/** Streamed: on a cold start the first read of git and the engine takes seconds; the page does not wait for it. */
async function MatrixSection({ team, teams }: { team: string; teams: { slug: string; name: string; color: string }[] }) {
  return <EnvironmentsMatrix initial={await initialMatrix(team)} initialTeam={team} teams={teams} />;
}

function MatrixSkeleton() {
  return (
    <div className="space-y-2 p-5" aria-busy="true" aria-label="Loading the environments matrix">
      {Array.from({ length: 6 }, (_, i) => (
        <Skeleton key={i} className="h-12" />
      ))}
    </div>
  );
}

export default async function DeliveryPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "delivery.read")) return <NoAccess permission="delivery.read" />;
  const search = await searchParams;
  const team = typeof search.team === "string" ? search.team.slice(0, 40) : "";
  const [environments, teams, promotions] = await Promise.all([
    listEnvironments(db()),
    db().team.findMany({ orderBy: { name: "asc" }, select: { slug: true, name: true, color: true } }),
    listPromotions(db(), { limit: 10 }),
  ]);

  return (
    <div className="space-y-6">
      <div>
        <PageHeader
          title="Delivery"
          description="Every service in every environment: what git pins, what runs, and what is on its way. Promote from one environment to the next, watch the run, and follow every deployment on the timeline."
          actions={
            can(actor, "promotions.request") ? (
              <PromoteButton environments={environments.map((e) => ({ name: e.name, displayName: e.displayName, protected: e.protected, requiredApprovals: e.requiredApprovals }))} />
            ) : null
          }
        />
        <DeliveryNav active="matrix" />
      </div>
      <Card>
        <Suspense fallback={<MatrixSkeleton />}>
          <MatrixSection team={team} teams={teams} />
        </Suspense>
      </Card>
      <div className="grid items-start gap-6 2xl:grid-cols-[minmax(0,1fr)_28rem]">
        <Card>
          <CardHeader title="Recent promotions" description="The latest asked for, newest first." />
          <RecentPromotions initial={promotions} />
        </Card>
        <DriftCard canReconcile={can(actor, "promotions.execute")} />
      </div>
    </div>
  );
}
