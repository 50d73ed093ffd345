"use client";

import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** Overall compliance after each scan, against the 100 % target. */
export function ComplianceTrend({ points }: { points: { takenAt: string; percent: number | null }[] }) {
  const data = points.map((p) => ({ t: new Date(p.takenAt).getTime(), percent: p.percent }));
  const min = Math.max(0, Math.floor(Math.min(...data.map((d) => d.percent ?? 100), 100) / 10) * 10 - 10);
  return (
    <div className="h-48 w-full" data-testid="compliance-trend">
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: -16 }}>
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={(t: number) => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}
            tick={{ fontSize: 11, fill: "var(--subtle)" }}
            stroke="var(--border)"
          />
          <YAxis domain={[min, 100]} tick={{ fontSize: 11, fill: "var(--subtle)" }} stroke="var(--border)" unit="%" />
          <ReferenceLine y={100} stroke="var(--success)" strokeDasharray="4 4" label={{ value: "target 100 %", fontSize: 10, fill: "var(--success)", position: "insideTopLeft" }} />
          <Tooltip
            contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, fontSize: 12 }}
            labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
            formatter={(v) => [`${v} %`, "compliance"]}
          />
          <Line type="monotone" dataKey="percent" stroke="var(--accent)" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
