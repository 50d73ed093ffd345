import type { Metadata } from "next";
import { TokensPanel } from "@/components/settings/tokens-panel";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { listTokens } from "@/lib/org";

export const metadata: Metadata = { title: "API tokens" };

export default async function TokensPage() {
  const actor = await requireActor();
  if (!can(actor, "tokens.self")) return <NoAccess permission="tokens.self" />;
  return <TokensPanel initial={await listTokens(db(), actor)} />;
}
