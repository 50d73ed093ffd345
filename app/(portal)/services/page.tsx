import type { Metadata } from "next";
import { Suspense } from "react";
import { Info } from "lucide-react";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ServicesTable } from "@/components/services/services-table";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listServices } from "@/lib/services";
import { listTeams } from "@/lib/org";

export const metadata: Metadata = { title: "Services" };

export default async function ServicesPage() {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const [services, teams] = await Promise.all([listServices(db()), listTeams(db())]);
  return (
    <div className="space-y-4">
      <PageHeader title="Services" description="Every service, who owns it, how it deploys and what it depends on." />
      <div className="flex items-start gap-2 rounded-md border border-info/30 bg-info-soft px-4 py-3 text-sm text-info" data-testid="services-coming">
        <Info className="mt-0.5 size-4 shrink-0" aria-hidden />
        <span>
          The visual dependency-graph editor, service pages, import/export of <code className="font-mono">deployment-config.yaml</code> and deployment planning arrive with the
          service-graph release. This list is the live data they will edit.
        </span>
      </div>
      <Card>
        <Suspense>
          <ServicesTable services={services} teams={teams.map((t) => ({ slug: t.slug, name: t.name }))} />
        </Suspense>
      </Card>
    </div>
  );
}
