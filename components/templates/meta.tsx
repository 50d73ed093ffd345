import { Blocks, Cloud, GitBranch, Layers, Workflow, type LucideIcon } from "lucide-react";
import { Badge, type BadgeProps } from "@/components/ui/badge";

export const TYPE_META: Record<string, { label: string; icon: LucideIcon }> = {
  "github-workflow": { label: "GitHub workflow", icon: Workflow },
  "github-action": { label: "GitHub action", icon: Blocks },
  "azure-pipeline": { label: "Azure pipeline", icon: Layers },
  terraform: { label: "Terraform", icon: Cloud },
  "gitops-app": { label: "GitOps app", icon: GitBranch },
};

const LIFECYCLE_TONE: Record<string, BadgeProps["tone"]> = {
  experimental: "info",
  stable: "success",
  deprecated: "warning",
  retired: "danger",
};

export function LifecycleBadge({ lifecycle }: { lifecycle: string | null }) {
  if (!lifecycle) return null;
  return (
    <Badge tone={LIFECYCLE_TONE[lifecycle] ?? "neutral"} data-lifecycle={lifecycle}>
      {lifecycle}
    </Badge>
  );
}

export function TypeLabel({ type }: { type: string }) {
  const meta = TYPE_META[type];
  if (!meta) return <span>{type}</span>;
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-muted">
      <meta.icon className="size-3.5" aria-hidden /> {meta.label}
    </span>
  );
}
