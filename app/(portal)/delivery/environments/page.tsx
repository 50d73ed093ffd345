import type { Metadata } from "next";
import { GitBranch, ShieldCheck } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { DeliveryNav } from "@/components/delivery/delivery-nav";
import { EditEnvironmentButton } from "@/components/delivery/environment-settings";
import { GitOpsRepositoryCard } from "@/components/delivery/gitops-repository-card";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listEnvironments } from "@/lib/gitops";
import { getGitOpsRepository } from "@/lib/gitops/create-repository";
import type { EnvironmentDto } from "@/lib/gitops/environments";

export const metadata: Metadata = { title: "Environments · Delivery" };

function IntegrationTests({ check }: { check: EnvironmentDto["integrationTests"] }) {
  if (!check) return <span className="text-subtle">none</span>;
  if (check.kind === "workflow") {
    return (
      <span className="text-xs">
        workflow <code className="font-mono">{check.workflow}</code> in <code className="font-mono">{check.repository}</code>
        {check.ref ? (
          <>
            {" "}
            on <code className="font-mono">{check.ref}</code>
          </>
        ) : null}
      </span>
    );
  }
  return (
    <span className="text-xs">
      GET <code className="font-mono">{check.url}</code> → {check.expectedStatus}
    </span>
  );
}

export default async function EnvironmentsPage() {
  const actor = await requireActor();
  if (!can(actor, "delivery.read")) return <NoAccess permission="delivery.read" />;
  const [environments, repository] = await Promise.all([
    listEnvironments(db()),
    // The git host may be unreachable: the settings still show, the card says why it is empty.
    getGitOpsRepository(db()).catch((e: unknown) => (e instanceof Error ? e.message : String(e))),
  ]);
  const manage = can(actor, "environments.manage");
  return (
    <div className="space-y-6">
      <div>
        <PageHeader
          title="Delivery"
          description="Environments in promotion order and how promotions into each are gated; the GitOps repository they all live in."
        />
        <DeliveryNav active="environments" />
      </div>
      <Card>
        <CardHeader
          title="Environments"
          description={manage ? "Settings are audited; a promotion reads them when it is requested and again when it runs." : "Platform admins change these settings."}
        />
        <div className="overflow-x-auto">
          <table className="w-full border-collapse text-sm" data-testid="environments-table">
            <THead>
              <tr>
                <Th>Environment</Th>
                <Th>Approvals</Th>
                <Th>Promotions land</Th>
                <Th>On failure</Th>
                <Th>Drift</Th>
                <Th>Branch</Th>
                <Th>Integration tests</Th>
                {manage ? <Th className="text-right">&nbsp;</Th> : null}
              </tr>
            </THead>
            <TBody>
              {environments.map((e, i) => (
                <Tr key={e.name} data-testid={`environment-${e.name}`}>
                  <Td>
                    <div className="flex items-center gap-2 font-medium">
                      <span className="flex size-5 items-center justify-center rounded-full bg-surface-2 text-[11px] tabular text-muted">{i + 1}</span>
                      {e.displayName}
                      {e.protected ? (
                        <Badge tone="accent">
                          <ShieldCheck className="size-3" aria-hidden /> protected
                        </Badge>
                      ) : null}
                    </div>
                  </Td>
                  <Td className="tabular">{e.requiredApprovals ? `${e.requiredApprovals} release manager${e.requiredApprovals > 1 ? "s" : ""}` : <span className="text-subtle">none</span>}</Td>
                  <Td>{e.promotionMode === "pull_request" ? "pull request, merged by Paved" : "direct commits"}</Td>
                  <Td>{e.autoRollback ? <Badge tone="info">roll back automatically</Badge> : <span className="text-muted">halt, roll back on a click</span>}</Td>
                  <Td>{e.autoReconcile ? <Badge tone="info">reconcile automatically</Badge> : <span className="text-muted">report</span>}</Td>
                  <Td>
                    {e.branch ? (
                      <span className="inline-flex items-center gap-1 font-mono text-xs">
                        <GitBranch className="size-3.5" aria-hidden /> {e.branch}
                      </span>
                    ) : (
                      <span className="text-subtle">default</span>
                    )}
                  </Td>
                  <Td>
                    <IntegrationTests check={e.integrationTests} />
                  </Td>
                  {manage ? (
                    <Td className="text-right">
                      <EditEnvironmentButton environment={e} />
                    </Td>
                  ) : null}
                </Tr>
              ))}
            </TBody>
          </table>
        </div>
      </Card>
      {typeof repository === "string" ? (
        <Card data-testid="gitops-repository">
          <CardHeader title="GitOps repository" description={`The git host did not answer: ${repository} Reload the page to try again.`} />
        </Card>
      ) : (
        <GitOpsRepositoryCard initial={repository} canCreate={manage} />
      )}
    </div>
  );
}
