"use client";

// The sandbox's chaos control, for demos of self-healing: pick a service and an environment of the
// sandbox cluster, break it (a quarter of its requests fail, or they are slow) or clear it, and see
// what is set and whether it still applies (a rollback, a restart or more replicas cure it). Beside
// the form: what the platform will do about it, from the service's SLOs in that environment and
// their automation. Breaking and clearing need slos.write; everyone sees the list.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bomb, Eraser, Zap } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Label, NativeSelect } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { AutoApproveRule } from "@/lib/incidents/schemas";
import { alertingNote, chaosOutlook, formatUtc, type ChaosMode, type ChaosSlo } from "./model";

export interface ChaosEntry {
  service: string;
  environment: string;
  mode: "errors" | "latency" | "clear";
  image: string | null;
  active: boolean;
  since: string | null;
}

export interface ChaosApp {
  service: string;
  environment: string;
  image: string | null;
  replicas: number;
}

export interface ChaosCardProps {
  initial: ChaosEntry[];
  apps: ChaosApp[];
  /** The SLOs of each service, by service name. */
  slos: Record<string, ChaosSlo[]>;
  environments: { name: string; displayName: string; protected: boolean }[];
  autoApprove: AutoApproveRule[];
  canWrite: boolean;
  /** Whether Paved reads a real Prometheus (which can evaluate the generated alerts). */
  prometheus: boolean;
  /** Without Prometheus: the factor the sandbox's own alert evaluation divides its windows by (PAVED_SANDBOX_ALERT_COMPRESSION, default 60). */
  alertCompression?: number;
}

const MODES: Record<ChaosMode, { label: string; what: string; cure: string }> = {
  errors: { label: "Errors", what: "A quarter of the requests of the version running now fail with a 5xx.", cure: "A rollback, or any other version, cures it." },
  latency: { label: "Latency", what: "Its requests become slow.", cure: "A restart, more replicas or another version cures it." },
};

export function ChaosCard({ initial, apps, slos, environments, autoApprove, canWrite, prometheus, alertCompression }: ChaosCardProps) {
  const qc = useQueryClient();
  const services = useMemo(() => [...new Set(apps.filter((a) => a.image).map((a) => a.service))].sort(), [apps]);
  const [service, setService] = useState(services[0] ?? "");
  const envsOf = (s: string) => environments.filter((e) => apps.some((a) => a.service === s && a.environment === e.name && a.image));
  const [environment, setEnvironment] = useState(() => envsOf(services[0] ?? "")[0]?.name ?? "");
  const [mode, setMode] = useState<ChaosMode>("errors");

  const { data } = useQuery({
    queryKey: ["sandbox", "chaos"],
    queryFn: async () => (await api<{ items: ChaosEntry[] }>("/api/v1/sandbox/chaos")).items,
    initialData: initial,
    refetchInterval: 5_000,
  });
  const set = useMutation({
    mutationFn: (body: { service: string; environment: string; mode: ChaosMode | "clear" }) => api<ChaosEntry>("/api/v1/sandbox/chaos", { method: "POST", body }),
    onSuccess: (c) => {
      toast.success(c.mode === "clear" ? `Cleared the chaos of ${c.service} in ${c.environment}.` : `Broke ${c.service} in ${c.environment}: ${c.mode}${c.image ? ` on ${c.image}` : ""}.`);
      void qc.invalidateQueries({ queryKey: ["sandbox", "chaos"] });
    },
    onError: (e) => toast.error(e instanceof ApiError ? e.message : (e as Error).message),
  });

  const target = environments.find((e) => e.name === environment);
  const app = apps.find((a) => a.service === service && a.environment === environment);
  const outlook = service && environment ? chaosOutlook(mode, environment, slos[service] ?? [], target?.protected ?? false, autoApprove, service) : [];

  return (
    <Card data-testid="chaos-card">
      <CardHeader
        title="Chaos"
        description="Break a service of the sandbox cluster on purpose, and watch its SLO burn and self-healing answer. Only the sandbox's simulated traffic changes; every change is audited."
      />
      <CardBody className="grid gap-6 lg:grid-cols-2">
        <div className="space-y-4">
          {canWrite ? (
            <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), set.mutate({ service, environment, mode }))}>
              <div className="grid gap-3 sm:grid-cols-2">
                <div>
                  <Label htmlFor="chaos-service">Service</Label>
                  <NativeSelect
                    id="chaos-service"
                    className="mt-1"
                    value={service}
                    onChange={(e) => {
                      setService(e.target.value);
                      const envs = envsOf(e.target.value);
                      if (!envs.some((x) => x.name === environment)) setEnvironment(envs[0]?.name ?? "");
                    }}
                    data-testid="chaos-service"
                  >
                    {services.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </NativeSelect>
                </div>
                <div>
                  <Label htmlFor="chaos-environment">Environment</Label>
                  <NativeSelect id="chaos-environment" className="mt-1" value={environment} onChange={(e) => setEnvironment(e.target.value)} data-testid="chaos-environment">
                    {envsOf(service).map((e) => (
                      <option key={e.name} value={e.name}>
                        {e.displayName}
                        {e.protected ? " (protected)" : ""}
                      </option>
                    ))}
                  </NativeSelect>
                </div>
              </div>
              <fieldset>
                <legend className="text-sm font-medium">Fault</legend>
                <div className="mt-2 grid gap-2 sm:grid-cols-2">
                  {(Object.keys(MODES) as ChaosMode[]).map((m) => (
                    <label key={m} className={cn("flex cursor-pointer items-start gap-2 rounded-md border p-3 text-sm", mode === m ? "border-accent bg-accent-soft" : "border-border hover:bg-surface-2")}>
                      <input type="radio" name="chaos-mode" className="mt-0.5" checked={mode === m} onChange={() => setMode(m)} data-testid={`chaos-mode-${m}`} />
                      <span>
                        <span className="font-medium">{MODES[m].label}</span>
                        <span className="block text-xs text-muted">
                          {MODES[m].what} {MODES[m].cure}
                        </span>
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
              <p className="text-xs text-subtle">
                {app ? (
                  <>
                    {service} runs <code className="font-mono">{app.image}</code> on {app.replicas} replica{app.replicas === 1 ? "" : "s"} in {environment}.
                  </>
                ) : (
                  "Pick a service that runs in the environment."
                )}
              </p>
              <div className="flex flex-wrap gap-2">
                <Button type="submit" variant="danger" disabled={!service || !environment} loading={set.isPending && set.variables?.mode !== "clear"} data-testid="chaos-break">
                  <Bomb aria-hidden /> Break {service || "it"}
                </Button>
                <Button type="button" variant="secondary" disabled={!service || !environment || set.isPending} onClick={() => set.mutate({ service, environment, mode: "clear" })} data-testid="chaos-clear">
                  <Eraser aria-hidden /> Clear
                </Button>
              </div>
            </form>
          ) : (
            <p className="text-sm text-muted" data-testid="chaos-read-only">
              SREs and platform admins (<code className="font-mono text-xs">slos.write</code>) break and clear services here; you see what is set.
            </p>
          )}
        </div>
        <div className="space-y-3 text-sm" data-testid="chaos-outlook">
          <h3 className="flex items-center gap-1.5 font-medium">
            <Zap className="size-4 text-warning" aria-hidden /> What the platform will do
          </h3>
          {service && environment ? (
            outlook.length ? (
              <ul className="space-y-2">
                {outlook.map((o) => (
                  <li key={o.slo.id} className="rounded-md border border-border px-3 py-2">
                    <Link href={`/slos/${o.slo.id}`} className="font-medium hover:underline">
                      {o.slo.displayName || o.slo.name}
                    </Link>{" "}
                    <span className="text-xs text-subtle">
                      {o.slo.kind} · automation <code className="font-mono">{o.slo.automation}</code>
                    </span>
                    <p className="mt-0.5 text-muted">{o.text}</p>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-muted">
                {service} has no SLO in {environment}: its traffic changes, but nothing measures it, so nothing pages and nothing runs.{" "}
                <Link href="/slos/new" className="text-accent hover:underline">
                  Define one
                </Link>
                .
              </p>
            )
          ) : null}
          <p className="text-xs text-muted">
            <span data-testid="chaos-alerting-note">{alertingNote(prometheus, alertCompression)}</span>{" "}
            <Link href="/slos/self-healing" className="text-accent hover:underline">
              Guardrails
            </Link>{" "}
            ·{" "}
            <Link href="/slos/incidents" className="text-accent hover:underline">
              Incidents
            </Link>
          </p>
        </div>
      </CardBody>
      <div className="border-t border-border">
        {data.length === 0 ? (
          <p className="px-5 py-4 text-sm text-muted" data-testid="chaos-empty">
            Nothing is broken on purpose.
          </p>
        ) : (
          <Table data-testid="chaos-list">
            <THead>
              <tr>
                <Th>Service</Th>
                <Th>Environment</Th>
                <Th>Fault</Th>
                <Th>Version</Th>
                <Th>State</Th>
                <Th className="text-right">Since</Th>
                {canWrite ? <Th className="sr-only">Clear</Th> : null}
              </tr>
            </THead>
            <TBody>
              {data.map((c) => (
                <Tr key={`${c.service}-${c.environment}`} data-testid={`chaos-${c.service}-${c.environment}`} data-active={c.active}>
                  <Td className="font-mono text-xs">{c.service}</Td>
                  <Td>{c.environment}</Td>
                  <Td>{c.mode}</Td>
                  <Td className="font-mono text-xs">{c.image ?? "—"}</Td>
                  <Td>
                    {c.active ? (
                      <Badge tone="danger">in force</Badge>
                    ) : (
                      <Badge tone="success" title="What it broke no longer runs as it was: a rollback, another version, a restart or more replicas cured it.">
                        cured
                      </Badge>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap text-right text-xs text-muted" title={c.since ? formatUtc(c.since) : undefined} suppressHydrationWarning>
                    {c.since ? relativeTime(c.since) : "—"}
                  </Td>
                  {canWrite ? (
                    <Td className="text-right">
                      <Button size="sm" variant="ghost" disabled={set.isPending} onClick={() => set.mutate({ service: c.service, environment: c.environment, mode: "clear" })} data-testid={`chaos-clear-${c.service}-${c.environment}`}>
                        <Eraser aria-hidden /> Clear
                      </Button>
                    </Td>
                  ) : null}
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
      </div>
    </Card>
  );
}
