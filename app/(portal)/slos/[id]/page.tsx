import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft, Download, GanttChartSquare, Pencil } from "lucide-react";
import { relativeTime } from "@/components/audit/format";
import { OutcomeBadge } from "@/components/delivery/status";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { NoAccess } from "@/components/shell/no-access";
import { BudgetChart } from "@/components/slos/budget-chart";
import { AlertConditions, BurnRateTable } from "@/components/slos/burn-rates";
import { budgetAmount, burnRateOf, formatBurnRate, formatMinutes, formatPercent } from "@/components/slos/model";
import { DeleteSloButton } from "@/components/slos/slo-actions";
import { SlosNav } from "@/components/slos/slos-nav";
import { AlertBadge, AutomationLabel, BudgetBar, FreshnessNote, RiskBadge } from "@/components/slos/status";
import { can, canOnTeam } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { logger } from "@/lib/core/logger";
import { listDeployments, type DeploymentDto } from "@/lib/delivery";
import { listIncidents, type IncidentDto } from "@/lib/incidents";
import { metricsSource } from "@/lib/metrics";
import { burnRateRules, errorBudget, getSlo, liveStatus, recordName, sloBurnDown, type RuleSlo, type SloDto } from "@/lib/slos";
import { WINDOW_HOURS } from "@/lib/slos/rules";

export const metadata: Metadata = { title: "SLO" };

async function load(id: string): Promise<SloDto | null> {
  try {
    return await getSlo(db(), id, { status: liveStatus(metricsSource(), { totals: true }) });
  } catch (e) {
    if (isAppError(e) && (e.code === "not_found" || e.code === "invalid_input")) return null;
    throw e;
  }
}

/** Deployments and incidents are context: the page still shows the budget when they cannot be read. */
async function orEmpty<T>(what: string, read: () => Promise<{ items: T[] }>): Promise<T[] | null> {
  try {
    return (await read()).items;
  } catch (e) {
    logger.warn({ err: e }, `could not read ${what} for an SLO page`);
    return null;
  }
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className="px-5 py-4" data-testid={testId}>
      <div className="text-xs font-medium uppercase tracking-wide text-subtle">{label}</div>
      <div className="mt-2">{children}</div>
    </Card>
  );
}

function Query({ label, query }: { label: string; query: string | null }) {
  if (!query) return null;
  return (
    <div>
      <dt className="text-xs font-medium text-subtle">{label}</dt>
      <dd className="mt-1">
        <pre className="overflow-x-auto whitespace-pre-wrap break-all rounded-md border border-border bg-surface-2/60 px-3 py-2 font-mono text-xs">{query}</pre>
      </dd>
    </div>
  );
}

/** The SLO's window back from now (read per request, so the page is always current). */
function windowOf(window: SloDto["window"]): { from: string; to: string } {
  const to = Date.now();
  return { from: new Date(to - WINDOW_HOURS[window] * 3_600_000).toISOString(), to: new Date(to).toISOString() };
}

const at = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default async function SloPage({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "slos.read")) return <NoAccess permission="slos.read" />;
  const { id } = await params;
  const slo = await load(id);
  if (!slo) notFound();

  const rule: RuleSlo = {
    id: slo.id,
    name: slo.name,
    displayName: slo.displayName,
    service: slo.service.name,
    kind: slo.kind,
    objective: slo.objective,
    window: slo.window,
    sli: slo.sli,
    environment: slo.environment,
    alerting: slo.alerting,
    automation: slo.automation,
  };
  const { from, to } = windowOf(slo.window);
  const [burn, deployments, allIncidents, team] = await Promise.all([
    sloBurnDown(metricsSource(), rule),
    orEmpty<DeploymentDto>("deployments", () => listDeployments(db(), { service: slo.service.name, environment: slo.environment, from, to, limit: 500 })),
    orEmpty<IncidentDto>("incidents", () => listIncidents(db(), { service: slo.service.name, from, to, limit: 200 })),
    db().team.findUnique({ where: { slug: slo.service.team.slug }, select: { id: true } }),
  ]);
  const incidents = allIncidents?.filter((i) => i.environment === slo.environment && (i.slo === null || i.slo === slo.name)) ?? null;
  const canEdit = team !== null && canOnTeam(actor, "slos.define", team.id);
  const status = slo.status;
  const rules = burnRateRules(slo.window);
  const amount = budgetAmount(status);
  const burn1h = burnRateOf(status, "1h");
  const last1h = status?.burnRates.find((b) => b.window === "1h")?.errorRatio ?? null;
  const label = slo.displayName || `${slo.service.name} ${slo.name}`;

  return (
    <div className="space-y-6">
      <SlosNav active="overview" />
      <Link href="/slos" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> SLOs
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex items-center gap-2 text-sm text-muted">
            <span className="size-2.5 rounded-full" style={{ background: slo.ownerTeam.color }} aria-hidden />
            <span>{slo.ownerTeam.name}</span>
            <span aria-hidden>·</span>
            <Link href={`/services/${slo.service.name}`} className="font-mono text-xs hover:underline">
              {slo.service.name}
            </Link>
          </div>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight" data-testid="slo-title">
            {label}
          </h1>
          <p className="mt-1 text-sm text-muted">
            {formatPercent(slo.objective, 4)} {slo.kind === "availability" ? "of requests without a server error" : `of requests within ${slo.sli.source === "http" ? `${slo.sli.thresholdSeconds} s` : "the threshold"}`} over a rolling {slo.window}, in{" "}
            {slo.environment} · <code className="font-mono text-xs">{slo.name}</code>
          </p>
          {slo.description ? <p className="mt-1 max-w-2xl text-sm text-muted">{slo.description}</p> : null}
        </div>
        <div className="flex flex-wrap gap-2">
          <a
            href={`/api/v1/slos/${slo.id}/rules`}
            download={`${slo.service.name}-${slo.name}.rules.yaml`}
            className="inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2"
            data-testid="download-rules"
          >
            <Download className="size-4" aria-hidden /> Rules
          </a>
          {canEdit ? (
            <Link href={`/slos/${slo.id}/edit`} className="inline-flex h-9 items-center gap-2 rounded-md border border-border-strong bg-surface px-4 text-sm font-medium shadow-sm hover:bg-surface-2" data-testid="edit-slo">
              <Pencil className="size-4" aria-hidden /> Edit
            </Link>
          ) : null}
          {canEdit ? <DeleteSloButton id={slo.id} label={`${slo.service.name}/${slo.name}`} revision={slo.revision} /> : null}
        </div>
      </div>

      <FreshnessNote freshness={slo.freshness} />

      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat label="SLI now" testId="slo-sli">
          <div className="flex items-baseline gap-2">
            <span className={`tabular text-2xl font-semibold ${status?.sli !== null && status?.sli !== undefined && status.sli < slo.objective ? "text-danger" : ""}`}>{formatPercent(status?.sli, 3)}</span>
            <span className="text-xs text-subtle">target {formatPercent(slo.objective, 4)}</span>
          </div>
          <p className="mt-1 text-xs text-muted">
            over the last {slo.window}
            {last1h !== null ? ` · last hour ${formatPercent((1 - last1h) * 100, 3)}` : ""}
          </p>
        </Stat>
        <Stat label="Error budget left" testId="slo-budget">
          <BudgetBar status={status} />
          <p className="mt-1 text-xs text-muted">
            {status ? `${formatPercent(errorBudget(slo.objective) * 100, 4)} of events may fail` : "no data yet"}
            {status && amount?.unit === "requests" && status.budget.remaining.minutes !== null ? ` · ${formatMinutes(status.budget.remaining.minutes)} of full outage` : ""}
          </p>
        </Stat>
        <Stat label="Burn rate (1 h)" testId="slo-burn">
          <span className="tabular text-2xl font-semibold">{formatBurnRate(burn1h)}</span>
          <p className="mt-1 text-xs text-muted">
            {status?.exhaustsInHours !== null && status?.exhaustsInHours !== undefined
              ? status.exhaustsInHours === 0
                ? "the budget is already spent"
                : `at this rate the budget is gone in ${formatMinutes(status.exhaustsInHours * 60)}`
              : "1× spends the budget exactly over the window"}
          </p>
        </Stat>
        <Stat label="Alert state" testId="slo-alert">
          <div className="flex flex-wrap items-center gap-2">
            <AlertBadge status={status} alerting={slo.alerting} />
            <RiskBadge status={status} />
          </div>
          <p className="mt-1 text-xs text-muted">{status?.risk.reason ?? "No status: see above."}</p>
        </Stat>
      </div>

      <Card>
        <CardHeader
          title={`Error budget over the last ${slo.window}`}
          description="What is left of the window's budget after the bad events so far, against an even spend; deployments of the service in this environment and its incidents on the same time axis."
        />
        <CardBody>
          <FreshnessNote freshness={burn.freshness.stale && burn.points.length ? burn.freshness : null} className="mb-3" />
          {burn.points.length ? (
            <BudgetChart
              points={burn.points}
              start={burn.start}
              end={burn.end}
              deployments={(deployments ?? []).map((d) => ({ id: d.id, t: Date.parse(d.startedAt), version: d.version, kind: d.kind, outcome: d.outcome }))}
              incidents={(incidents ?? []).map((i) => ({ id: i.id, number: i.number, start: Date.parse(i.startedAt), end: i.resolvedAt ? Date.parse(i.resolvedAt) : null }))}
            />
          ) : (
            <div data-testid="budget-chart-empty">
              <EmptyState icon={GanttChartSquare} title="No burn-down to draw">
                {burn.freshness.error ? `The metrics source gave nothing for this SLO: ${burn.freshness.error}` : `There are no events for ${slo.service.name} in ${slo.environment} over the last ${slo.window} yet.`}
              </EmptyState>
            </div>
          )}
        </CardBody>
      </Card>

      <div className="grid items-start gap-6 xl:grid-cols-2">
        <Card>
          <CardHeader title="Burn rate per window" description="The error ratio over each window divided by the error budget; the marks are the page (red) and ticket (amber) thresholds that window takes part in." />
          <BurnRateTable status={status} rules={rules} window={slo.window} />
        </Card>
        <Card>
          <CardHeader
            title="Alert conditions now"
            description={slo.alerting ? "Each pair must hold over both windows for the generated alert to fire." : "Alerting is off for this SLO: recording rules only, no alert is sent."}
            actions={
              <span className="text-xs text-muted">
                on page: <AutomationLabel automation={slo.automation} />
              </span>
            }
          />
          <AlertConditions status={status} rules={rules} alerting={slo.alerting} />
        </Card>
      </div>

      <div className="grid items-start gap-6 xl:grid-cols-2">
        <Card>
          <CardHeader title="Deployments" description={`${slo.service.name} in ${slo.environment}, over the window.`} actions={<Link href={`/delivery/timeline?service=${slo.service.name}&environment=${slo.environment}&range=30d`} className="text-sm text-accent hover:underline">Timeline</Link>} />
          {deployments === null ? (
            <CardBody>
              <p className="text-sm text-muted">The deployments could not be read just now.</p>
            </CardBody>
          ) : deployments.length === 0 ? (
            <CardBody>
              <p className="text-sm text-muted">No deployments in the window.</p>
            </CardBody>
          ) : (
            <Table data-testid="slo-deployments">
              <THead>
                <Tr>
                  <Th>Started</Th>
                  <Th>Version</Th>
                  <Th>Outcome</Th>
                  <Th>By</Th>
                </Tr>
              </THead>
              <TBody>
                {deployments.slice(0, 20).map((d) => (
                  <Tr key={d.id}>
                    <Td className="whitespace-nowrap text-xs" title={at(d.startedAt)}>
                      {relativeTime(d.startedAt)}
                    </Td>
                    <Td className="font-mono text-xs">
                      {d.previousVersion ?? "—"} → {d.version}
                      {d.kind === "rollback" ? (
                        <Badge tone="warning" className="ml-2">
                          rollback
                        </Badge>
                      ) : null}
                    </Td>
                    <Td>
                      <OutcomeBadge outcome={d.outcome} />
                    </Td>
                    <Td className="text-xs text-muted">{d.actor}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
        <Card>
          <CardHeader title="Incidents" description={`Pages for ${slo.service.name} in ${slo.environment}, over the window.`} />
          {incidents === null ? (
            <CardBody>
              <p className="text-sm text-muted">The incidents could not be read just now.</p>
            </CardBody>
          ) : incidents.length === 0 ? (
            <CardBody>
              <p className="text-sm text-muted">No incidents in the window.</p>
            </CardBody>
          ) : (
            <Table data-testid="slo-incidents">
              <THead>
                <Tr>
                  <Th>Incident</Th>
                  <Th>Started</Th>
                  <Th>Status</Th>
                  <Th>Recovered in</Th>
                </Tr>
              </THead>
              <TBody>
                {incidents.map((i) => (
                  <Tr key={i.id}>
                    <Td className="text-sm">
                      <Link href={`/slos/incidents/${i.id}`} className="font-medium text-accent hover:underline" data-testid={`slo-incident-${i.number}`}>
                        #{i.number}
                      </Link>{" "}
                      <span className="text-xs text-muted">{i.summary || i.alertname}</span>
                    </Td>
                    <Td className="whitespace-nowrap text-xs" title={at(i.startedAt)}>
                      {relativeTime(i.startedAt)}
                    </Td>
                    <Td>{i.status === "open" ? <Badge tone="danger">open</Badge> : <Badge tone="success">resolved</Badge>}</Td>
                    <Td className="tabular text-xs">{i.mttrSeconds !== null ? formatMinutes(i.mttrSeconds / 60) : "—"}</Td>
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      </div>

      <Card>
        <CardHeader title="How this is computed" description="The definitions behind every number on this page, and the PromQL that measures them." />
        <CardBody className="space-y-5" data-testid="slo-definitions">
          <ul className="list-disc space-y-1 pl-5 text-sm text-muted">
            <li>
              <strong className="text-foreground">Error ratio</strong> over a window = bad events / all events
              {slo.kind === "latency" ? " (bad: slower than the threshold, i.e. all requests minus those in its histogram bucket)" : " (bad: answers whose code matches the error codes)"}.
            </li>
            <li>
              <strong className="text-foreground">Error budget</strong> = 1 − objective = {formatPercent(errorBudget(slo.objective) * 100, 4)} of events; over {slo.window} that is{" "}
              {status?.budget.total.requests !== null && status?.budget.total.requests !== undefined ? `${Math.round(status.budget.total.requests).toLocaleString("en")} requests, or ` : ""}
              {formatMinutes(WINDOW_HOURS[slo.window] * 60 * errorBudget(slo.objective))} of full outage.
            </li>
            <li>
              <strong className="text-foreground">Burn rate</strong> = error ratio / error budget: 1× spends the budget exactly over {slo.window}; 14.4× over an hour spends 2% of a 30-day budget.
            </li>
            <li>
              <strong className="text-foreground">Budget left</strong> = 1 − (error ratio over {slo.window} / error budget); in requests, the budget&apos;s requests minus the bad ones; in minutes, the
              window&apos;s budget minutes × the share left.
            </li>
            <li>
              <strong className="text-foreground">Risk</strong>: budget spent when nothing is left; critical when a page condition holds; warning when a ticket condition holds or under 25% is left;
              otherwise ok.
            </li>
            <li>
              <strong className="text-foreground">Burn-down</strong>: the window in steps; at each, what is left after the bad events since the window began, of a budget set by all the window&apos;s
              events.
            </li>
          </ul>
          <dl className="grid gap-4 lg:grid-cols-2">
            <Query label={`Bad events over ${slo.window}`} query={slo.queries.bad} />
            <Query label={`Good events over ${slo.window}`} query={slo.queries.good} />
            <Query label={`All events over ${slo.window}`} query={slo.queries.total} />
            <Query label={`Error ratio over ${slo.window}`} query={slo.queries.errorRatio} />
          </dl>
          <p className="text-sm text-muted">
            The generated rules record the error ratio as <code className="font-mono text-xs">{recordName("<window>")}</code> labelled <code className="font-mono text-xs">slo_id=&quot;{slo.id}&quot;</code> for
            5m, 30m, 1h, 2h, 6h, 1d, 3d and {slo.window}.{" "}
            {slo.freshness
              ? slo.freshness.computedFrom === "recording-rules"
                ? "The numbers above come from those recorded series in Prometheus."
                : `The numbers above come from the SLI's own queries (${slo.freshness.source === "sandbox" ? "the sandbox simulates the HTTP metrics, not recorded series" : "Prometheus does not have this SLO's rules yet: commit them and load monitoring/slos/*.yaml"}).`
              : null}
            {slo.freshness?.fetchedAt ? ` Measured ${relativeTime(slo.freshness.fetchedAt)}.` : null}
          </p>
        </CardBody>
      </Card>
    </div>
  );
}
