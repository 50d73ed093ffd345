// A deployment (or rollback) plan as columns of waves: everything in a wave deploys in parallel,
// and each service shows what it waits for ("why is this blocked").
import Link from "next/link";
import { ArrowRight } from "lucide-react";
import { StrategyBadge } from "@/components/services/strategy";
import type { PlanDto, Strategy } from "@/lib/services/schemas";

export interface PlanServiceInfo {
  strategy: Strategy;
  trafficSteps: number[];
  teamColor: string;
  teamName: string;
}

export function PlanView({ plan, info }: { plan: PlanDto; info: Record<string, PlanServiceInfo> }) {
  if (plan.waves.length === 0) {
    return <p className="text-sm text-muted">Nothing to {plan.action === "rollback" ? "roll back" : "deploy"}.</p>;
  }
  const verb = plan.action === "rollback" ? "rolled back" : "deployed";
  return (
    <div className="overflow-x-auto pb-2" data-testid="plan-view">
      <ol className="flex min-w-max items-stretch gap-2">
        {plan.waves.map((wave, i) => (
          <li key={i} className="flex items-stretch gap-2">
            {i > 0 ? <ArrowRight className="mt-8 size-4 shrink-0 text-subtle" aria-hidden /> : null}
            <section className="w-64 rounded-lg border border-border bg-surface-2/50 p-2" aria-label={`Wave ${i + 1}`} data-testid={`plan-wave-${i + 1}`}>
              <h3 className="px-1 pb-2 text-xs font-medium uppercase tracking-wide text-subtle">
                Wave {i + 1} <span className="font-normal normal-case">· {wave.length} in parallel</span>
              </h3>
              <ul className="space-y-2">
                {wave.map((name) => {
                  const s = info[name];
                  const waits = plan.blockedBy[name] ?? [];
                  return (
                    <li key={name} className="rounded-md border border-border bg-surface p-2 shadow-xs" style={{ borderLeft: `3px solid ${s?.teamColor ?? "var(--border)"}` }} data-testid={`plan-service-${name}`}>
                      <div className="flex items-center justify-between gap-2">
                        <Link href={`/services/${name}`} className="truncate font-mono text-xs font-medium hover:underline">
                          {name}
                        </Link>
                        {s ? <StrategyBadge strategy={s.strategy} /> : null}
                      </div>
                      <p className="mt-1 text-[11px] text-subtle">
                        {waits.length ? (
                          <>
                            waits for {waits.join(", ")} to be {verb}
                          </>
                        ) : (
                          "starts at once"
                        )}
                      </p>
                    </li>
                  );
                })}
              </ul>
            </section>
          </li>
        ))}
      </ol>
    </div>
  );
}
