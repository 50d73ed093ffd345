import type { Metadata } from "next";
import { Activity } from "lucide-react";
import { ComingSoon } from "@/components/shell/coming-soon";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";

export const metadata: Metadata = { title: "Insights" };

export default async function InsightsPage() {
  const actor = await requireActor();
  if (!can(actor, "insights.read")) return <NoAccess permission="insights.read" />;
  return (
    <ComingSoon
      title="Insights"
      description="Whether the platform works, in the numbers leadership asks for, each traceable to its records."
      icon={Activity}
      items={[
        { title: "Enterprise metrics", text: "Template adoption (> 80 %), deployment success rate (> 99 %), mean time to recovery (< 5 min) and policy compliance (100 %), with trends." },
        { title: "DORA four keys", text: "Deployment frequency, lead time for changes, change failure rate and time to restore, placed in the DORA bands." },
        { title: "Per-team drill-down", text: "The same numbers per team over 7, 30 or 90 days, each linking to the deployments, incidents or violations behind it." },
        { title: "Definitions on the page", text: "How every number is computed and from which data, with CSV export of any table." },
      ]}
    />
  );
}
