"use client";

// A promotion's page: what it changes (the diff of each overlay file), how it will go (the waves,
// each service's strategy and migrations), whether it may (the gates), who said so (approvals),
// and the run, live. Polled every second while the run is active, every few seconds before.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, ArrowRight, Check, FileDiff, ListOrdered, Play, ShieldAlert, ShieldCheck, X } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { DiffView } from "@/components/code/code-view";
import { PlanView, type PlanServiceInfo } from "@/components/services/plan-view";
import { StrategyBadge } from "@/components/services/strategy";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import type { PromotionDto } from "@/lib/delivery/schemas";
import type { PlanDto, Strategy } from "@/lib/services/schemas";
import { GateList, GateSummary } from "./gates";
import { RunView } from "./run-view";
import { ACTIVE_RUN_STATUSES, PromotionStatusBadge } from "./status";

export interface PromotionViewProps {
  initial: PromotionDto;
  me: string;
  canApprove: boolean;
  canExecute: boolean;
  /** Per service: its team (for the plan) and its strategy today (a rollback's diff records none). */
  services: Record<string, { teamColor: string; teamName: string; strategy: Strategy; trafficSteps: number[] }>;
  environments: Record<string, { displayName: string; protected: boolean }>;
}

function ErrorBox({ error, testId }: { error: unknown; testId: string }) {
  if (!error) return null;
  const message = error instanceof ApiError ? error.message : (error as Error).message;
  return (
    <div className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" data-testid={testId}>
      {message}
    </div>
  );
}

function Approvals({ promotion, me, canApprove }: { promotion: PromotionDto; me: string; canApprove: boolean }) {
  const qc = useQueryClient();
  const [comment, setComment] = useState("");
  const decide = useMutation({
    mutationFn: (decision: "approve" | "reject") => api<PromotionDto>(`/api/v1/promotions/${promotion.id}/${decision}`, { method: "POST", body: { comment: comment.trim() } }),
    onSuccess: (p, decision) => {
      qc.setQueryData(["promotion", p.id], p);
      void qc.invalidateQueries({ queryKey: ["delivery"] });
      setComment("");
      toast.success(decision === "approve" ? `You approved promotion #${p.number}.` : `You rejected promotion #${p.number}.`);
    },
  });
  const open = promotion.status === "pending_approval" || promotion.status === "approved";
  const mine = promotion.requestedBy.toLowerCase() === me.toLowerCase();
  const myDecision = promotion.approvals.find((a) => a.login.toLowerCase() === me.toLowerCase());
  return (
    <Card data-testid="approvals">
      <CardHeader
        title="Approvals"
        description={
          promotion.requiredApprovals
            ? `${promotion.requiredApprovals} approval${promotion.requiredApprovals > 1 ? "s" : ""} from a release manager other than ${promotion.requestedBy}.`
            : `${promotion.environment} needs no approval.`
        }
      />
      <CardBody className="space-y-3">
        {promotion.approvals.length ? (
          <ul className="space-y-2" data-testid="approval-list">
            {promotion.approvals.map((a) => (
              <li key={a.login} className="flex items-start gap-2 text-sm" data-testid={`approval-${a.login}`}>
                {a.decision === "approve" ? <Check className="mt-0.5 size-4 text-success" aria-hidden /> : <X className="mt-0.5 size-4 text-danger" aria-hidden />}
                <div className="min-w-0">
                  <span className="font-medium">{a.login}</span> {a.decision === "approve" ? "approved" : "rejected"}{" "}
                  <span className="text-xs text-subtle" title={new Date(a.createdAt).toLocaleString()} suppressHydrationWarning>
                    {relativeTime(a.createdAt)}
                  </span>
                  {a.comment ? <p className="text-muted">“{a.comment}”</p> : null}
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted">No one has decided yet.</p>
        )}
        {open && canApprove && !mine ? (
          <div className="space-y-2 border-t border-border pt-3">
            <Input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} placeholder="Comment (optional)" aria-label="Comment" data-testid="approval-comment" />
            <div className="flex gap-2">
              <Button size="sm" onClick={() => decide.mutate("approve")} loading={decide.isPending && decide.variables === "approve"} disabled={decide.isPending} data-testid="approve">
                <Check aria-hidden /> {myDecision?.decision === "approve" ? "Approved" : "Approve"}
              </Button>
              <Button size="sm" variant="secondary" onClick={() => decide.mutate("reject")} loading={decide.isPending && decide.variables === "reject"} disabled={decide.isPending} data-testid="reject">
                <X aria-hidden /> Reject
              </Button>
            </div>
            <ErrorBox error={decide.error} testId="approval-error" />
          </div>
        ) : open && canApprove && mine ? (
          <p className="border-t border-border pt-3 text-xs text-muted" data-testid="self-approval-note">
            You asked for this promotion: another release manager approves it.
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}

export function PromotionView({ initial, me, canApprove, canExecute, services, environments }: PromotionViewProps) {
  const qc = useQueryClient();
  const { data: p } = useQuery({
    queryKey: ["promotion", initial.id],
    queryFn: () => api<PromotionDto>(`/api/v1/promotions/${initial.id}`),
    initialData: initial,
    refetchInterval: (q) => {
      const d = q.state.data;
      if (!d) return 5000;
      if (d.run && ACTIVE_RUN_STATUSES.has(d.run.status)) return 1000;
      if (d.status === "running") return 1000;
      if (d.status === "pending_approval" || d.status === "approved") return 5000;
      return false;
    },
  });
  const execute = useMutation({
    mutationFn: () => api<PromotionDto>(`/api/v1/promotions/${p.id}/execute`, { method: "POST" }),
    onSuccess: (next) => {
      qc.setQueryData(["promotion", next.id], next);
      void qc.invalidateQueries({ queryKey: ["delivery"] });
      toast.success(`Promotion #${next.number} is running.`);
    },
    // A refusal re-evaluated the gates: show them as they are now.
    onError: () => void qc.invalidateQueries({ queryKey: ["promotion", initial.id] }),
  });

  const target = environments[p.environment];
  // A rollback is a promotion of its own (kind "rollback", not in the DTO): it has no file diff.
  const isRollback = p.diff.every((d) => !d.patch) && p.reason.startsWith("Roll back");
  const source = p.sourceEnvironment ? environments[p.sourceEnvironment] : undefined;
  // Executors may always try: the server evaluates the gates again and says which ones are closed.
  const canRun = canExecute && !p.run && (p.status === "approved" || p.status === "pending_approval");
  // Waiting only for approvals: nothing to re-check until someone decides.
  const closed = p.gates.filter((g) => g.status === "blocked" || g.status === "pending");
  const awaitingApproval = !p.ready && closed.length > 0 && closed.every((g) => g.id === "approvals" && g.status === "pending");
  const plan: PlanDto = {
    environment: p.environment,
    action: isRollback ? "rollback" : "deploy",
    revision: 0,
    waves: p.plan.waves,
    blockedBy: p.plan.blockedBy,
    requested: p.services.map((s) => s.name),
    dependents: [],
    skipped: [],
    changes: null,
  };
  // What the promotion recorded, completed with the service's settings where it recorded none.
  const diffs = p.diff.map((d) => {
    const s = services[d.service];
    return d.strategy || !s ? d : { ...d, strategy: s.strategy, trafficSteps: s.trafficSteps };
  });
  const info: Record<string, PlanServiceInfo> = {};
  for (const d of diffs) {
    info[d.service] = { strategy: (d.strategy || "rolling") as Strategy, trafficSteps: d.trafficSteps, teamColor: services[d.service]?.teamColor ?? "var(--border)", teamName: services[d.service]?.teamName ?? "" };
  }

  return (
    <div className="space-y-6">
      <Link href="/delivery" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Delivery
      </Link>

      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0 space-y-1">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-2xl font-semibold tracking-tight" data-testid="promotion-title">
              Promotion #{p.number}
            </h1>
            <PromotionStatusBadge status={p.status} className="text-sm" />
          </div>
          <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="promotion-route">
            {p.sourceEnvironment ? (
              <>
                <span className="font-medium">{source?.displayName ?? p.sourceEnvironment}</span>
                <ArrowRight className="size-4 text-subtle" aria-hidden />
              </>
            ) : null}
            <span className="font-medium">{target?.displayName ?? p.environment}</span>
            {target?.protected ? (
              <Badge tone="warning">
                <ShieldAlert className="size-3" aria-hidden /> protected
              </Badge>
            ) : null}
            <span className="text-muted">
              · requested by <span className="font-medium text-foreground">{p.requestedBy}</span>{" "}
              <span title={new Date(p.createdAt).toLocaleString()} suppressHydrationWarning>
                {relativeTime(p.createdAt)}
              </span>
            </span>
          </div>
          {p.reason ? <p className="max-w-3xl text-sm text-muted">“{p.reason}”</p> : null}
          {p.budgetOverride ? <p className="text-sm text-warning">Error budget overridden: {p.budgetOverride}</p> : null}
          <ul className="flex flex-wrap gap-2 pt-1">
            {p.services.map((s) => (
              <li key={s.name} className="rounded-md border border-border bg-surface px-2 py-1 font-mono text-xs" data-testid={`promotion-service-${s.name}`}>
                <span className="font-medium">{s.name}</span> <span className="text-muted">{s.fromVersion ?? "—"}</span> → <span className="font-semibold">{s.toVersion}</span>
              </li>
            ))}
          </ul>
        </div>
        <div className="flex flex-col items-end gap-2">
          {canRun ? (
            <Button
              size="lg"
              variant={p.ready ? "primary" : "secondary"}
              onClick={() => execute.mutate()}
              loading={execute.isPending}
              disabled={awaitingApproval}
              title={
                p.ready
                  ? "Start the run"
                  : awaitingApproval
                    ? "It waits for approval"
                    : "The gates are evaluated again when you start it (an exception granted or a service healed since may open them)"
              }
              data-testid="run-promotion"
            >
              <Play aria-hidden /> {p.ready || awaitingApproval ? "Run" : "Re-check gates and run"}
            </Button>
          ) : null}
          <div className="max-w-sm">
            <ErrorBox error={execute.error} testId="run-error" />
          </div>
        </div>
      </div>

      {p.run ? <RunView run={p.run} diffs={diffs} environment={p.environment} services={p.services} canRollBack={canExecute && !isRollback} /> : null}

      <div className="grid items-start gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          <CardHeader
            title={
              <span className="inline-flex items-center gap-2">
                <ShieldCheck className="size-4 text-muted" aria-hidden /> Gates
              </span>
            }
            description={<GateSummary gates={p.gates} ready={p.ready} ran={p.run !== null} />}
          />
          <GateList gates={p.gates} />
        </Card>
        <Approvals promotion={p} me={me} canApprove={canApprove} />
      </div>

      <Card>
        <CardHeader
          title={
            <span className="inline-flex items-center gap-2">
              <ListOrdered className="size-4 text-muted" aria-hidden /> Plan
            </span>
          }
          description={`${p.plan.waves.length} wave${p.plan.waves.length === 1 ? "" : "s"}, ${isRollback ? "dependents" : "dependencies"} first: each wave starts once the one before it is healthy.`}
        />
        <CardBody className="space-y-4">
          <PlanView plan={plan} info={info} />
          <table className="w-full text-sm" data-testid="plan-details">
            <thead className="text-left text-xs uppercase tracking-wide text-subtle">
              <tr>
                <th className="py-1.5 pr-4 font-medium">Service</th>
                <th className="py-1.5 pr-4 font-medium">Strategy</th>
                <th className="py-1.5 pr-4 font-medium">Migrations (run first)</th>
                <th className="py-1.5 font-medium">Image</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {diffs.map((d) => (
                <tr key={d.service} data-testid={`plan-detail-${d.service}`} className="align-top">
                  <td className="py-2 pr-4 font-mono text-xs font-medium">{d.service}</td>
                  <td className="py-2 pr-4">{d.strategy ? <StrategyBadge strategy={d.strategy as Strategy} steps={d.strategy === "canary" ? d.trafficSteps : undefined} /> : <span className="text-subtle">—</span>}</td>
                  <td className="py-2 pr-4">
                    {d.migrationScripts.length ? (
                      <span className="flex flex-wrap gap-1">
                        {d.migrationScripts.map((m) => (
                          <code key={m} className="rounded bg-warning-soft px-1.5 py-0.5 font-mono text-xs text-warning" title="Runs before the new version (a PreSync hook of the sync)">
                            {m}
                          </code>
                        ))}
                      </span>
                    ) : (
                      <span className="text-xs text-subtle">none</span>
                    )}
                  </td>
                  <td className="py-2 font-mono text-xs text-muted">{d.image || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </CardBody>
      </Card>

      {isRollback ? null : (
      <Card>
        <CardHeader
          title={
            <span className="inline-flex items-center gap-2">
              <FileDiff className="size-4 text-muted" aria-hidden /> Diff
            </span>
          }
          description="The lines of each service's overlay that the promotion commits to the GitOps repository."
        />
        <CardBody className="space-y-5">
          {p.diff.map((d) => (
            <section key={d.service} data-testid={`diff-${d.service}`}>
              <div className="mb-2 flex flex-wrap items-baseline justify-between gap-2">
                <h3 className="flex items-baseline gap-2 text-sm">
                  <span className="font-mono font-semibold">{d.service}</span>
                  <span className="font-mono text-muted" data-testid={`diff-versions-${d.service}`}>
                    {d.fromVersion ?? "—"} → {d.toVersion}
                  </span>
                </h3>
                {d.file ? <code className="font-mono text-xs text-subtle">{d.file}</code> : null}
              </div>
              {d.image ? (
                <p className="mb-2 text-xs text-muted">
                  Image <code className="font-mono text-foreground">{d.image}</code>
                </p>
              ) : null}
              {d.patch ? <DiffView patch={d.patch} className="max-h-96" /> : <p className="text-sm text-subtle">No file diff recorded.</p>}
            </section>
          ))}
        </CardBody>
      </Card>
      )}
    </div>
  );
}
