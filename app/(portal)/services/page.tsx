import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { Download, ListOrdered, Network } from "lucide-react";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ImportGraphButton } from "@/components/services/import-dialog";
import { ServiceFormButton } from "@/components/services/service-form";
import { ServicesTable } from "@/components/services/services-table";
import { NoAccess } from "@/components/shell/no-access";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listServices, ListServicesQuery } from "@/lib/services";

export const metadata: Metadata = { title: "Services" };

const linkButton = "inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2 [&_svg]:size-4";

const PAGE_SIZE = 50;

type Search = Record<string, string | string[] | undefined>;

export default async function ServicesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v !== undefined && v !== ""));
  // A hand-edited URL with a bad parameter shows the unfiltered first page rather than an error.
  const parsed = ListServicesQuery.safeParse({ ...raw, limit: PAGE_SIZE });
  const query = parsed.success ? parsed.data : ListServicesQuery.parse({ limit: PAGE_SIZE });
  const [page, teams, environments, anyService] = await Promise.all([
    listServices(db(), query),
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true } }),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true } }),
    db().service.findFirst({ select: { id: true } }),
  ]);
  const writable = teams.filter((t) => canOnTeam(actor, "services.write", t.id)).map((t) => ({ slug: t.slug, name: t.name }));
  return (
    <div className="space-y-4">
      <PageHeader
        title="Services"
        description="Every service, who owns it, how it deploys and what it depends on."
        actions={
          <div className="flex flex-wrap gap-2">
            <Link href="/services/graph" className={linkButton} data-testid="open-graph">
              <Network aria-hidden /> Graph editor
            </Link>
            <Link href="/services/plan" className={linkButton}>
              <ListOrdered aria-hidden /> Planner
            </Link>
            <a href="/api/v1/graph/export?paved=true" download="deployment-config.yaml" className={linkButton} data-testid="export-graph">
              <Download aria-hidden /> Export
            </a>
            {writable.length ? <ImportGraphButton teams={writable} /> : null}
            {writable.length ? <ServiceFormButton teams={writable} environments={environments.map((e) => e.name)} /> : null}
          </div>
        }
      />
      <Card>
        <Suspense>
          <ServicesTable page={page} anyServices={anyService !== null} teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} />
        </Suspense>
      </Card>
    </div>
  );
}
