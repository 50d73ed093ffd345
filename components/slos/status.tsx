// How SLO states look everywhere they appear: risk, alert state, budget bar, automation and the
// freshness of the numbers. One table per vocabulary, as components/delivery/status.tsx does.
import { AlertTriangle, BellRing, CircleHelp, CircleSlash, Clock, Flame, ShieldCheck, Ticket, WifiOff, type LucideIcon } from "lucide-react";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { SloFreshness, SloStatus } from "@/lib/slos/schemas";
import { alertStateOf, budgetAmount, formatPercent, freshnessNote, riskOf, type AlertState, type RiskLevel } from "./model";

type Tone = NonNullable<BadgeProps["tone"]>;

export const RISK: Record<RiskLevel, { label: string; tone: Tone; icon: LucideIcon; bar: string }> = {
  exhausted: { label: "budget spent", tone: "danger", icon: CircleSlash, bar: "bg-danger" },
  critical: { label: "critical", tone: "danger", icon: Flame, bar: "bg-danger" },
  warning: { label: "warning", tone: "warning", icon: AlertTriangle, bar: "bg-warning" },
  ok: { label: "ok", tone: "success", icon: ShieldCheck, bar: "bg-success" },
  unknown: { label: "no data", tone: "neutral", icon: CircleHelp, bar: "bg-subtle" },
};

export function RiskBadge({ status, className }: { status: SloStatus | null; className?: string }) {
  const level = riskOf(status);
  const r = RISK[level];
  const Icon = r.icon;
  return (
    <Badge tone={r.tone} data-risk={level} title={status?.risk.reason} className={className}>
      <Icon className="size-3" aria-hidden /> {r.label}
    </Badge>
  );
}

const ALERT: Record<AlertState, { label: string; tone: Tone; icon: LucideIcon }> = {
  page: { label: "paging", tone: "danger", icon: BellRing },
  ticket: { label: "ticket", tone: "warning", icon: Ticket },
  quiet: { label: "quiet", tone: "neutral", icon: ShieldCheck },
  unknown: { label: "—", tone: "neutral", icon: CircleHelp },
};

/** Whether the burn-rate alerts' conditions hold now (with alerting off: what they would say). */
export function AlertBadge({ status, alerting }: { status: SloStatus | null; alerting: boolean }) {
  const state = alertStateOf(status);
  if (state === "unknown") return <span className="text-subtle">—</span>;
  const a = ALERT[state];
  const Icon = a.icon;
  return (
    <Badge tone={alerting ? a.tone : "neutral"} data-alert={state} title={alerting ? undefined : "Alerting is off for this SLO: no alert would be sent."}>
      <Icon className="size-3" aria-hidden /> {a.label}
      {alerting ? null : <span className="text-subtle">(off)</span>}
    </Badge>
  );
}

/** The share of the budget left as a bar, with the amount in requests or minutes. */
export function BudgetBar({ status, compact, className }: { status: SloStatus | null; compact?: boolean; className?: string }) {
  const left = status?.budget.remainingPercent ?? null;
  if (left === null) return <span className="text-subtle">—</span>;
  const level = riskOf(status);
  const amount = budgetAmount(status);
  const width = Math.max(0, Math.min(100, left));
  return (
    <div className={cn("min-w-32", className)} data-testid="budget-left">
      <div className="flex items-baseline justify-between gap-2">
        <span className={cn("tabular text-sm font-medium", left <= 0 && "text-danger")}>{formatPercent(left, 1)}</span>
        {amount ? (
          <span className="tabular text-xs text-muted" title={`${amount.left} of ${amount.of} left`}>
            {amount.left}
            {compact ? null : <span className="text-subtle"> of {amount.of}</span>}
          </span>
        ) : null}
      </div>
      <div className="mt-1 h-1.5 w-full overflow-hidden rounded-full bg-surface-2" role="meter" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(width)} aria-label="Error budget left">
        <div className={cn("h-full rounded-full", RISK[level].bar)} style={{ width: `${width}%` }} />
      </div>
    </div>
  );
}

export const AUTOMATION: Record<string, { label: string; description: string }> = {
  "auto-rollback": { label: "auto-rollback", description: "Roll back the service's last deployment when the SLO pages." },
  "auto-scale": { label: "auto-scale", description: "Scale the service up by a commit to the GitOps repository when the SLO pages." },
  restart: { label: "restart", description: "Restart the service's workload through the GitOps engine when the SLO pages." },
  none: { label: "none", description: "Page people; run nothing." },
};

export function AutomationLabel({ automation }: { automation: string }) {
  if (automation === "none") return <span className="text-xs text-subtle">none</span>;
  return (
    <code className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-[11px]" title={AUTOMATION[automation]?.description}>
      {automation}
    </code>
  );
}

/** "As of 4 minutes ago (Prometheus unreachable)", or why there are no numbers; nothing when fresh. */
export function FreshnessNote({ freshness, className }: { freshness: SloFreshness | null; className?: string }) {
  const note = freshnessNote(freshness);
  if (!note) return null;
  const Icon = note.tone === "warning" ? Clock : WifiOff;
  return (
    <p
      className={cn(
        "flex items-start gap-2 rounded-md border px-3 py-2 text-sm",
        note.tone === "warning" ? "border-warning/30 bg-warning-soft text-warning" : "border-danger/30 bg-danger-soft text-danger",
        className,
      )}
      data-testid="slo-freshness"
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>{note.text}</span>
    </p>
  );
}
