import type { Metadata } from "next";
import Link from "next/link";
import { FlaskConical } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RecentRemediations } from "@/components/incidents/recent-remediations";
import { SelfHealingSettings } from "@/components/incidents/settings-panel";
import { NoAccess } from "@/components/shell/no-access";
import { SlosNav } from "@/components/slos/slos-nav";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { sandboxCluster } from "@/lib/delivery";
import { getRemediationSettings, listRemediations } from "@/lib/incidents";

export const metadata: Metadata = { title: "Self-healing" };

const linkButton = "inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2 [&_svg]:size-4";

export default async function SelfHealingPage() {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  const [settings, remediations, environments] = await Promise.all([
    getRemediationSettings(db()),
    listRemediations(db(), { limit: 25 }),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true, protected: true } }),
  ]);
  const canWrite = can(actor, "slos.write");

  return (
    <div className="space-y-6">
      <div>
        <PageHeader
          title="SLOs"
          description="Self-healing: when an SLO's page alert names a playbook (roll back, scale up, restart), these guardrails decide whether it runs. Every decision, taken or not, is on the incident's timeline."
          actions={
            sandboxCluster() ? (
              <Link href="/sandbox" className={linkButton} data-testid="open-chaos">
                <FlaskConical aria-hidden /> Chaos (sandbox)
              </Link>
            ) : null
          }
        />
        <SlosNav active="self-healing" />
      </div>
      <SelfHealingSettings initial={settings} canWrite={canWrite} environments={environments} />
      <Card>
        <CardHeader title="Recent remediations" description="What self-healing decided for the latest incidents, newest first." actions={<Link href="/slos/incidents" className="text-sm text-accent hover:underline">Incidents</Link>} />
        <RecentRemediations initial={remediations.items} />
      </Card>
    </div>
  );
}
