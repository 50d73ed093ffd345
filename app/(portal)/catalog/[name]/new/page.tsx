import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { InstantiateWizard } from "@/components/templates/instantiate-wizard";
import type { ParameterSchemaShape } from "@/components/templates/parameter-form";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { env } from "@/lib/core/env";
import { isAppError } from "@/lib/core/errors";
import { gitHost } from "@/lib/integrations/git-host";
import { getTemplate } from "@/lib/templates";

export const metadata: Metadata = { title: "Use a template" };

export default async function NewInstancePage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<{ version?: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "templates.instantiate")) return <NoAccess permission="templates.instantiate" />;
  const { name } = await params;
  const { version } = await searchParams;
  let template;
  try {
    template = await getTemplate(db(), name, version);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const current = template.current;
  if (!current) notFound();
  const host = gitHost();
  const [repos, teams] = await Promise.all([host.listRepos(host.defaultOwner), db().team.findMany({ orderBy: { slug: "asc" } })]);
  const myTeams = teams
    .filter((t) => canOnTeam(actor, "templates.instantiate", t.id))
    .filter((t) => template.allowedTeams.length === 0 || template.allowedTeams.includes(t.slug))
    .map((t) => t.slug);
  // The actor's own team first.
  const home = actor.grants[0]?.teamSlug;
  myTeams.sort((a, b) => (a === home ? -1 : b === home ? 1 : a.localeCompare(b)));
  const warnings =
    current.lifecycle === "deprecated"
      ? [`${name} ${current.version} is deprecated${template.latestVersion && template.latestVersion !== current.version ? `: consider ${template.latestVersion}` : ""}.${current.lifecycleNote ? ` ${current.lifecycleNote}` : ""}`]
      : current.lifecycle === "experimental"
        ? [`${name} ${current.version} is experimental: it may change without a migration path.`]
        : [];

  return (
    <div className="space-y-6">
      <Link href={`/catalog/${name}`} className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> {template.title}
      </Link>
      <PageHeader title={`Use ${template.title}`} description="Fill in the parameters, preview the exact files, then let Paved open the pull request (or create the repository)." />
      {current.lifecycle === "retired" ? (
        <p className="rounded-md border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger">This version is retired and can no longer be instantiated. Choose another version.</p>
      ) : myTeams.length === 0 ? (
        <p className="rounded-md border border-warning/30 bg-warning-soft px-4 py-3 text-sm text-warning">
          None of your teams may instantiate this template{template.allowedTeams.length ? ` (it is limited to: ${template.allowedTeams.join(", ")})` : ""}.
        </p>
      ) : (
        <InstantiateWizard
          key={current.version}
          template={{ name: template.name, title: template.title }}
          version={{ version: current.version, lifecycle: current.lifecycle, parameterSchema: current.parameterSchema as ParameterSchemaShape & Record<string, unknown>, parameterOrder: current.parameters.map((p) => p.name) }}
          versions={template.versions.map((v) => ({ version: v.version, lifecycle: v.lifecycle }))}
          repos={repos.map((r) => ({ fullName: r.fullName, defaultBranch: r.defaultBranch }))}
          defaultOwner={host.defaultOwner}
          teams={myTeams}
          sandbox={env().sandbox}
          warnings={warnings}
        />
      )}
    </div>
  );
}
