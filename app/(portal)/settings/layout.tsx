import type { ReactNode } from "react";
import { PageHeader } from "@/components/ui/page-header";
import { SettingsNav } from "@/components/settings/settings-nav";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const actor = await requireActor();
  const items = [
    { href: "/settings", label: "Profile" },
    { href: "/settings/tokens", label: "API tokens" },
    ...(can(actor, "services.read") ? [{ href: "/settings/teams", label: can(actor, "teams.manage") ? "Teams & people" : "Teams" }] : []),
    ...(can(actor, "jobs.read") ? [{ href: "/settings/jobs", label: "Jobs" }] : []),
  ];
  return (
    <div>
      <PageHeader title="Settings" description="Your profile and API tokens; for platform admins, teams, people and background jobs." />
      <SettingsNav items={items} />
      {children}
    </div>
  );
}
