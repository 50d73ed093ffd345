import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft, ExternalLink, Network } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { relativeTime } from "@/components/audit/format";
import { PlanView, type PlanServiceInfo } from "@/components/services/plan-view";
import { DeleteServiceButton, DependencyEditor } from "@/components/services/service-actions";
import { ServiceFormButton } from "@/components/services/service-form";
import { StrategyBadge } from "@/components/services/strategy";
import { NoAccess } from "@/components/shell/no-access";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { serviceImages, type ServiceImage } from "@/lib/gitops/repository";
import { gitHost } from "@/lib/integrations/git-host";
import { getService, graphRevision, loadDependencyGraph, planFor, type ServiceDto } from "@/lib/services";
import { logger } from "@/lib/core/logger";

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

async function load(name: string): Promise<ServiceDto | null> {
  try {
    return await getService(db(), name);
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "invalid_input")) return null;
    throw e;
  }
}

/** The image git pins for the service in each environment, read from each environment's branch. */
async function images(name: string, environments: { name: string; branch: string | null }[]): Promise<ServiceImage[] | null> {
  try {
    return await serviceImages(gitHost(), name, environments);
  } catch (e) {
    logger.warn({ err: e, service: name }, "could not read the GitOps repository for a service page");
    return null;
  }
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs font-medium uppercase tracking-wide text-subtle">{label}</dt>
      <dd className="mt-1 text-sm">{children}</dd>
    </div>
  );
}

function NameList({ names, empty }: { names: string[]; empty: string }) {
  if (!names.length) return <p className="text-sm text-muted">{empty}</p>;
  return (
    <ul className="flex flex-wrap gap-1.5">
      {names.map((n) => (
        <li key={n}>
          <Link href={`/services/${n}`} className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-xs hover:underline">
            {n}
          </Link>
        </li>
      ))}
    </ul>
  );
}

export default async function ServicePage({ params }: { params: Promise<{ name: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const { name } = await params;
  const service = await load(name);
  if (!service) notFound();

  const [loaded, state, environments, teams, recent] = await Promise.all([
    loadDependencyGraph(db()),
    graphRevision(db()),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true, protected: true, branch: true } }),
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true, color: true } }),
    db().auditEvent.findMany({ where: { targetType: "service", targetLabel: name }, orderBy: { seq: "desc" }, take: 8, select: { seq: true, action: true, actorLogin: true, createdAt: true, payload: true } }),
  ]);
  const pinned = await images(
    name,
    environments.map((e) => ({ name: e.name, branch: e.branch })),
  );
  const { graph } = loaded;
  const upstream = [...graph.upstream(name)].sort();
  const downstream = [...graph.downstream(name)].sort();
  const team = teams.find((t) => t.slug === service.team.slug)!;
  const canEdit = canOnTeam(actor, "services.write", team.id);
  const writableTeams = teams.filter((t) => canOnTeam(actor, "services.write", t.id));
  const lastEnv = service.environments.at(-1) ?? environments.at(-1)?.name ?? "production";
  // What shipping a change to this service involves: it, then everything that depends on it.
  const plan = planFor(graph, loaded.services, { environment: lastEnv, action: "deploy", services: [name], includeDependents: true }, state.revision);
  const teamOf = new Map(teams.map((t) => [t.id, t]));
  const info: Record<string, PlanServiceInfo> = {};
  for (const s of loaded.services) {
    const t = teamOf.get(s.teamId);
    info[s.name] = { strategy: s.strategy, trafficSteps: [], teamColor: t?.color ?? "var(--border)", teamName: t?.name ?? "" };
  }

  return (
    <div className="space-y-6">
      <Link href="/services" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Services
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex items-center gap-2 text-sm text-muted">
            <span className="size-2.5 rounded-full" style={{ background: service.team.color }} aria-hidden />
            <span>{service.team.name}</span>
          </div>
          <h1 className="mt-1 font-mono text-2xl font-semibold tracking-tight" data-testid="service-name">
            {service.name}
          </h1>
          {service.description ? <p className="mt-1 max-w-2xl text-sm text-muted">{service.description}</p> : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href={`/services/graph?focus=${name}`} className="inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2">
            <Network className="size-4" aria-hidden /> Show in graph
          </Link>
          {canEdit ? <ServiceFormButton service={service} teams={writableTeams.map((t) => ({ slug: t.slug, name: t.name }))} environments={environments.map((e) => e.name)} /> : null}
          {canEdit ? <DeleteServiceButton service={name} dependents={service.dependents} revision={state.revision} /> : null}
        </div>
      </div>

      <Card>
        <CardBody>
          <dl className="grid gap-5 sm:grid-cols-2 lg:grid-cols-4">
            <Field label="Strategy">
              <StrategyBadge strategy={service.strategy} steps={service.trafficSteps} />
            </Field>
            <Field label="Health check">
              <code className="font-mono text-xs">{service.healthCheckPath}</code>
            </Field>
            <Field label="Repository">
              {service.repository ? (
                <Link href={gitHost().kind === "sandbox" ? `/sandbox/repos/${service.repository}` : `https://github.com/${service.repository}`} className="inline-flex items-center gap-1 font-mono text-xs hover:underline">
                  {service.repository} <ExternalLink className="size-3" aria-hidden />
                </Link>
              ) : (
                <span className="text-subtle">—</span>
              )}
            </Field>
            <Field label="Migration scripts">
              {service.migrationScripts.length ? (
                <span className="flex flex-wrap gap-1">
                  {service.migrationScripts.map((m) => (
                    <code key={m} className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-xs">
                      {m}
                    </code>
                  ))}
                </span>
              ) : (
                <span className="text-subtle">none</span>
              )}
            </Field>
            <Field label="Paths it owns">
              {service.pathGlobs.length ? (
                <span className="flex flex-wrap gap-1">
                  {service.pathGlobs.map((g) => (
                    <code key={g} className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-xs">
                      {g}
                    </code>
                  ))}
                </span>
              ) : (
                <span className="text-subtle">none: changed files never select it</span>
              )}
            </Field>
            <Field label="Revision">
              <span className="tabular">{service.revision}</span> <span className="text-xs text-subtle">· updated {relativeTime(service.updatedAt)}</span>
            </Field>
          </dl>
        </CardBody>
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader title="Depends on" description="These deploy before it. Removing one lets it deploy earlier." />
          <CardBody>
            <DependencyEditor service={name} dependsOn={service.dependsOn} candidates={graph.names.filter((n) => n !== name)} revision={state.revision} canEdit={canEdit} />
            {upstream.length > service.dependsOn.length ? (
              <div className="mt-4">
                <p className="mb-1 text-xs font-medium text-subtle">Everything upstream ({upstream.length})</p>
                <NameList names={upstream} empty="" />
              </div>
            ) : null}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Needed by" description="These depend on it, directly or through others." />
          <CardBody data-testid="service-downstream">
            <NameList names={service.dependents} empty="Nothing depends on it." />
            {downstream.length > service.dependents.length ? (
              <div className="mt-4">
                <p className="mb-1 text-xs font-medium text-subtle">Everything downstream ({downstream.length})</p>
                <NameList names={downstream} empty="" />
              </div>
            ) : null}
          </CardBody>
        </Card>
      </div>

      <Card>
        <CardHeader title="Environments" description="Where it deploys, and the image the GitOps repository pins there." />
        <Table data-testid="service-environments">
          <THead>
            <Tr>
              <Th>Environment</Th>
              <Th>Deploys here</Th>
              <Th>Pinned image</Th>
            </Tr>
          </THead>
          <TBody>
            {environments.map((e) => {
              const image = pinned?.find((p) => p.environment === e.name);
              return (
                <Tr key={e.name}>
                  <Td>
                    <span className="font-medium">{e.displayName}</span> <code className="font-mono text-xs text-subtle">{e.name}</code>
                    {e.protected ? (
                      <Badge tone="warning" className="ml-2">
                        protected
                      </Badge>
                    ) : null}
                  </Td>
                  <Td>{service.environments.includes(e.name) ? <Badge tone="success">yes</Badge> : <span className="text-subtle">no</span>}</Td>
                  <Td>
                    {image?.image ? (
                      <code className="font-mono text-xs">{image.image.image}</code>
                    ) : image?.problem ? (
                      <span className="text-xs text-danger">{image.problem}</span>
                    ) : (
                      <span className="text-xs text-subtle">{pinned === null ? "GitOps repository not available" : "no overlay in the GitOps repository"}</span>
                    )}
                  </Td>
                </Tr>
              );
            })}
          </TBody>
        </Table>
      </Card>

      <Card>
        <CardHeader
          title="Shipping a change"
          description={`A change to ${name} redeploys it and everything that depends on it, in this order (${lastEnv}).`}
          actions={
            <Link href={`/services/plan?services=${name}&includeDependents=true&environment=${lastEnv}`} className="text-sm text-accent hover:underline">
              Open in planner
            </Link>
          }
        />
        <CardBody>
          <PlanView plan={plan} info={info} />
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          title="Recent changes"
          actions={
            can(actor, "audit.read") ? (
              <Link href={`/audit?target=${name}`} className="text-sm text-accent hover:underline">
                Audit trail
              </Link>
            ) : null
          }
        />
        {recent.length === 0 ? (
          <CardBody>
            <p className="text-sm text-muted">No changes recorded since it was created.</p>
          </CardBody>
        ) : (
          <ul className="divide-y divide-border" data-testid="service-history">
            {recent.map((e) => (
              <li key={String(e.seq)} className="flex flex-wrap items-center justify-between gap-2 px-5 py-2.5 text-sm">
                <span>
                  <code className="font-mono text-xs">{e.action}</code> <span className="text-muted">by {e.actorLogin ?? "system"}</span>
                  {describe(e.payload)}
                </span>
                <span className="text-xs text-subtle">{relativeTime(e.createdAt.toISOString())}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

function describe(payload: unknown): React.ReactNode {
  const p = payload as { added?: string[]; removed?: string[]; changes?: Record<string, unknown> } | null;
  if (!p) return null;
  const parts: string[] = [];
  if (p.added?.length) parts.push(`+ ${p.added.join(", ")}`);
  if (p.removed?.length) parts.push(`− ${p.removed.join(", ")}`);
  if (p.changes) parts.push(Object.keys(p.changes).join(", "));
  return parts.length ? <span className="ml-2 text-xs text-muted">{parts.join(" · ")}</span> : null;
}
