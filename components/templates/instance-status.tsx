import { Badge, type BadgeProps } from "@/components/ui/badge";

const STATUS: Record<string, { label: string; tone: BadgeProps["tone"] }> = {
  queued: { label: "queued", tone: "info" },
  running: { label: "running", tone: "accent" },
  pull_request_open: { label: "pull request open", tone: "warning" },
  completed: { label: "completed", tone: "success" },
  failed: { label: "failed", tone: "danger" },
};

export function InstanceStatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, tone: "neutral" as const };
  return (
    <Badge tone={s.tone} data-status={status}>
      {s.label}
    </Badge>
  );
}
