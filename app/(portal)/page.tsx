import type { Metadata } from "next";
import Link from "next/link";
import { ArrowRight, CheckCircle2, CircleAlert, Database, Network, Rocket, Users } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Avatar } from "@/components/ui/avatar";
import { EmptyState } from "@/components/ui/empty-state";
import { NAV } from "@/components/shell/nav";
import { describeAction, relativeTime } from "@/components/audit/format";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { ROLE_DEFINITIONS, permissionsOf } from "@/lib/core/permissions";
import { listAuditEvents } from "@/lib/audit";
import { checkHealth } from "@/lib/api/health";

export const metadata: Metadata = { title: "Overview" };

function greeting(): string {
  const h = new Date().getUTCHours();
  return h < 12 ? "Good morning" : h < 18 ? "Good afternoon" : "Good evening";
}

export default async function OverviewPage() {
  const actor = await requireActor();
  const client = db();
  const teamIds = [...new Set(actor.grants.map((g) => g.teamId))];
  const [teams, services, environments, people, myServices, health, activity] = await Promise.all([
    client.team.count(),
    client.service.count(),
    client.environment.count(),
    client.user.count({ where: { disabledAt: null } }),
    client.service.findMany({ where: { teamId: { in: teamIds } }, orderBy: { name: "asc" }, include: { team: true }, take: 8 }),
    checkHealth(),
    can(actor, "audit.read") ? listAuditEvents(client, { limit: 8 }) : Promise.resolve(null),
  ]);
  const permissions = permissionsOf(actor.grants);
  const sections = NAV.filter((n) => n.href !== "/" && (!n.permission || permissions.includes(n.permission)));
  const stats = [
    { label: "Teams", value: teams, icon: Users, href: "/settings/teams" },
    { label: "Services", value: services, icon: Network, href: "/services" },
    { label: "Environments", value: environments, icon: Rocket, href: "/delivery" },
    { label: "People", value: people, icon: Users, href: "/settings/teams" },
  ];

  return (
    <div className="space-y-6">
      <PageHeader
        title={`${greeting()}, ${actor.name.split(" ")[0]}`}
        description={
          <span className="flex flex-wrap items-center gap-1.5">
            You are
            {actor.grants.map((g) => (
              <Badge key={`${g.role}-${g.teamSlug}`} tone="accent">
                {ROLE_DEFINITIONS[g.role].title}
                {ROLE_DEFINITIONS[g.role].scope === "team" ? ` · ${g.teamSlug}` : ""}
              </Badge>
            ))}
            {actor.grants.length === 0 ? <Badge tone="warning">no role yet: ask a platform admin</Badge> : null}
          </span>
        }
      />

      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        {stats.map((s) => (
          <Card key={s.label} className="px-5 py-4">
            <div className="flex items-center justify-between text-sm text-muted">
              {s.label}
              <s.icon className="size-4 text-subtle" aria-hidden />
            </div>
            <div className="mt-2 text-3xl font-semibold tabular" data-testid={`stat-${s.label.toLowerCase()}`}>
              {s.value}
            </div>
          </Card>
        ))}
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader title="Where to go" description="The sections your roles open." />
          <ul className="grid gap-px bg-border sm:grid-cols-2">
            {sections.map((s) => (
              <li key={s.href} className="bg-surface">
                <Link href={s.href} className="group flex items-center gap-3 px-5 py-4 hover:bg-surface-2/60">
                  <s.icon className="size-5 text-accent" aria-hidden />
                  <span className="min-w-0 flex-1">
                    <span className="block text-sm font-medium">{s.label}</span>
                    <span className="block text-xs text-muted">{s.description}</span>
                  </span>
                  <ArrowRight className="size-4 text-subtle transition-transform group-hover:translate-x-0.5" aria-hidden />
                </Link>
              </li>
            ))}
          </ul>
        </Card>

        <Card>
          <CardHeader title="Platform status" description={health.sandbox ? "Sandbox integrations" : "Connected integrations"} />
          <ul className="divide-y divide-border" data-testid="platform-status">
            <li className="flex items-center gap-3 px-5 py-3 text-sm">
              <Database className="size-4 text-subtle" aria-hidden />
              <span className="flex-1">Database</span>
              <Badge tone={health.database.ok ? "success" : "danger"}>{health.database.mode}</Badge>
            </li>
            {(Object.entries(health.integrations) as [string, { mode: string; ok: boolean; detail: string }][]).map(([name, status]) => (
              <li key={name} className="flex items-center gap-3 px-5 py-3 text-sm" title={status.detail}>
                {status.ok ? <CheckCircle2 className="size-4 text-success" aria-hidden /> : <CircleAlert className="size-4 text-danger" aria-hidden />}
                <span className="flex-1 capitalize">{name === "argocd" ? "Argo CD" : name === "github" ? "GitHub" : name}</span>
                <Badge tone={status.mode === "sandbox" ? "neutral" : status.ok ? "success" : "danger"}>{status.mode}</Badge>
              </li>
            ))}
          </ul>
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className={activity ? "lg:col-span-1" : "lg:col-span-3"}>
          <CardHeader title="Your teams' services" description={actor.grants.map((g) => g.teamSlug).filter((v, i, a) => a.indexOf(v) === i).join(", ") || "No team yet"} />
          {myServices.length ? (
            <ul className="divide-y divide-border">
              {myServices.map((s) => (
                <li key={s.id} className="flex items-center gap-3 px-5 py-2.5 text-sm">
                  <span className="size-2 rounded-full" style={{ background: s.team.color }} aria-hidden />
                  <span className="flex-1 font-medium">{s.name}</span>
                  <span className="text-xs text-subtle">{s.strategy.replace("_", "-")}</span>
                </li>
              ))}
            </ul>
          ) : (
            <EmptyState title="No services yet" className="py-8">
              Your teams own no services. They appear here when added in Services.
            </EmptyState>
          )}
        </Card>
        {activity ? (
          <Card className="lg:col-span-2">
            <CardHeader
              title="Recent activity"
              actions={
                <Link href="/audit" className="text-sm text-accent hover:underline">
                  Audit trail →
                </Link>
              }
            />
            <CardBody className="p-0">
              <ul className="divide-y divide-border" data-testid="recent-activity">
                {activity.items.map((e) => (
                  <li key={e.seq} className="flex items-center gap-3 px-5 py-2.5 text-sm">
                    <Avatar name={e.actor.login} login={e.actor.login} size={22} />
                    <span className="min-w-0 flex-1 truncate">
                      <span className="font-medium">{e.actor.login}</span> <span className="text-muted">{describeAction(e.action)}</span>{" "}
                      {e.target.label && !(e.target.type === "user" && e.target.label === e.actor.login) ? <span className="font-medium">{e.target.label}</span> : null}
                    </span>
                    <time className="shrink-0 text-xs text-subtle" dateTime={e.createdAt} title={e.createdAt}>
                      {relativeTime(e.createdAt)}
                    </time>
                  </li>
                ))}
              </ul>
            </CardBody>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
