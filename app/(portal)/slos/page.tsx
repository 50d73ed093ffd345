import type { Metadata } from "next";
import { Gauge } from "lucide-react";
import { ComingSoon } from "@/components/shell/coming-soon";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";

export const metadata: Metadata = { title: "SLOs" };

export default async function SlosPage() {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  return (
    <ComingSoon
      title="SLOs and error budgets"
      description="What healthy means for each service, measured on Prometheus, with budgets everyone can read."
      icon={Gauge}
      items={[
        { title: "SLOs per service", text: "Availability and latency objectives over 7, 28 or 30 days, from PromQL or OpenSLO / Sloth imports." },
        { title: "Burn-rate alerts", text: "Generated multi-window, multi-burn-rate recording and alerting rules, checked with promtool." },
        { title: "Budget dashboards", text: "Budget left, burn rates and a burn-down chart with deployments and incidents on the same axis." },
        { title: "Guarded self-healing", text: "Alertmanager-driven rollback, scale-up or restart with rate limits, cooldowns, approvals and a kill switch." },
      ]}
    />
  );
}
