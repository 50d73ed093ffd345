import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { requireActor } from "@/lib/core/auth/session";
import { env } from "@/lib/core/env";
import { permissionsOf } from "@/lib/core/permissions";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const roles = [...new Set(actor.grants.map((g) => g.role))];
  return (
    <AppShell user={{ login: actor.login, name: actor.name, avatarUrl: actor.avatarUrl, roles }} permissions={permissionsOf(actor.grants)} sandbox={env().sandbox}>
      {children}
    </AppShell>
  );
}
