// One SLO's burn rate per window, each with a small bar marking the page and ticket thresholds
// that window takes part in, and the alert conditions (multi-window, multi-burn-rate) as they
// stand now.
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { SloStatus } from "@/lib/slos/schemas";
import { burnBar, formatBurnRate, formatPercent } from "./model";

export interface BurnRule {
  severity: "page" | "ticket";
  long: string;
  short: string;
  factor: number;
  budgetShare: number;
}

const SEVERITY_COLOUR = { page: "bg-danger", ticket: "bg-warning" } as const;

export function BurnRateTable({ status, rules, window }: { status: SloStatus | null; rules: BurnRule[]; window: string }) {
  const rows = status?.burnRates ?? [];
  return (
    <Table data-testid="burn-rates">
      <THead>
        <Tr>
          <Th>Window</Th>
          <Th>Error ratio</Th>
          <Th>Burn rate</Th>
          <Th className="w-1/2">Against the alert thresholds</Th>
        </Tr>
      </THead>
      <TBody>
        {rows.map((b) => {
          const thresholds = rules.filter((r) => r.long === b.window || r.short === b.window);
          const bar = burnBar(b.burnRate, thresholds.map((t) => t.factor));
          return (
            <Tr key={b.window} data-window={b.window}>
              <Td className="font-mono text-xs">
                {b.window}
                {b.window === window ? <span className="ml-1 font-sans text-subtle">(SLO window)</span> : null}
              </Td>
              <Td className="tabular">{b.errorRatio === null ? "—" : formatPercent(b.errorRatio * 100, 4)}</Td>
              <Td className={cn("tabular font-medium", bar.over && "text-danger")}>{formatBurnRate(b.burnRate)}</Td>
              <Td>
                {thresholds.length ? (
                  <div className="relative h-2 w-full max-w-sm rounded-full bg-surface-2" title={thresholds.map((t) => `${t.severity} above ${t.factor}× (${t.long} and ${t.short})`).join("; ")}>
                    <div className={cn("h-full rounded-full", bar.over ? "bg-danger" : "bg-accent")} style={{ width: `${bar.width}%` }} />
                    {bar.marks.map((m, i) => (
                      <span key={i} className={cn("absolute -top-1 h-4 w-0.5", SEVERITY_COLOUR[thresholds[i]!.severity])} style={{ left: `${m.at}%` }} aria-hidden />
                    ))}
                  </div>
                ) : (
                  <span className="text-xs text-subtle">not an alert window</span>
                )}
                {thresholds.length ? (
                  <div className="mt-1 text-[11px] text-subtle">
                    {thresholds.map((t) => `${t.severity} > ${t.factor}×`).join(" · ")}
                  </div>
                ) : null}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}

/** Each burn-rate condition of the generated alerts, and whether it holds now. */
export function AlertConditions({ status, rules, alerting }: { status: SloStatus | null; rules: BurnRule[]; alerting: boolean }) {
  const burn = (w: string) => status?.burnRates.find((b) => b.window === w)?.burnRate ?? null;
  return (
    <ul className="divide-y divide-border" data-testid="alert-conditions">
      {rules.map((r) => {
        const long = burn(r.long);
        const short = burn(r.short);
        const holds = long !== null && short !== null && long > r.factor && short > r.factor;
        return (
          <li key={`${r.severity}-${r.long}`} className="flex flex-wrap items-center justify-between gap-2 px-5 py-2.5 text-sm">
            <span>
              <Badge tone={r.severity === "page" ? "danger" : "warning"} className="mr-2">
                {r.severity}
              </Badge>
              above <span className="tabular font-medium">{r.factor}×</span> over <span className="font-mono text-xs">{r.long}</span> (now {formatBurnRate(long)}) and{" "}
              <span className="font-mono text-xs">{r.short}</span> (now {formatBurnRate(short)})
              <span className="ml-1 text-xs text-subtle">· {formatPercent(r.budgetShare * 100)} of the budget in {r.long}</span>
            </span>
            {status === null ? (
              <span className="text-xs text-subtle">no data</span>
            ) : holds ? (
              <Badge tone={alerting ? "danger" : "neutral"}>{alerting ? "holds: firing" : "holds (alerting off)"}</Badge>
            ) : (
              <Badge tone="success">quiet</Badge>
            )}
          </li>
        );
      })}
    </ul>
  );
}
