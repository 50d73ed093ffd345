"use client";

// A run as it happens: waves → services → steps (migrate, commit, sync, rollout; after a failure
// the rollback steps, dependents first), each with its status, what it did (the commit, the
// engine's phase, the canary weights reached) and how long it took; the run's status and message
// (paused while the engine is unreachable, rolling back…), and a clear final state.
import { CheckCircle2, Clock3, GitCommitHorizontal, PauseCircle, RotateCcw, XCircle } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { relativeTime } from "@/components/audit/format";
import { StrategyBadge } from "@/components/services/strategy";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import type { RunDto, ServiceDiffDto, StepDto } from "@/lib/delivery/schemas";
import type { Strategy } from "@/lib/services/schemas";
import { ACTIVE_RUN_STATUSES, RunStatusBadge, StepStatusIcon, formatDuration } from "./status";
import { RollbackRunButton } from "./rollback-button";
import { useNow } from "./use-now";

const STEP_LABEL: Record<string, string> = {
  integration_tests: "Integration tests",
  migrate: "Run migrations",
  commit: "Commit to git",
  sync: "Sync",
  rollout: "Roll out",
  rollback_commit: "Revert in git",
  rollback_sync: "Sync",
  rollback_rollout: "Roll back",
};

const str = (d: Record<string, unknown>, key: string): string | null => (typeof d[key] === "string" && d[key] ? (d[key] as string) : null);
const nums = (d: Record<string, unknown>, key: string): number[] => (Array.isArray(d[key]) ? (d[key] as unknown[]).filter((x): x is number => typeof x === "number") : []);
const strs = (d: Record<string, unknown>, key: string): string[] => (Array.isArray(d[key]) ? (d[key] as unknown[]).filter((x): x is string => typeof x === "string") : []);

/**
 * The canary weights a rollout reached: those it paused at, and the last step (100 %) once it
 * completed (a canary completes at its last step without pausing there).
 */
export function reachedWeights(step: Pick<StepDto, "status" | "detail">, trafficSteps: readonly number[]): number[] {
  const weights = nums(step.detail, "weights");
  const last = trafficSteps.at(-1) ?? 100;
  if (step.status === "succeeded" && weights.at(-1) !== last) return [...weights, last];
  return weights;
}

function CanaryProgress({ service, steps, reached, status }: { service: string; steps: number[]; reached: number[]; status: string }) {
  const all = steps.length ? steps : [10, 50, 100];
  const max = Math.max(0, ...reached);
  return (
    <div className="mt-1 flex flex-wrap items-center gap-2">
      <ol className="flex items-center gap-1" aria-label="Canary traffic steps">
        {all.map((w, i) => {
          const done = reached.includes(w) || (w <= max && reached.length > 0);
          const current = status === "running" && w === max;
          return (
            <li key={w} className="flex items-center gap-1">
              {i > 0 ? <span className={cn("h-0.5 w-4 rounded", done ? "bg-success" : "bg-border-strong")} aria-hidden /> : null}
              <span
                className={cn(
                  "rounded-full border px-1.5 py-px font-mono text-[10px] font-semibold tabular",
                  done ? "border-success bg-success-soft text-success" : "border-border-strong text-subtle",
                  current && "ring-2 ring-accent/40",
                  status === "failed" && w > max && "border-danger/40 text-danger/60",
                )}
                data-reached={done ? "true" : "false"}
              >
                {w}%
              </span>
            </li>
          );
        })}
      </ol>
      <span className="text-[11px] text-muted">
        reached{" "}
        <span className="font-mono font-medium text-foreground" data-testid={`canary-weights-${service}`}>
          {reached.length ? reached.map((w) => `${w}%`).join(" → ") : "—"}
        </span>
      </span>
    </div>
  );
}

function StepDetail({ step, diff }: { step: StepDto; diff: ServiceDiffDto | undefined }) {
  const d = step.detail;
  const parts: ReactNode[] = [];
  const sha = str(d, "sha") ?? str(d, "revision");
  switch (step.kind) {
    case "migrate": {
      const scripts = strs(d, "scripts");
      if (scripts.length) parts.push(<span key="s">{scripts.map((s) => <code key={s} className="mr-1 font-mono">{s}</code>)}</span>);
      if (str(d, "mode")) parts.push(<span key="m">{str(d, "mode")}</span>);
      break;
    }
    case "commit":
    case "rollback_commit": {
      const from = str(d, "from");
      const version = str(d, "version");
      if (version) parts.push(<span key="v" className="font-mono">{from ? `${from} → ${version}` : version}</span>);
      if (str(d, "via")) parts.push(<span key="via">via {str(d, "via")}</span>);
      if (d.alreadyPinned === true) parts.push(<span key="p">already pinned in git</span>);
      break;
    }
    case "sync":
    case "rollback_sync":
      if (str(d, "application")) parts.push(<code key="a" className="font-mono">{str(d, "application")}</code>);
      if (str(d, "operation")) parts.push(<span key="o">operation {str(d, "operation")}</span>);
      if (d.alreadySynced === true) parts.push(<span key="as">already synced</span>);
      break;
    case "integration_tests": {
      const check = d.check as { kind?: string; workflow?: string; repository?: string; url?: string } | undefined;
      if (check?.kind === "workflow") parts.push(<span key="w" className="font-mono">{`${check.workflow} in ${check.repository}`}</span>);
      else if (check?.kind === "http") parts.push(<span key="u" className="font-mono">{`GET ${check.url}`}</span>);
      if (str(d, "reason")) parts.push(<span key="r">{str(d, "reason")}</span>);
      else if (str(d, "phase")) parts.push(<span key="ph" data-testid="phase-integration-tests">{str(d, "phase")}</span>);
      if (str(d, "url")) {
        parts.push(
          <a key="l" href={str(d, "url")!} className="text-accent hover:underline" target="_blank" rel="noreferrer">
            the run
          </a>,
        );
      }
      break;
    }
    default:
      if (str(d, "phase")) parts.push(<span key="ph" data-testid={`phase-${step.service}`}>{str(d, "phase")}</span>);
      if (str(d, "message") && str(d, "message") !== str(d, "phase")) parts.push(<span key="msg">{str(d, "message")}</span>);
  }
  if (sha && (step.kind.endsWith("commit") || step.kind.endsWith("sync"))) {
    parts.push(
      <span key="sha" className="inline-flex items-center gap-0.5 font-mono" title={sha}>
        <GitCommitHorizontal className="size-3" aria-hidden />
        {sha.slice(0, 7)}
      </span>,
    );
  }
  const error = str(d, "error");
  const canary = step.kind === "rollout" && (diff?.strategy === "canary" || str(d, "strategy") === "canary");
  return (
    <div className="min-w-0 text-xs text-muted">
      {parts.length ? (
        <div className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
          {parts.map((p, i) => (
            <span key={i} className="inline-flex items-center gap-2">
              {i > 0 ? <span className="text-subtle">·</span> : null}
              {p}
            </span>
          ))}
        </div>
      ) : null}
      {canary ? <CanaryProgress service={step.service} steps={diff?.trafficSteps ?? []} reached={reachedWeights(step, diff?.trafficSteps ?? [])} status={step.status} /> : null}
      {error ? <p className="mt-0.5 text-danger">{error}</p> : null}
    </div>
  );
}

function stepDuration(step: StepDto, now: number): string | null {
  if (!step.startedAt) return null;
  const end = step.finishedAt ? new Date(step.finishedAt).getTime() : now;
  return formatDuration(end - new Date(step.startedAt).getTime());
}

/** A service's state across its steps: failed, running, succeeded, or pending. */
function serviceStatus(steps: StepDto[]): string {
  if (steps.some((s) => s.status === "failed")) return "failed";
  if (steps.some((s) => s.status === "running")) return "running";
  if (steps.every((s) => s.status === "skipped")) return "skipped";
  if (steps.every((s) => s.status === "succeeded" || s.status === "skipped")) return "succeeded";
  if (steps.some((s) => s.status === "succeeded")) return "running";
  return "pending";
}

function group(steps: StepDto[]): { wave: number; services: { service: string; steps: StepDto[] }[] }[] {
  const waves = new Map<number, Map<string, StepDto[]>>();
  for (const s of steps) {
    const w = waves.get(s.wave) ?? new Map<string, StepDto[]>();
    w.set(s.service, [...(w.get(s.service) ?? []), s]);
    waves.set(s.wave, w);
  }
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([wave, services]) => ({ wave, services: [...services.entries()].map(([service, list]) => ({ service, steps: list })) }));
}

function Phase({ steps, diffs, now, prefix }: { steps: StepDto[]; diffs: Map<string, ServiceDiffDto>; now: number; prefix: "run" | "rollback" }) {
  return (
    <ol className="space-y-4">
      {group(steps).map(({ wave, services }) => (
        <li key={wave} data-testid={`${prefix}-wave-${wave}`}>
          <h4 className="mb-2 text-xs font-medium uppercase tracking-wide text-subtle">
            {wave === 0 ? (
              "Before the first wave"
            ) : (
              <>
                Wave {wave} <span className="font-normal normal-case">· {services.length === 1 ? "1 service" : `${services.length} services in parallel`}</span>
              </>
            )}
          </h4>
          <div className="grid gap-3 lg:grid-cols-2">
            {services.map(({ service, steps: list }) => {
              const status = serviceStatus(list);
              const diff = diffs.get(service);
              return (
                <section
                  key={service}
                  className={cn(
                    "rounded-md border bg-surface p-3",
                    status === "failed" ? "border-danger/50" : status === "running" ? "border-accent/50" : status === "succeeded" ? "border-success/40" : "border-border",
                  )}
                  data-testid={`${prefix}-service-${service}`}
                  data-status={status}
                  aria-label={`${service}: ${status}`}
                >
                  <header className="mb-2 flex items-center justify-between gap-2">
                    <span className="flex items-center gap-2">
                      <StepStatusIcon status={status} />
                      {wave === 0 ? (
                        <span className="text-sm font-medium">Cross-service integration tests</span>
                      ) : (
                        <Link href={`/services/${service}`} className="font-mono text-sm font-medium hover:underline">
                          {service}
                        </Link>
                      )}
                      {diff?.strategy ? <StrategyBadge strategy={diff.strategy as Strategy} /> : null}
                    </span>
                    {diff ? (
                      <span className="font-mono text-xs text-muted">
                        {prefix === "rollback" ? `${diff.toVersion} → ${diff.fromVersion ?? "—"}` : `${diff.fromVersion ?? "—"} → ${diff.toVersion}`}
                      </span>
                    ) : null}
                  </header>
                  <ol className="space-y-1.5">
                    {list.map((step) => (
                      <li key={step.position} className="flex items-start gap-2" data-testid={`step-${service}-${step.kind}`} data-status={step.status}>
                        <StepStatusIcon status={step.status} className="mt-0.5" />
                        <div className="min-w-0 flex-1">
                          <div className="flex items-baseline justify-between gap-2">
                            <span className={cn("text-sm", step.status === "pending" || step.status === "skipped" ? "text-subtle" : "text-foreground")}>
                              {STEP_LABEL[step.kind] ?? step.kind}
                              {step.status === "skipped" ? <span className="ml-1 text-xs">(skipped)</span> : null}
                              {step.attempts > 1 ? <span className="ml-1 text-xs text-warning">attempt {step.attempts}</span> : null}
                            </span>
                            <span className="shrink-0 text-[11px] tabular text-subtle" suppressHydrationWarning>
                              {stepDuration(step, now)}
                            </span>
                          </div>
                          <StepDetail step={step} diff={diff} />
                        </div>
                      </li>
                    ))}
                  </ol>
                </section>
              );
            })}
          </div>
        </li>
      ))}
    </ol>
  );
}

const FINAL: Record<string, { icon: typeof CheckCircle2; className: string; title: string }> = {
  succeeded: { icon: CheckCircle2, className: "border-success/40 bg-success-soft text-success", title: "The run succeeded: every service is live and healthy." },
  failed: { icon: XCircle, className: "border-danger/40 bg-danger-soft text-danger", title: "The run failed." },
  rolled_back: { icon: RotateCcw, className: "border-warning/40 bg-warning-soft text-warning", title: "The run failed and was rolled back." },
};

export function RunView({
  run,
  diffs,
  environment,
  services,
  canRollBack,
}: {
  run: RunDto;
  diffs: ServiceDiffDto[];
  environment: string;
  services: { name: string; fromVersion: string | null; toVersion: string }[];
  /** promotions.execute, and this is not itself a rollback. */
  canRollBack: boolean;
}) {
  const active = ACTIVE_RUN_STATUSES.has(run.status);
  const now = useNow(1000, active);
  const byService = new Map(diffs.map((d) => [d.service, d]));
  const deploy = run.steps.filter((s) => !s.kind.startsWith("rollback_"));
  const rollback = run.steps.filter((s) => s.kind.startsWith("rollback_"));
  const end = run.finishedAt ? new Date(run.finishedAt).getTime() : now;
  const final = FINAL[run.status];
  const FinalIcon = final?.icon;
  const touched = [...new Set(run.steps.filter((s) => s.wave > 0).map((s) => s.service))];
  const timeline = `/delivery/timeline?environment=${encodeURIComponent(environment)}${touched.length === 1 ? `&service=${encodeURIComponent(touched[0]!)}` : ""}&range=24h`;

  return (
    <Card data-testid="run" data-status={run.status}>
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            Run <RunStatusBadge status={run.status} />
          </span>
        }
        description={
          <span suppressHydrationWarning>
            Started by {run.startedBy} {relativeTime(run.startedAt)} · {formatDuration(end - new Date(run.startedAt).getTime())}
            {run.finishedAt ? "" : " so far"}
          </span>
        }
        actions={
          <Link href={timeline} className="text-sm text-accent hover:underline" data-testid="run-timeline-link">
            Timeline
          </Link>
        }
      />
      <CardBody className="space-y-5">
        {final && FinalIcon ? (
          <div className={cn("flex items-start gap-3 rounded-md border px-4 py-3", final.className)} data-testid="run-final" data-status={run.status}>
            <FinalIcon className="mt-0.5 size-5 shrink-0" aria-hidden />
            <div className="text-sm">
              <p className="font-semibold">{final.title}</p>
              {run.message ? <p className="mt-0.5 text-foreground/80" data-testid="run-message">{run.message}</p> : null}
              <p className="mt-1">
                <Link href={timeline} className="font-medium underline underline-offset-2">
                  See it on the deployment timeline
                </Link>
              </p>
            </div>
            {canRollBack && (run.status === "succeeded" || run.status === "failed") && run.steps.some((s) => s.kind === "commit" && s.status === "succeeded") ? (
              <div className="ml-auto shrink-0">
                <RollbackRunButton run={run} environment={environment} services={services} />
              </div>
            ) : null}
          </div>
        ) : run.message ? (
          <div
            className={cn(
              "flex items-start gap-2 rounded-md border px-4 py-3 text-sm",
              run.status === "paused" || run.status === "rolling_back" ? "border-warning/40 bg-warning-soft text-warning" : "border-info/30 bg-info-soft text-info",
            )}
            data-testid="run-message"
          >
            {run.status === "paused" ? <PauseCircle className="mt-0.5 size-4 shrink-0" aria-hidden /> : run.status === "rolling_back" ? <RotateCcw className="mt-0.5 size-4 shrink-0" aria-hidden /> : <Clock3 className="mt-0.5 size-4 shrink-0" aria-hidden />}
            <span>
              <span className="font-semibold">{run.status.replace(/_/g, " ")}:</span> {run.message}
            </span>
          </div>
        ) : run.status === "queued" ? (
          <p className="text-sm text-muted">Queued: a worker picks it up in a moment.</p>
        ) : null}

        <section aria-label="Deployment steps">
          <Phase steps={deploy} diffs={byService} now={now} prefix="run" />
        </section>
        {rollback.length ? (
          <section aria-label="Rollback steps" className="border-t border-border pt-4" data-testid="rollback">
            <h3 className="mb-3 flex items-center gap-2 text-sm font-semibold">
              <RotateCcw className="size-4 text-warning" aria-hidden /> Rollback <span className="font-normal text-muted">· dependents first, back to the versions before</span>
            </h3>
            <Phase steps={rollback} diffs={byService} now={now} prefix="rollback" />
          </section>
        ) : null}
      </CardBody>
    </Card>
  );
}
