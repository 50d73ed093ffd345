import type { Metadata } from "next";
import Link from "next/link";
import { Rocket, ShieldAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { ComingSoon } from "@/components/shell/coming-soon";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listEnvironments } from "@/lib/gitops";

export const metadata: Metadata = { title: "Delivery" };

export default async function DeliveryPage() {
  const actor = await requireActor();
  if (!can(actor, "delivery.read")) return <NoAccess permission="delivery.read" />;
  const environments = await listEnvironments(db());
  return (
    <div className="space-y-6">
      <ComingSoon
        title="Delivery"
        description="Every service in every environment, click-through promotions dev → staging → production, and the deployment timeline."
        icon={Rocket}
        items={[
          { title: "Environments matrix", text: "Service × environment with version, sync status, health, drift and pending promotions." },
          { title: "Promotions with gates", text: "Diff, dependency-ordered plan and gates (policies, health, error budget, approvals) that each say why they pass or block." },
          { title: "Orchestrated runs", text: "Wave by wave through rolling, blue-green and canary strategies as GitOps commits that Argo CD syncs, with dependency-aware rollback." },
          { title: "Timeline and drift", text: "Every deployment on a zoomable time axis, and git-vs-cluster drift with one-click reconcile." },
        ]}
      />
      <Card>
        <CardHeader title="Environments" description="Promotion order, as configured today." />
        <ol className="flex flex-wrap items-center gap-3 px-5 py-4" data-testid="environments">
          {environments.map((e, i) => (
            <li key={e.id} className="flex items-center gap-3">
              <div className="rounded-md border border-border px-3 py-2">
                <div className="flex items-center gap-2 text-sm font-medium">
                  {e.displayName}
                  {e.protected ? (
                    <Badge tone="warning">
                      <ShieldAlert className="size-3" aria-hidden /> protected
                    </Badge>
                  ) : null}
                </div>
                <div className="text-xs text-subtle">
                  {e.name}
                  {e.requiredApprovals ? ` · ${e.requiredApprovals} approval${e.requiredApprovals > 1 ? "s" : ""} to promote` : ""}
                </div>
              </div>
              {i < environments.length - 1 ? <span className="text-subtle">→</span> : null}
            </li>
          ))}
          {environments.length === 0 ? (
            <li className="text-sm text-muted">
              No environments yet. <Link className="text-accent hover:underline" href="/settings">Platform admins</Link> will configure them here.
            </li>
          ) : null}
        </ol>
      </Card>
    </div>
  );
}
