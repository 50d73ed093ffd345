// The demo organisation's SLOs: a few per team, on the common HTTP metrics the sandbox emits
// (http_requests_total and http_request_duration_seconds, labelled service and environment),
// plus one raw-PromQL SLO to show that form. Seeded with the organisation; `seedDemoSlos` is also
// safe to run again on its own (an SLO already there, by service and name, is left alone; a
// missing service is skipped), e.g. for a data folder seeded before SLOs existed.
import type { Db, Tx } from "../../lib/core/db/client.ts";
import type { Automation, SloKind, SloWindow, Sli } from "../../lib/slos/schemas.ts";

export interface DemoSlo {
  service: string;
  name: string;
  displayName: string;
  description: string;
  kind: SloKind;
  objective: number;
  window: SloWindow;
  sli: Sli;
  automation: Automation;
  alerting?: boolean;
}

export const DEMO_SLOS: DemoSlo[] = [
  {
    service: "checkout-web",
    name: "availability",
    displayName: "Checkout availability",
    description: "Checkout pages answer without a server error.",
    kind: "availability",
    objective: 99.9,
    window: "30d",
    sli: { source: "http", selector: "" },
    automation: "auto-rollback",
  },
  {
    service: "checkout-web",
    name: "latency",
    displayName: "Checkout under 500 ms",
    description: "Checkout pages answer within half a second.",
    kind: "latency",
    objective: 99,
    window: "30d",
    sli: { source: "http", selector: "", thresholdSeconds: 0.5 },
    automation: "none",
  },
  {
    service: "frontend",
    name: "availability",
    displayName: "Web app availability",
    description: "The customer-facing web app answers without a server error.",
    kind: "availability",
    objective: 99.5,
    window: "28d",
    sli: { source: "http", selector: "" },
    automation: "auto-rollback",
  },
  {
    service: "backend-api",
    name: "availability",
    displayName: "Core API availability",
    description: "API requests that do not fail with 5xx.",
    kind: "availability",
    objective: 99.95,
    window: "30d",
    sli: { source: "http", selector: "" },
    automation: "auto-rollback",
  },
  {
    service: "backend-api",
    name: "latency",
    displayName: "Core API under 300 ms",
    description: "API requests served within 300 ms.",
    kind: "latency",
    objective: 99,
    window: "7d",
    sli: { source: "http", selector: "", thresholdSeconds: 0.3 },
    automation: "auto-scale",
  },
  {
    service: "payments-gateway",
    name: "availability",
    displayName: "Payments availability",
    description: "Card and wallet payments that do not fail on our side.",
    kind: "availability",
    objective: 99.95,
    window: "30d",
    sli: { source: "http", selector: "" },
    automation: "restart",
  },
  {
    service: "search-service",
    name: "latency",
    displayName: "Search under 1 s",
    description: "Searches answered within a second.",
    kind: "latency",
    objective: 95,
    window: "7d",
    sli: { source: "http", selector: "", thresholdSeconds: 1 },
    automation: "auto-scale",
  },
  {
    service: "ledger",
    name: "writes",
    displayName: "Ledger availability (raw PromQL)",
    description: "The same HTTP metrics written as raw good/total queries; tickets only, no self-healing.",
    kind: "availability",
    objective: 99.99,
    window: "28d",
    sli: {
      source: "raw",
      bad: 'sum(rate(http_requests_total{service="ledger",environment="production",code=~"5.."}[{{.window}}]))',
      total: 'sum(rate(http_requests_total{service="ledger",environment="production"}[{{.window}}]))',
    },
    automation: "none",
  },
];

/** Creates the demo SLOs whose service exists and which do not exist yet; returns how many it created. */
export async function seedDemoSlos(db: Db | Tx): Promise<number> {
  const services = await db.service.findMany({ where: { name: { in: [...new Set(DEMO_SLOS.map((s) => s.service))] } }, select: { id: true, name: true, teamId: true } });
  const byName = new Map(services.map((s) => [s.name, s]));
  const data = DEMO_SLOS.flatMap((s) => {
    const service = byName.get(s.service);
    if (!service) return [];
    return [
      {
        serviceId: service.id,
        ownerTeamId: service.teamId,
        name: s.name,
        displayName: s.displayName,
        description: s.description,
        kind: s.kind,
        objective: s.objective,
        window: s.window,
        sli: s.sli as object,
        environment: "production",
        alerting: s.alerting ?? true,
        automation: s.automation,
      },
    ];
  });
  if (!data.length) return 0;
  const { count } = await db.slo.createMany({ data, skipDuplicates: true });
  return count;
}
