"use client";

// A dependency, drawn from the dependency to its dependent (the order they deploy in). When
// selected it shows what it means in words and, if the person may edit the dependent, a remove
// button (which opens the same confirmation as the Delete key).
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type EdgeProps } from "@xyflow/react";
import { X } from "lucide-react";
import { createContext, memo, useContext, type CSSProperties } from "react";
import { EDGE_STYLE, type DependencyFlowEdge } from "./flow";

/** Lets a selected edge ask the editor to remove it without a new callback in every edge's data. */
export const EdgeActionsContext = createContext<{ requestRemove(service: string, dependsOn: string): void } | null>(null);

function DependencyEdgeView({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, markerEnd, selected, deletable }: EdgeProps<DependencyFlowEdge>) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const look = EDGE_STYLE[data?.emphasis ?? "normal"];
  const style: CSSProperties = {
    stroke: look.stroke,
    strokeWidth: look.width,
    opacity: look.opacity,
    strokeDasharray: look.dash,
    animation: look.animated ? "dashdraw 0.6s linear infinite" : undefined,
  };
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={16} />
      {selected && data ? <EdgeLabel x={labelX} y={labelY} service={data.service} dependsOn={data.dependsOn} deletable={Boolean(deletable)} /> : null}
    </>
  );
}

/** What a selected edge means, in words, at a readable size whatever the zoom. */
function EdgeLabel({ x, y, service, dependsOn, deletable }: { x: number; y: number; service: string; dependsOn: string; deletable: boolean }) {
  const actions = useContext(EdgeActionsContext);
  // Only the selected edge renders this, so only one component follows the zoom.
  const zoom = useStore((s) => s.transform[2]);
  return (
    <EdgeLabelRenderer>
      <div
        className="nodrag nopan pointer-events-auto absolute flex items-center gap-1 rounded-full border border-accent/40 bg-surface py-0.5 pl-2.5 pr-1 text-xs font-medium text-foreground shadow-md"
        style={{ transform: `translate(-50%, -50%) translate(${x}px, ${y}px) scale(${1 / Math.max(zoom, 0.05)})` }}
        data-testid="graph-edge-label"
      >
        <span>
          {service} <span className="text-muted">depends on</span> {dependsOn}
        </span>
        {deletable && actions ? (
          <button
            type="button"
            className="rounded-full p-0.5 text-muted hover:bg-danger-soft hover:text-danger"
            aria-label={`Remove: ${service} no longer depends on ${dependsOn}`}
            title="Remove this dependency"
            onClick={() => actions.requestRemove(service, dependsOn)}
          >
            <X className="size-3.5" />
          </button>
        ) : (
          <span className="w-1.5" />
        )}
      </div>
    </EdgeLabelRenderer>
  );
}

export const DependencyEdge = memo(DependencyEdgeView);
