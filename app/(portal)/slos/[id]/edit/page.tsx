import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { SloForm } from "@/components/slos/slo-form";
import { canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { getSlo, type SloDto } from "@/lib/slos";

export const metadata: Metadata = { title: "Edit SLO" };

async function load(id: string): Promise<SloDto | null> {
  try {
    return await getSlo(db(), id);
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "invalid_input")) return null;
    throw e;
  }
}

export default async function EditSloPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  const { id } = await params;
  const slo = await load(id);
  if (!slo) notFound();
  const [teams, environments] = await Promise.all([
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true } }),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true } }),
  ]);
  const serviceTeam = teams.find((t) => t.slug === slo.service.team.slug);
  if (!serviceTeam || !canOnTeam(actor, "slos.define", serviceTeam.id)) return <NoAccess permission="slos.define" />;
  return (
    <div className="space-y-6">
      <Link href={`/slos/${slo.id}`} className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> {slo.displayName || `${slo.service.name} ${slo.name}`}
      </Link>
      <PageHeader title={`Edit ${slo.service.name}/${slo.name}`} description={`Revision ${slo.revision}. Saving a copy someone else changed meanwhile is refused: reload and try again. Changes are audited.`} />
      <SloForm
        slo={slo}
        services={[{ name: slo.service.name, team: slo.service.team.slug }]}
        teams={teams.filter((t) => canOnTeam(actor, "slos.define", t.id)).map((t) => ({ slug: t.slug, name: t.name }))}
        environments={environments.map((e) => e.name)}
      />
    </div>
  );
}
