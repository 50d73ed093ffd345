// How delivery states look everywhere they appear: promotions, runs, steps, health, sync and
// deployment outcomes. One table per vocabulary, so a state reads the same on every page.
import {
  CheckCircle2,
  CircleDashed,
  CircleHelp,
  CircleMinus,
  GitCompareArrows,
  HeartCrack,
  HeartPulse,
  Loader2,
  PauseCircle,
  RefreshCw,
  RotateCcw,
  XCircle,
  type LucideIcon,
} from "lucide-react";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";

type Tone = NonNullable<BadgeProps["tone"]>;

const PROMOTION: Record<string, { label: string; tone: Tone }> = {
  pending_approval: { label: "awaiting approval", tone: "warning" },
  approved: { label: "approved", tone: "info" },
  rejected: { label: "rejected", tone: "danger" },
  running: { label: "running", tone: "accent" },
  succeeded: { label: "succeeded", tone: "success" },
  failed: { label: "failed", tone: "danger" },
  rolled_back: { label: "rolled back", tone: "warning" },
  cancelled: { label: "cancelled", tone: "neutral" },
};

export function PromotionStatusBadge({ status, className }: { status: string; className?: string }) {
  const s = PROMOTION[status] ?? { label: status.replace(/_/g, " "), tone: "neutral" as const };
  return (
    <Badge tone={s.tone} data-status={status} className={className}>
      {s.label}
    </Badge>
  );
}

const RUN: Record<string, { label: string; tone: Tone; icon: LucideIcon; spin?: boolean }> = {
  queued: { label: "queued", tone: "info", icon: CircleDashed },
  running: { label: "running", tone: "accent", icon: Loader2, spin: true },
  paused: { label: "paused", tone: "warning", icon: PauseCircle },
  rolling_back: { label: "rolling back", tone: "warning", icon: RotateCcw },
  succeeded: { label: "succeeded", tone: "success", icon: CheckCircle2 },
  failed: { label: "failed", tone: "danger", icon: XCircle },
  rolled_back: { label: "rolled back", tone: "warning", icon: RotateCcw },
};

export const ACTIVE_RUN_STATUSES = new Set(["queued", "running", "paused", "rolling_back"]);

export function RunStatusBadge({ status }: { status: string }) {
  const s = RUN[status] ?? { label: status.replace(/_/g, " "), tone: "neutral" as const, icon: CircleHelp };
  const Icon = s.icon;
  return (
    <Badge tone={s.tone} data-status={status} data-testid="run-status">
      <Icon className={cn("size-3", s.spin && "animate-spin")} aria-hidden /> {s.label}
    </Badge>
  );
}

const STEP: Record<string, { icon: LucideIcon; className: string; label: string }> = {
  pending: { icon: CircleDashed, className: "text-subtle", label: "pending" },
  running: { icon: Loader2, className: "animate-spin text-accent", label: "running" },
  succeeded: { icon: CheckCircle2, className: "text-success", label: "succeeded" },
  failed: { icon: XCircle, className: "text-danger", label: "failed" },
  skipped: { icon: CircleMinus, className: "text-subtle", label: "skipped" },
};

export function StepStatusIcon({ status, className }: { status: string; className?: string }) {
  const s = STEP[status] ?? { icon: CircleHelp, className: "text-subtle", label: status };
  const Icon = s.icon;
  return <Icon className={cn("size-4 shrink-0", s.className, className)} aria-label={s.label} role="img" />;
}

export const HEALTH: Record<string, { icon: LucideIcon; className: string; spin?: boolean }> = {
  Healthy: { icon: HeartPulse, className: "text-success" },
  Progressing: { icon: RefreshCw, className: "text-info", spin: true },
  Degraded: { icon: HeartCrack, className: "text-danger" },
  Suspended: { icon: PauseCircle, className: "text-warning" },
  Missing: { icon: CircleDashed, className: "text-subtle" },
  Unknown: { icon: CircleHelp, className: "text-subtle" },
};

export function HealthLabel({ health, message, compact }: { health: string; message?: string | null; compact?: boolean }) {
  const h = HEALTH[health] ?? HEALTH.Unknown!;
  const Icon = h.icon;
  return (
    <span className={cn("inline-flex items-center gap-1 text-xs font-medium", h.className)} title={message ?? health} data-health={health}>
      <Icon className={cn("size-3.5 shrink-0", h.spin && "animate-spin [animation-duration:2s]")} aria-hidden />
      {compact ? <span className="sr-only">{health}</span> : health}
    </span>
  );
}

export function SyncLabel({ sync }: { sync: string }) {
  if (sync === "OutOfSync") {
    return (
      <Badge tone="danger" title="The cluster differs from what git says: drift" data-sync={sync}>
        <GitCompareArrows className="size-3" aria-hidden /> drift
      </Badge>
    );
  }
  if (sync === "Synced") {
    return (
      <span className="inline-flex items-center gap-1 text-xs text-muted" data-sync={sync}>
        <CheckCircle2 className="size-3" aria-hidden /> synced
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1 text-xs text-subtle" data-sync={sync}>
      <CircleHelp className="size-3" aria-hidden /> {sync.toLowerCase()}
    </span>
  );
}

/** Deployment outcomes: the timeline's bar colours and the matrix's last-deployment dot. */
export const OUTCOME: Record<string, { label: string; bar: string; dot: string; tone: Tone }> = {
  succeeded: { label: "succeeded", bar: "bg-success/85 border-success", dot: "bg-success", tone: "success" },
  failed: { label: "failed", bar: "bg-danger/85 border-danger", dot: "bg-danger", tone: "danger" },
  rolled_back: { label: "rolled back", bar: "bg-warning/80 border-warning", dot: "bg-warning", tone: "warning" },
  in_progress: { label: "in progress", bar: "bg-accent/70 border-accent", dot: "bg-accent", tone: "accent" },
};

export function outcomeOf(outcome: string) {
  return OUTCOME[outcome] ?? { label: outcome.replace(/_/g, " "), bar: "bg-subtle border-subtle", dot: "bg-subtle", tone: "neutral" as const };
}

export function OutcomeBadge({ outcome }: { outcome: string }) {
  const o = outcomeOf(outcome);
  return (
    <Badge tone={o.tone} data-outcome={outcome}>
      {o.label}
    </Badge>
  );
}

/** "ghcr.io/acme/frontend:3.2.0" → "3.2.0". */
export function imageTag(image: string | null): string | null {
  if (!image) return null;
  const at = image.lastIndexOf(":");
  return at > image.lastIndexOf("/") ? image.slice(at + 1) : null;
}

export function formatDuration(ms: number): string {
  if (ms < 0) return "—";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, "0")}m`;
}
