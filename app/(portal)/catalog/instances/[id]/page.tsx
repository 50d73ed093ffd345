import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { InstancePanel } from "@/components/templates/instance-panel";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { getInstanceOrThrow } from "@/lib/templates";

export const metadata: Metadata = { title: "Template instance" };

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  let instance;
  try {
    instance = await getInstanceOrThrow(db(), id);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") notFound();
    throw e;
  }
  const team = await db().team.findUnique({ where: { slug: instance.team } });
  return (
    <div className="space-y-6">
      <Link href={`/catalog/${instance.template}?tab=usage`} className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> {instance.templateTitle}
      </Link>
      <PageHeader
        eyebrow="Template instance"
        title={`${instance.templateTitle} ${instance.version} → ${instance.repo}`}
        description={`Requested by ${instance.createdBy} for team ${instance.team}, ${new Date(instance.createdAt).toLocaleString()}.`}
      />
      <InstancePanel initial={instance} canUpgrade={Boolean(team && canOnTeam(actor, "templates.instantiate", team.id))} />
    </div>
  );
}
