// How incident, remediation and decision states look everywhere they appear, one table per
// vocabulary (the words are in model.ts), as components/slos/status.tsx does for SLOs.
import {
  Ban,
  BellRing,
  CheckCircle2,
  CircleDashed,
  CircleDot,
  Clock,
  FlaskConical,
  Hand,
  Info,
  Loader2,
  ShieldAlert,
  ShieldCheck,
  XCircle,
  type LucideIcon,
} from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { RemediationDto } from "@/lib/incidents/schemas";
import { decisionOutcome, GUARDRAILS, guardrailLabel, REMEDIATION_STATUS } from "./model";

export function IncidentStatusBadge({ status, className }: { status: string; className?: string }) {
  return status === "open" ? (
    <Badge tone="danger" data-status="open" className={className}>
      <BellRing className="size-3" aria-hidden /> open
    </Badge>
  ) : (
    <Badge tone="success" data-status="resolved" className={className}>
      <CheckCircle2 className="size-3" aria-hidden /> resolved
    </Badge>
  );
}

const REMEDIATION_ICON: Record<RemediationDto["status"], { icon: LucideIcon; spin?: boolean }> = {
  pending_approval: { icon: Hand },
  queued: { icon: CircleDashed },
  running: { icon: Loader2, spin: true },
  succeeded: { icon: CheckCircle2 },
  failed: { icon: XCircle },
  suppressed: { icon: Ban },
  dry_run: { icon: FlaskConical },
  cancelled: { icon: CircleDot },
};

export function RemediationStatusBadge({ status, className }: { status: RemediationDto["status"]; className?: string }) {
  const s = REMEDIATION_STATUS[status] ?? { label: status, tone: "neutral" as const };
  const i = REMEDIATION_ICON[status] ?? { icon: CircleDot };
  const Icon = i.icon;
  return (
    <Badge tone={s.tone} data-status={status} data-testid="remediation-status" className={className}>
      <Icon className={cn("size-3", i.spin && "animate-spin")} aria-hidden /> {s.label}
    </Badge>
  );
}

/** A guardrail by name, in words, with what it means on hover. */
export function GuardrailBadge({ guardrail }: { guardrail: string | null }) {
  const label = guardrailLabel(guardrail);
  if (!guardrail || !label) return null;
  return (
    <Badge tone="neutral" title={GUARDRAILS[guardrail]?.description} data-guardrail={guardrail}>
      <ShieldAlert className="size-3" aria-hidden /> {label}
    </Badge>
  );
}

const OUTCOME_ICON: Record<string, { icon: LucideIcon; className: string }> = {
  taken: { icon: ShieldCheck, className: "text-success" },
  suppressed: { icon: Ban, className: "text-warning" },
  pending_approval: { icon: Hand, className: "text-warning" },
  dry_run: { icon: FlaskConical, className: "text-info" },
  no_action: { icon: Clock, className: "text-subtle" },
  failed: { icon: XCircle, className: "text-danger" },
  info: { icon: Info, className: "text-subtle" },
};

export function DecisionIcon({ outcome, kind }: { outcome: string; kind: string }) {
  const base = kind === "opened" ? { icon: BellRing, className: "text-danger" } : kind === "resolved" ? { icon: CheckCircle2, className: "text-success" } : (OUTCOME_ICON[outcome] ?? OUTCOME_ICON.info!);
  const Icon = base.icon;
  return <Icon className={cn("size-4 shrink-0", base.className)} aria-hidden />;
}

export function DecisionOutcomeBadge({ outcome }: { outcome: string }) {
  const o = decisionOutcome(outcome);
  if (!o.label) return null;
  return (
    <Badge tone={o.tone} data-outcome={outcome}>
      {o.label}
    </Badge>
  );
}
