import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PromotionView } from "@/components/delivery/promotion-view";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { getPromotion, PromotionParams, type PromotionDto } from "@/lib/delivery";

async function load(id: string): Promise<PromotionDto | null> {
  if (!PromotionParams.safeParse({ id }).success) return null;
  try {
    return await getPromotion(db(), id);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const promotion = await load((await params).id).catch(() => null);
  return { title: promotion ? `Promotion #${promotion.number}` : "Promotion" };
}

export default async function PromotionPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "delivery.read")) return <NoAccess permission="delivery.read" />;
  const promotion = await load((await params).id);
  if (!promotion) notFound();
  const [services, environments] = await Promise.all([
    db().service.findMany({ where: { name: { in: promotion.services.map((s) => s.name) } }, select: { name: true, strategy: true, trafficSteps: true, team: { select: { name: true, color: true } } } }),
    db().environment.findMany({ select: { name: true, displayName: true, protected: true } }),
  ]);
  return (
    <PromotionView
      initial={promotion}
      me={actor.login}
      canApprove={can(actor, "promotions.approve")}
      canExecute={can(actor, "promotions.execute")}
      services={Object.fromEntries(services.map((s) => [s.name, { teamColor: s.team.color, teamName: s.team.name, strategy: s.strategy, trafficSteps: s.trafficSteps }]))}
      environments={Object.fromEntries(environments.map((e) => [e.name, { displayName: e.displayName, protected: e.protected }]))}
    />
  );
}
