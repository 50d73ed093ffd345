import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FlaskConical, GitBranch } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ChaosCard } from "@/components/incidents/chaos-card";
import type { ChaosSlo } from "@/components/incidents/model";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { env } from "@/lib/core/env";
import { logger } from "@/lib/core/logger";
import { sandboxCluster } from "@/lib/delivery";
import { getRemediationSettings } from "@/lib/incidents";
import { gitHost } from "@/lib/integrations/git-host";
import { listChaos } from "@/lib/metrics";
import { listSlos } from "@/lib/slos";

export const metadata: Metadata = { title: "Sandbox" };

/** The sandbox's git repositories, as an index of /sandbox/repos (empty when GitHub is connected). */
async function sandboxRepos(): Promise<string[]> {
  const host = gitHost();
  if (host.kind !== "sandbox") return [];
  try {
    return (await host.listRepos(host.defaultOwner)).map((r) => r.fullName).sort();
  } catch (e) {
    logger.warn({ err: e }, "could not list the sandbox's repositories");
    return [];
  }
}

export default async function SandboxPage() {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  // Chaos acts on the sandbox cluster: with Argo CD connected there is none to break.
  const cluster = sandboxCluster();
  if (!cluster) notFound();
  const [states, chaos, slos, settings, environments, repos] = await Promise.all([
    cluster.trafficStates(),
    listChaos(db(), cluster),
    listSlos(db(), { limit: 1000, offset: 0 }),
    getRemediationSettings(db()),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true, protected: true } }),
    sandboxRepos(),
  ]);
  const slosByService: Record<string, ChaosSlo[]> = {};
  for (const s of slos.items) {
    (slosByService[s.service.name] ??= []).push({ id: s.id, name: s.name, displayName: s.displayName, kind: s.kind, environment: s.environment, alerting: s.alerting, automation: s.automation });
  }

  return (
    <div className="space-y-6">
      <PageHeader
        eyebrow={
          <span className="inline-flex items-center gap-1.5">
            <FlaskConical className="size-3.5 text-sandbox-foreground" aria-hidden /> {env().sandbox ? "Sandbox mode" : "Sandbox cluster"}
          </span>
        }
        title="Sandbox"
        description="The simulated cluster and git repositories that stand in for Argo CD, Prometheus' targets and GitHub. Break a service here to watch its SLO burn and self-healing answer."
      />
      <ChaosCard
        initial={chaos}
        apps={states.map((s) => ({ service: s.service, environment: s.environment, image: s.image, replicas: s.replicas }))}
        slos={slosByService}
        environments={environments}
        autoApprove={settings.autoApprove}
        canWrite={can(actor, "slos.write")}
        prometheus={Boolean(env().prometheus)}
        alertCompression={env().sandboxAlertCompression}
      />
      {repos.length ? (
        <Card>
          <CardHeader title="Git repositories" description="Real git repositories in the data folder, standing in for GitHub: one per demo service, and the GitOps repository." />
          <ul className="grid gap-1 p-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="sandbox-repos">
            {repos.map((r) => (
              <li key={r}>
                <Link href={`/sandbox/repos/${r}`} className="flex items-center gap-2 rounded px-2 py-1.5 font-mono text-xs text-muted hover:bg-surface-2 hover:text-foreground">
                  <GitBranch className="size-3.5 shrink-0" aria-hidden /> {r}
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
