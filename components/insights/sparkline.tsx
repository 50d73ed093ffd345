"use client";

// A metric's trend in a line a few words wide: one point per day, week or month of the period,
// gaps where there was nothing to measure, and the target as a dashed line when it fits.
import { useSyncExternalStore } from "react";
import { Line, LineChart, ReferenceLine, Tooltip, YAxis } from "recharts";
import { formatValue, type Unit } from "./format";

export interface SparkPoint {
  start: string;
  end: string;
  value: number | null;
}

const subscribe = () => () => {};
/** Drawn in the browser only: the chart's generated ids would differ between server and browser. */
const useInBrowser = () => useSyncExternalStore(subscribe, () => true, () => false);

export function Sparkline({ points, target, label, unit, width = 120, height = 32 }: { points: SparkPoint[]; target?: number; label: string; unit: Unit; width?: number; height?: number }) {
  const inBrowser = useInBrowser();
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  if (values.length < 2) {
    return (
      <span className="text-xs text-subtle" data-testid="sparkline-empty">
        {values.length === 1 ? "one point so far" : "no trend yet"}
      </span>
    );
  }
  const lo = Math.min(...values, target ?? Infinity);
  const hi = Math.max(...values, target ?? -Infinity);
  const pad = (hi - lo) * 0.1 || 1;
  return (
    <div role="img" aria-label={`${label} trend: ${values.map((v) => formatValue(v, unit)).join(", ")}`} data-testid="sparkline" style={{ width, height }}>
      {inBrowser ? (
        <LineChart width={width} height={height} data={points} margin={{ top: 3, right: 2, bottom: 3, left: 2 }}>
          <YAxis hide domain={[lo - pad, hi + pad]} />
          {target !== undefined ? <ReferenceLine y={target} stroke="var(--subtle)" strokeDasharray="3 3" /> : null}
          <Tooltip
            cursor={false}
            contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, fontSize: 11, padding: "2px 6px" }}
            labelFormatter={(_, payload) => {
              const p = payload?.[0]?.payload as SparkPoint | undefined;
              return p ? (p.start === p.end ? p.start : `${p.start} – ${p.end}`) : "";
            }}
            formatter={(v) => [typeof v === "number" ? formatValue(v, unit) : "—", label]}
          />
          <Line type="monotone" dataKey="value" stroke="var(--accent)" strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} />
        </LineChart>
      ) : null}
    </div>
  );
}
