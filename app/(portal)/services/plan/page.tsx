import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeft, ListOrdered } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Input, Label, NativeSelect } from "@/components/ui/input";
import { PlanView, type PlanServiceInfo } from "@/components/services/plan-view";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { PlanBody, graphRevision, loadDependencyGraph, planFor, type PlanDto } from "@/lib/services";

export const metadata: Metadata = { title: "Deployment planner" };

type Search = Record<string, string | string[] | undefined>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";
const list = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

export default async function PlannerPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "services.read")) return <NoAccess permission="services.read" />;
  const search = await searchParams;
  const [environments, loaded, state, teams] = await Promise.all([
    db().environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true } }),
    loadDependencyGraph(db()),
    graphRevision(db()),
    db().team.findMany({ select: { id: true, name: true, color: true } }),
  ]);
  const form = {
    environment: first(search.environment) || environments.at(-1)?.name || "production",
    action: first(search.action) === "rollback" ? "rollback" : "deploy",
    services: first(search.services),
    changedFiles: first(search.changedFiles),
    includeDependents: first(search.includeDependents) === "true",
  };
  let plan: PlanDto | null = null;
  let error: string | null = null;
  const parsed = PlanBody.safeParse({
    environment: form.environment,
    action: form.action,
    ...(form.services.trim() ? { services: list(form.services) } : {}),
    ...(form.changedFiles.trim() ? { changedFiles: list(form.changedFiles) } : {}),
    includeDependents: form.includeDependents,
  });
  if (!parsed.success) error = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  else if (!environments.some((e) => e.name === form.environment)) error = `There is no environment "${form.environment}".`;
  else {
    try {
      plan = planFor(loaded.graph, loaded.services, parsed.data, state.revision);
    } catch (e) {
      if (!isAppError(e)) throw e;
      error = e.message;
    }
  }
  const teamOf = new Map(teams.map((t) => [t.id, t]));
  const info: Record<string, PlanServiceInfo> = {};
  for (const s of loaded.services) {
    const t = teamOf.get(s.teamId);
    info[s.name] = { strategy: s.strategy, trafficSteps: [], teamColor: t?.color ?? "var(--border)", teamName: t?.name ?? "" };
  }
  const total = plan?.waves.reduce((n, w) => n + w.length, 0) ?? 0;

  return (
    <div className="space-y-6">
      <Link href="/services" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Services
      </Link>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Deployment planner</h1>
        <p className="mt-1 max-w-3xl text-sm text-muted">
          The order a deployment or rollback follows through the dependency graph: each wave deploys in parallel once the waves before it are healthy. Name services, paste
          the files a change touched, or leave both empty to plan the whole environment.
        </p>
      </div>
      <Card>
        <CardBody>
          <form method="get" className="grid gap-4 lg:grid-cols-[1fr_1fr_2fr]" data-testid="plan-form">
            <div className="space-y-3">
              <div>
                <Label htmlFor="plan-env">Environment</Label>
                <NativeSelect id="plan-env" name="environment" defaultValue={form.environment} className="mt-1">
                  {environments.map((e) => (
                    <option key={e.name} value={e.name}>
                      {e.displayName}
                    </option>
                  ))}
                </NativeSelect>
              </div>
              <div>
                <Label htmlFor="plan-action">Action</Label>
                <NativeSelect id="plan-action" name="action" defaultValue={form.action} className="mt-1">
                  <option value="deploy">Deploy (dependencies first)</option>
                  <option value="rollback">Roll back (dependents first)</option>
                </NativeSelect>
              </div>
            </div>
            <div className="space-y-3">
              <div>
                <Label htmlFor="plan-services">Services</Label>
                <Input id="plan-services" name="services" defaultValue={form.services} placeholder="all of them" list="plan-service-names" className="mt-1" />
                <datalist id="plan-service-names">
                  {loaded.graph.names.slice(0, 2000).map((n) => (
                    <option key={n} value={n} />
                  ))}
                </datalist>
                <p className="mt-1 text-xs text-subtle">Comma-separated.</p>
              </div>
              <label className="flex items-center gap-2 text-sm">
                <input type="checkbox" name="includeDependents" value="true" defaultChecked={form.includeDependents} />
                Include everything that depends on them
              </label>
            </div>
            <div>
              <Label htmlFor="plan-files">Changed files</Label>
              <textarea
                id="plan-files"
                name="changedFiles"
                defaultValue={form.changedFiles}
                placeholder={"services/backend-api/src/app.ts\nservices/ledger/schema.sql"}
                className="mt-1 h-24 w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs"
              />
              <div className="mt-2 flex justify-end">
                <Button type="submit">
                  <ListOrdered /> Plan
                </Button>
              </div>
            </div>
          </form>
        </CardBody>
      </Card>
      {error ? (
        <p className="rounded-md border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger" role="alert" data-testid="plan-error">
          {error}
        </p>
      ) : null}
      {plan ? (
        <Card>
          <CardHeader
            title={`${plan.action === "rollback" ? "Rollback" : "Deployment"} of ${total} service${total === 1 ? "" : "s"} to ${plan.environment} in ${plan.waves.length} wave${plan.waves.length === 1 ? "" : "s"}`}
            description={
              <>
                Graph revision {plan.revision}
                {plan.dependents.length ? ` · ${plan.dependents.length} added because they depend on what changed` : ""}
                {plan.skipped.length ? ` · skipped: ${plan.skipped.map((s) => `${s.service} (${s.reason})`).join(", ")}` : ""}
              </>
            }
          />
          <CardBody className="space-y-4">
            {plan.changes ? (
              <div className="text-sm" data-testid="plan-changes">
                <p className="font-medium">From the changed files</p>
                <ul className="mt-1 space-y-0.5 text-xs text-muted">
                  {Object.entries(plan.changes.matches).map(([service, files]) => (
                    <li key={service}>
                      <code className="font-mono text-foreground">{service}</code> ← {files.slice(0, 5).join(", ")}
                      {files.length > 5 ? ` and ${files.length - 5} more` : ""}
                    </li>
                  ))}
                  {plan.changes.unmatched.length ? <li>No service owns: {plan.changes.unmatched.slice(0, 10).join(", ")}</li> : null}
                </ul>
              </div>
            ) : null}
            <PlanView plan={plan} info={info} />
          </CardBody>
        </Card>
      ) : null}
    </div>
  );
}
