// A promotion's gates (the summary renders inside a card header's <p>: spans only): each with an icon for its status, what it checks, why it passes or blocks,
// and the details behind that (the policies that deny, the services that are not healthy…).
import { AlertTriangle, CheckCircle2, CircleMinus, Clock, Timer, XCircle, type LucideIcon } from "lucide-react";
import { cn } from "@/components/ui/cn";
import type { PromotionDto } from "@/lib/delivery/schemas";

type Gate = PromotionDto["gates"][number];

const GATE: Record<Gate["status"], { icon: LucideIcon; className: string; label: string; row: string }> = {
  passed: { icon: CheckCircle2, className: "text-success", label: "passed", row: "" },
  blocked: { icon: XCircle, className: "text-danger", label: "blocked", row: "bg-danger-soft/50" },
  pending: { icon: Clock, className: "text-warning", label: "pending", row: "bg-warning-soft/50" },
  warning: { icon: AlertTriangle, className: "text-warning", label: "warning", row: "" },
  skipped: { icon: CircleMinus, className: "text-subtle", label: "skipped", row: "" },
  scheduled: { icon: Timer, className: "text-info", label: "at run start", row: "" },
};

export function GateSummary({ gates, ready, ran }: { gates: Gate[]; ready: boolean; ran: boolean }) {
  const closed = gates.filter((g) => g.status === "blocked" || g.status === "pending");
  if (ready) {
    return (
      <span className="flex items-center gap-2 text-sm font-medium text-success" data-testid="gates-summary">
        <CheckCircle2 className="size-4" aria-hidden /> {ran ? "Every gate was open when the run started." : "Every gate is open: it can run."}
        {!ran && gates.some((g) => g.status === "scheduled") ? <span className="font-normal text-muted">(The integration tests run first.)</span> : null}
      </span>
    );
  }
  return (
    <span className="flex items-start gap-2 text-sm font-medium text-warning" data-testid="gates-summary">
      <Clock className="mt-0.5 size-4 shrink-0" aria-hidden />
      <span>Waiting for {closed.map((g) => `${g.title.toLowerCase()} (${g.status})`).join(", ")}.</span>
    </span>
  );
}

export function GateList({ gates }: { gates: Gate[] }) {
  return (
    <ul className="divide-y divide-border" data-testid="gates">
      {gates.map((g) => {
        const s = GATE[g.status] ?? GATE.skipped;
        const Icon = s.icon;
        return (
          <li key={g.id} className={cn("flex gap-3 px-5 py-3", s.row)} data-testid={`gate-${g.id}`} data-status={g.status}>
            <Icon className={cn("mt-0.5 size-5 shrink-0", s.className)} aria-hidden />
            <div className="min-w-0 flex-1">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <span className="text-sm font-medium">{g.title}</span>
                <span className={cn("text-xs font-medium uppercase tracking-wide", s.className)}>{s.label}</span>
              </div>
              <p className="text-sm text-muted">{g.message}</p>
              {g.details.length ? (
                <ul className="mt-1 space-y-0.5 text-xs text-muted">
                  {g.details.map((d, i) => (
                    <li key={i} className="font-mono">
                      {d}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
