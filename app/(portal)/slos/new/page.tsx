import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { SloForm } from "@/components/slos/slo-form";
import { canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";

export const metadata: Metadata = { title: "New SLO" };

export default async function NewSloPage({ searchParams }: { searchParams: Promise<{ service?: string | string[] }> }) {
  const actor = await requireActor();
  const [services, teams, environments] = await Promise.all([
    db().service.findMany({ orderBy: { name: "asc" }, select: { name: true, team: { select: { id: true, slug: true } } } }),
    db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true } }),
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true } }),
  ]);
  // Developers define SLOs for their own team's services; SREs and platform admins for any.
  const allowed = services.filter((s) => canOnTeam(actor, "slos.define", s.team.id));
  if (!teams.some((t) => canOnTeam(actor, "slos.define", t.id))) return <NoAccess permission="slos.define" />;
  const { service } = await searchParams;
  return (
    <div className="space-y-6">
      <Link href="/slos" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> SLOs
      </Link>
      <PageHeader title="New SLO" description="Say what healthy means for a service. Paved generates its Prometheus recording rules and burn-rate alerts, and shows its error budget." />
      {allowed.length === 0 ? (
        <p className="rounded-md border border-warning/30 bg-warning-soft px-4 py-3 text-sm text-warning">Your team has no services yet: register one under Services first.</p>
      ) : (
        <SloForm
          services={allowed.map((s) => ({ name: s.name, team: s.team.slug }))}
          teams={teams.filter((t) => canOnTeam(actor, "slos.define", t.id)).map((t) => ({ slug: t.slug, name: t.name }))}
          environments={environments.map((e) => e.name)}
          initialService={typeof service === "string" ? service : undefined}
        />
      )}
    </div>
  );
}
