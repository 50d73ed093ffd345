import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Download, FileDown, Gauge, Plus } from "lucide-react";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { NoAccess } from "@/components/shell/no-access";
import { toOverviewRow, stalest, type OverviewRow } from "@/components/slos/model";
import { CommitRulesButton } from "@/components/slos/slo-actions";
import { SlosNav } from "@/components/slos/slos-nav";
import { SlosTable } from "@/components/slos/slos-table";
import { FreshnessNote } from "@/components/slos/status";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { gitOpsRepositoryOf } from "@/lib/gitops/repository";
import { gitHost } from "@/lib/integrations/git-host";
import { metricsSource } from "@/lib/metrics";
import { listSlos, liveStatus } from "@/lib/slos";

export const metadata: Metadata = { title: "SLOs" };

const linkButton = "inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2 [&_svg]:size-4";
const primaryButton = "inline-flex h-9 items-center gap-2 rounded-md bg-accent px-4 text-sm font-medium text-accent-foreground shadow-sm hover:bg-accent-hover [&_svg]:size-4";

const PAGE = 1000;
const MAX_SLOS = 10_000;

/** Every SLO with its status: a page of 1,000 at a time, each page one batch of metrics queries. */
async function loadRows(): Promise<OverviewRow[]> {
  const lookup = liveStatus(metricsSource());
  const rows: OverviewRow[] = [];
  for (let offset = 0; offset < MAX_SLOS; offset += PAGE) {
    const page = await listSlos(db(), { limit: PAGE, offset }, { status: lookup });
    rows.push(...page.items.map(toOverviewRow));
    if (page.items.length < PAGE || rows.length >= page.total) break;
  }
  return rows;
}

/** Streamed: the header and filters paint at once; the numbers follow when the metrics source answers. */
async function Overview({ teams, canDefine }: { teams: { slug: string; name: string }[]; canDefine: boolean }) {
  const rows = await loadRows();
  if (rows.length === 0) {
    return (
      <EmptyState
        icon={Gauge}
        title="No SLOs yet"
        action={
          canDefine ? (
            <Link href="/slos/new" className={primaryButton} data-testid="empty-new-slo">
              <Plus aria-hidden /> Define the first SLO
            </Link>
          ) : null
        }
      >
        An SLO says what healthy means for a service: an objective such as 99.9% of requests without a server error over 30 days. {canDefine ? "Define one here, or import OpenSLO or Sloth YAML with POST /api/v1/slos/import." : "Developers of a service's team and SREs can define them."}
      </EmptyState>
    );
  }
  const worst = stalest(rows.map((r) => r.freshness));
  const failed = rows.find((r) => r.status === null && r.freshness?.error)?.freshness ?? null;
  const source = rows.find((r) => r.freshness)?.freshness;
  const services = [...new Set(rows.map((r) => r.service.name))].sort();
  return (
    <>
      {worst || failed ? (
        <div className="border-b border-border px-5 py-3">
          <FreshnessNote freshness={worst ?? failed} />
        </div>
      ) : null}
      <SlosTable rows={rows} teams={teams} services={services} />
      {source ? (
        <p className="border-t border-border px-5 py-2.5 text-xs text-subtle" data-testid="slos-source">
          {source.source === "prometheus" ? "From Prometheus" : "From the sandbox's simulated metrics"}
          {source.computedFrom === "recording-rules" ? ", through the recording rules Paved generates (one query per window for every SLO)." : ", from each SLO's SLI queries (one batch for the page)."} Budget in minutes
          of full outage here; each SLO&apos;s page also counts it in requests.
        </p>
      ) : null}
    </>
  );
}

function OverviewSkeleton() {
  return (
    <div className="space-y-2 p-5" aria-busy="true" aria-label="Loading the SLOs">
      <Skeleton className="h-9 w-full" />
      {Array.from({ length: 8 }, (_, i) => (
        <Skeleton key={i} className="h-12" />
      ))}
    </div>
  );
}

export default async function SlosPage() {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  const teams = await db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true } });
  const canDefine = teams.some((t) => canOnTeam(actor, "slos.define", t.id));
  const host = gitHost();
  const repo = gitOpsRepositoryOf(host);
  return (
    <div className="space-y-4">
      <PageHeader
        title="SLOs"
        description="What healthy means for each service, and how much error budget is left. Most at risk first: budget spent, critical (burning fast enough to page), warning, ok."
        actions={
          <div className="flex flex-wrap gap-2">
            <a href="/api/v1/slos/rules" download="slo-rules.yaml" className={linkButton} data-testid="download-all-rules">
              <Download aria-hidden /> Rules
            </a>
            <a href="/api/v1/slos/export?format=openslo" download="slos.openslo.yaml" className={linkButton}>
              <FileDown aria-hidden /> OpenSLO
            </a>
            {can(actor, "slos.write") ? <CommitRulesButton repository={`${repo.owner}/${repo.name}`} sandbox={host.kind === "sandbox"} /> : null}
            {canDefine ? (
              <Link href="/slos/new" className={primaryButton} data-testid="new-slo">
                <Plus aria-hidden /> New SLO
              </Link>
            ) : null}
          </div>
        }
      />
      <SlosNav active="overview" />
      <Card>
        <Suspense fallback={<OverviewSkeleton />}>
          <Overview teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} canDefine={canDefine} />
        </Suspense>
      </Card>
    </div>
  );
}
