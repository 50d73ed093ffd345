// The error budget a promotion is gated on: for each promoted service, the least budget left of
// its SLOs that watch the target environment, read live from the metrics source (one batch for
// all of them). No SLO → no budget to check; SLOs whose status the source cannot give yet are
// named, so the gate can say why it has nothing to go on.
import type { Db } from "../core/db/client.ts";
import type { MetricsSource } from "../core/ports/metrics-source.ts";
import { metricsSource } from "../metrics/source.ts";
import { liveStatus } from "../slos/live.ts";
import { sloInclude, toRuleSlo } from "../slos/read.ts";

export interface ErrorBudgets {
  /** Budget left per service (the lowest of its SLOs), as a fraction of the budget (≤ 0: exhausted). */
  remaining: { service: string; remaining: number; slo: string }[];
  /** SLOs that exist for these services but have no status (no data yet, metrics source down). */
  unknown: { service: string; slo: string; reason: string }[];
}

export async function errorBudgets(client: Db, services: readonly string[], environment: string, source: MetricsSource = metricsSource()): Promise<ErrorBudgets | null> {
  const rows = await client.slo.findMany({ where: { environment, service: { name: { in: [...services] } } }, include: sloInclude, orderBy: { name: "asc" } });
  if (!rows.length) return null;
  const slos = rows.map(toRuleSlo);
  const statuses = await liveStatus(source)(slos);
  const lowest = new Map<string, { remaining: number; slo: string }>();
  const unknown: ErrorBudgets["unknown"] = [];
  for (const slo of slos) {
    const live = statuses.get(slo.id);
    const remaining = live?.status?.budget.remainingRatio;
    if (remaining === null || remaining === undefined) {
      unknown.push({ service: slo.service, slo: slo.name, reason: live?.freshness?.error ?? live?.status?.risk.reason ?? "no data from the metrics source" });
      continue;
    }
    const current = lowest.get(slo.service);
    if (!current || remaining < current.remaining) lowest.set(slo.service, { remaining, slo: slo.name });
  }
  return { remaining: [...lowest].map(([service, v]) => ({ service, ...v })).sort((a, b) => a.service.localeCompare(b.service)), unknown };
}
