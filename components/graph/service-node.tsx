"use client";

// One service on the canvas: team colour on the left edge, name, team and wave, strategy badge
// and environment count. Memoised: xyflow hands it a new `data` only when what it draws changed.
// Handles: left = "depends on" (a dependency's arrow arrives here), right = "needed by" (arrows to
// dependents leave here). Dragging right-handle → left-handle draws "A → B": B depends on A.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { Layers } from "lucide-react";
import { memo } from "react";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import type { ServiceFlowNode } from "./flow";
import { STRATEGY_LABEL } from "./model";

// Rings by the wrapper's emphasis class (see NODE_CLASS in flow.ts), so emphasis changes never re-render a card.
const RING = [
  "border-border-strong",
  "in-[.is-selected]:border-accent in-[.is-selected]:ring-2 in-[.is-selected]:ring-accent",
  "in-[.is-upstream]:border-info in-[.is-upstream]:ring-2 in-[.is-upstream]:ring-info/60",
  "in-[.is-downstream]:border-success in-[.is-downstream]:ring-2 in-[.is-downstream]:ring-success/60",
  "in-[.is-cycle]:border-danger in-[.is-cycle]:ring-2 in-[.is-cycle]:ring-danger in-[.is-cycle]:bg-danger-soft",
  "in-[.is-dimmed]:border-border",
  // Keyboard focus on the node wrapper (xyflow removes its outline).
  "in-[.selectable:focus-visible]:ring-2 in-[.selectable:focus-visible]:ring-ring",
].join(" ");

// xyflow's own stylesheet is not in a cascade layer, so these need `!` to win over it.
const HANDLE = "!size-3 !rounded-full !border-2 !border-surface !bg-subtle transition-transform hover:!scale-150 hover:!bg-accent";
const HANDLE_OFF = "!size-2 !border-0 !bg-transparent !pointer-events-none";

function ServiceNodeView({ data }: NodeProps<ServiceFlowNode>) {
  const { service, team, wave, connect } = data;
  const strategy = STRATEGY_LABEL[service.strategy];
  const envs = service.environments.length;
  return (
    <div
      className={cn(
        "group/node relative flex h-full w-full flex-col justify-center gap-0.5 rounded-lg border border-l-4 bg-surface py-2 pl-3 pr-4 text-left shadow-sm",
        "hover:shadow-md",
        RING,
      )}
      style={{ borderLeftColor: team?.color }}
      title={service.description || undefined}
    >
      <Handle
        type="target"
        position={Position.Left}
        isConnectable={Boolean(connect?.to)}
        className={connect?.to ? HANDLE : HANDLE_OFF}
        title={connect?.to ? `${service.name} depends on…: drag to the service it needs (that one deploys first)` : undefined}
        aria-label={connect?.to ? `Add a dependency of ${service.name}` : undefined}
        {...(connect?.to ? { "data-testid": `handle-target-${service.name}` } : {})}
      />
      <div className="truncate text-sm font-semibold leading-5 text-foreground">{service.name}</div>
      <div className="truncate text-[11px] leading-4 text-muted">
        {team?.name ?? service.team} · wave {wave}
      </div>
      <div className="flex min-w-0 items-center gap-2 text-[11px] leading-4 text-muted">
        <Badge tone={strategy.tone} className="px-1.5 py-0 text-[10px] leading-4">
          {strategy.label}
        </Badge>
        <span className="inline-flex items-center gap-1 whitespace-nowrap" title={service.environments.join(", ") || "No environments"}>
          <Layers className="size-3" aria-hidden />
          {envs} env{envs === 1 ? "" : "s"}
        </span>
      </div>
      <Handle
        type="source"
        position={Position.Right}
        isConnectable={Boolean(connect?.from)}
        className={connect?.from ? HANDLE : HANDLE_OFF}
        title={connect?.from ? `Needed by…: drag to a service that depends on ${service.name} (${service.name} deploys first)` : undefined}
        aria-label={connect?.from ? `Add a service that depends on ${service.name}` : undefined}
        {...(connect?.from ? { "data-testid": `handle-source-${service.name}` } : {})}
      />
    </div>
  );
}

export const ServiceNode = memo(ServiceNodeView);
