import type { Metadata } from "next";
import { TeamsPanel } from "@/components/settings/teams-panel";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listTeams, listUsers } from "@/lib/org";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const canManage = can(actor, "teams.manage");
  const [teams, users] = await Promise.all([listTeams(db()), canManage ? listUsers(db()) : Promise.resolve(null)]);
  return <TeamsPanel initialTeams={teams} initialUsers={users} canManage={canManage} />;
}
