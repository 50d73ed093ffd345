import { Badge } from "@/components/ui/badge";
import type { Strategy } from "@/lib/services/schemas";

export const STRATEGY: Record<Strategy, { label: string; tone: "info" | "accent" | "warning"; description: string }> = {
  rolling: { label: "rolling", tone: "info", description: "Replaces pods a few at a time." },
  blue_green: { label: "blue-green", tone: "accent", description: "Starts the new version beside the old one, then switches traffic at once." },
  canary: { label: "canary", tone: "warning", description: "Shifts traffic to the new version in steps, checking health at each." },
};

export function StrategyBadge({ strategy, steps }: { strategy: Strategy; steps?: readonly number[] }) {
  const s = STRATEGY[strategy];
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      <Badge tone={s.tone} title={s.description}>
        {s.label}
      </Badge>
      {steps?.length ? <span className="whitespace-nowrap text-[11px] text-subtle tabular">{steps.join(" → ")} %</span> : null}
    </span>
  );
}
