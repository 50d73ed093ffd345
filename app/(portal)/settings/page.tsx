import type { Metadata } from "next";
import { Check } from "lucide-react";
import { Avatar } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { requireActor } from "@/lib/core/auth/session";
import { PERMISSIONS, ROLE_DEFINITIONS, permissionsOf } from "@/lib/core/permissions";

export const metadata: Metadata = { title: "Profile" };

export default async function ProfilePage() {
  const actor = await requireActor();
  const granted = new Set(permissionsOf(actor.grants));
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <Card className="lg:col-span-1">
        <div className="flex items-center gap-4 px-5 py-5">
          <Avatar name={actor.name} login={actor.login} src={actor.avatarUrl} size={48} />
          <div>
            <div className="text-base font-semibold" data-testid="profile-name">
              {actor.name}
            </div>
            <div className="text-sm text-muted">@{actor.login}</div>
            {actor.isDemo ? (
              <Badge tone="warning" className="mt-1">
                demo user
              </Badge>
            ) : null}
          </div>
        </div>
        <div className="border-t border-border px-5 py-4">
          <h2 className="mb-2 text-xs font-medium uppercase tracking-wide text-subtle">Roles</h2>
          <ul className="space-y-3" data-testid="profile-roles">
            {actor.grants.map((g) => {
              const def = ROLE_DEFINITIONS[g.role];
              return (
                <li key={`${g.role}-${g.teamId}`}>
                  <div className="flex items-center gap-2 text-sm font-medium">
                    {def.title}
                    <Badge>{def.scope === "team" ? `team ${g.teamSlug}` : `organisation · home team ${g.teamSlug}`}</Badge>
                  </div>
                  <p className="mt-0.5 text-xs text-muted">{def.description}</p>
                </li>
              );
            })}
            {actor.grants.length === 0 ? <li className="text-sm text-muted">No role yet. A platform admin can give you one in Settings → Teams.</li> : null}
          </ul>
        </div>
      </Card>
      <Card className="lg:col-span-2">
        <CardHeader title="What you can do" description="Permissions come from your roles; every API route and page checks them on the server." />
        <ul className="grid gap-px bg-border sm:grid-cols-2">
          {(Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).map((p) => {
            const has = granted.has(p);
            return (
              <li key={p} className="flex items-start gap-3 bg-surface px-5 py-3" data-permission={p} data-granted={has}>
                <span className={has ? "mt-0.5 text-success" : "mt-0.5 text-subtle"} aria-hidden>
                  {has ? <Check className="size-4" /> : <span className="inline-block size-4 text-center">–</span>}
                </span>
                <span>
                  <code className={has ? "font-mono text-xs text-foreground" : "font-mono text-xs text-subtle"}>{p}</code>
                  <span className={has ? "block text-sm" : "block text-sm text-subtle"}>{PERMISSIONS[p]}</span>
                </span>
                <span className="sr-only">{has ? "granted" : "not granted"}</span>
              </li>
            );
          })}
        </ul>
      </Card>
    </div>
  );
}
