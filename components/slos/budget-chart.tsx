"use client";

// The burn-down of an SLO's error budget over its window (recharts): the share left after the bad
// events so far, next to an even spend that would use it up exactly at the window's end, with the
// service's deployments (lines) and incidents (shaded spans) on the same time axis.
import { Area, ComposedChart, Line, ReferenceArea, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartDeployment {
  id: string;
  t: number;
  version: string;
  kind: string;
  outcome: string;
}

export interface ChartIncident {
  id: string;
  number: number;
  start: number;
  /** Resolution time; null while open (drawn to the chart's end). */
  end: number | null;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const fullFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false });

export function BudgetChart({
  points,
  start,
  end,
  deployments,
  incidents,
}: {
  points: { t: number; remainingPercent: number; evenPercent: number }[];
  start: number;
  end: number;
  deployments: ChartDeployment[];
  incidents: ChartIncident[];
}) {
  const lowest = Math.min(0, ...points.map((p) => p.remainingPercent));
  const floor = lowest < 0 ? Math.floor(lowest / 25) * 25 : 0;
  const labelled = deployments.length <= 8;
  return (
    <div data-testid="budget-chart">
      <div className="h-72 w-full">
        <ResponsiveContainer>
          <ComposedChart data={points} margin={{ top: 18, right: 16, bottom: 0, left: -8 }}>
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[start, end]}
              tickFormatter={(t: number) => dayFormat.format(t)}
              tick={{ fontSize: 11, fill: "var(--subtle)" }}
              stroke="var(--border)"
              minTickGap={24}
            />
            <YAxis domain={[floor, 100]} tick={{ fontSize: 11, fill: "var(--subtle)" }} stroke="var(--border)" unit="%" allowDataOverflow />
            {incidents.map((i) => (
              <ReferenceArea
                key={i.id}
                x1={Math.max(start, i.start)}
                x2={Math.min(end, i.end ?? end)}
                fill="var(--danger)"
                fillOpacity={0.12}
                stroke="var(--danger)"
                strokeOpacity={0.3}
                label={{ value: `#${i.number}`, position: "insideTop", fontSize: 10, fill: "var(--danger)" }}
                ifOverflow="hidden"
              />
            ))}
            {deployments.map((d) => (
              <ReferenceLine
                key={d.id}
                x={d.t}
                stroke={d.kind === "rollback" ? "var(--warning)" : "var(--info)"}
                strokeDasharray="3 3"
                ifOverflow="hidden"
                label={labelled ? { value: d.version, position: "top", fontSize: 10, fill: "var(--muted)" } : undefined}
              />
            ))}
            <ReferenceLine y={0} stroke="var(--danger)" strokeWidth={1} />
            <Tooltip
              contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, fontSize: 12 }}
              labelFormatter={(t) => fullFormat.format(Number(t))}
              formatter={(v, name) => [`${Number(v).toFixed(2)} %`, name === "remainingPercent" ? "budget left" : "even spend"]}
            />
            <Line type="linear" dataKey="evenPercent" stroke="var(--subtle)" strokeDasharray="5 4" strokeWidth={1} dot={false} isAnimationActive={false} />
            <Area type="monotone" dataKey="remainingPercent" stroke="var(--accent)" strokeWidth={2} fill="var(--accent)" fillOpacity={0.12} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
        <li className="flex items-center gap-1.5">
          <span className="h-0.5 w-4 bg-accent" aria-hidden /> Budget left
        </li>
        <li className="flex items-center gap-1.5">
          <span className="w-4 border-t border-dashed border-subtle" aria-hidden /> Even spend over the window
        </li>
        <li className="flex items-center gap-1.5">
          <span className="h-3 w-0 border-l border-dashed border-info" aria-hidden /> Deployment ({deployments.length})
        </li>
        <li className="flex items-center gap-1.5">
          <span className="h-3 w-3 rounded-sm bg-danger/20" aria-hidden /> Incident ({incidents.length})
        </li>
      </ul>
    </div>
  );
}
