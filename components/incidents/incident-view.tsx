"use client";

// One incident's page: the alert that opened it (labels, annotations, the generator's link), how
// long it has lasted or its time to recover, the deployment that preceded it, every decision
// self-healing made about it (taken or suppressed, and which guardrail said why), its
// remediations and, for a production remediation waiting for one, the approval. Polled while the
// incident is open or a remediation still moves; still after that.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowLeft, Check, ExternalLink, Hand, ShieldAlert } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { useNow } from "@/components/delivery/use-now";
import { AutomationLabel } from "@/components/slos/status";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { IncidentDetailDto, RemediationDto } from "@/lib/incidents/schemas";
import { approvable, decisionKindLabel, deploymentHref, formatDuration, formatUtc, incidentPollMs, incidentSeconds, remediationOutcome, type IncidentLinks } from "./model";
import { DecisionIcon, DecisionOutcomeBadge, GuardrailBadge, IncidentStatusBadge, RemediationStatusBadge } from "./status";

export interface AlertInfo {
  annotations: Record<string, string>;
  generatorURL: string | null;
  receiver: string | null;
}

export interface IncidentViewProps {
  initial: IncidentDetailDto;
  alert: AlertInfo;
  links: IncidentLinks;
  environment: { displayName: string; protected: boolean } | null;
  canApprove: boolean;
}

function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card className="px-5 py-4" data-testid={testId}>
      <div className="text-xs font-medium uppercase tracking-wide text-subtle">{label}</div>
      <div className="mt-2">{children}</div>
    </Card>
  );
}

function Approval({ incident, remediation, canApprove }: { incident: IncidentDetailDto; remediation: RemediationDto; canApprove: boolean }) {
  const qc = useQueryClient();
  const [comment, setComment] = useState("");
  const approve = useMutation({
    mutationFn: () => api<RemediationDto>(`/api/v1/remediations/${remediation.id}/approve`, { method: "POST", body: comment.trim() ? { comment: comment.trim() } : {} }),
    onSuccess: (r) => {
      setComment("");
      toast.success(`Approved: ${r.playbook} of ${r.service} in ${r.environment} is ${r.status === "queued" ? "queued" : r.status.replace("_", " ")}.`);
      void qc.invalidateQueries({ queryKey: ["incident", incident.id] });
      void qc.invalidateQueries({ queryKey: ["incidents"] });
    },
    // A refusal re-checked the guardrails: show the incident as it is now.
    onError: () => void qc.invalidateQueries({ queryKey: ["incident", incident.id] }),
  });
  return (
    <Card className="border-warning/40" data-testid="approval-card">
      <CardHeader
        title={
          <span className="inline-flex items-center gap-2">
            <Hand className="size-4 text-warning" aria-hidden /> {remediation.playbook} waits for an approval
          </span>
        }
        description={`${remediation.environment} is protected and no auto-approve rule allows ${remediation.playbook} there. Approving checks the guardrails again (kill switch, deployment in progress, actions per hour, cooldown, dry-run) and runs it at once.`}
      />
      <CardBody className="space-y-3">
        <p className="text-sm text-muted">{remediation.reason}</p>
        {canApprove ? (
          <div className="flex flex-wrap gap-2">
            <Input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={500} placeholder="Comment (optional)" aria-label="Comment" className="max-w-md" data-testid="approve-comment" />
            <Button onClick={() => approve.mutate()} loading={approve.isPending} data-testid="approve-remediation">
              <Check aria-hidden /> Approve {remediation.playbook}
            </Button>
          </div>
        ) : (
          <p className="text-sm text-muted" data-testid="approval-needs-permission">
            Release managers, SREs and platform admins (<code className="font-mono text-xs">promotions.execute</code>) approve it here.
          </p>
        )}
        {approve.error ? (
          <p className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" role="alert" data-testid="approve-error">
            {approve.error instanceof ApiError ? approve.error.message : (approve.error as Error).message}
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}

function Timeline({ incident }: { incident: IncidentDetailDto }) {
  if (!incident.decisions.length) {
    return <p className="px-5 py-4 text-sm text-muted">{incident.status === "open" ? "Nothing has been recorded yet." : "No decisions were recorded for this incident: it did not come through Paved's webhook (e.g. the demo's history)."}</p>;
  }
  return (
    <ol className="relative space-y-0 px-5 py-4" data-testid="incident-timeline">
      {incident.decisions.map((d, n) => (
        <li key={d.id} className="relative flex gap-3 pb-5 last:pb-0" data-testid="timeline-entry" data-kind={d.kind} data-outcome={d.outcome}>
          {n < incident.decisions.length - 1 ? <span className="absolute left-[7.5px] top-5 h-[calc(100%-1rem)] w-px bg-border" aria-hidden /> : null}
          <span className="relative mt-0.5 bg-surface">
            <DecisionIcon outcome={d.outcome} kind={d.kind} />
          </span>
          <div className="min-w-0 flex-1">
            <div className="flex flex-wrap items-center gap-2 text-sm">
              <span className="font-medium">{decisionKindLabel(d.kind)}</span>
              <DecisionOutcomeBadge outcome={d.outcome} />
              <GuardrailBadge guardrail={d.guardrail} />
              {d.playbook ? <code className="rounded bg-surface-2 px-1.5 py-0.5 font-mono text-[11px]">{d.playbook}</code> : null}
              <span className="text-xs text-subtle" title={formatUtc(d.at)} suppressHydrationWarning>
                {relativeTime(d.at)} · {d.actor}
              </span>
            </div>
            <p className="mt-0.5 text-sm text-muted">{d.message}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}

function Remediations({ incident }: { incident: IncidentDetailDto }) {
  if (!incident.remediations.length) {
    return (
      <CardBody>
        <p className="text-sm text-muted">{incident.automation === "none" ? "The alert names no automation: nothing was decided for self-healing to run." : "No remediation yet."}</p>
      </CardBody>
    );
  }
  return (
    <Table data-testid="incident-remediations">
      <THead>
        <Tr>
          <Th>Playbook</Th>
          <Th>State</Th>
          <Th>What it did, or why not</Th>
          <Th>Approved</Th>
          <Th>Requested</Th>
          <Th>Finished</Th>
        </Tr>
      </THead>
      <TBody>
        {incident.remediations.map((r) => {
          const outcome = remediationOutcome(r);
          return (
            <Tr key={r.id} data-testid="remediation-row" data-status={r.status}>
              <Td>
                <AutomationLabel automation={r.playbook} />
              </Td>
              <Td>
                <div className="flex flex-wrap items-center gap-1.5">
                  <RemediationStatusBadge status={r.status} />
                  <GuardrailBadge guardrail={r.guardrail} />
                </div>
              </Td>
              <Td className="max-w-xl text-sm text-muted">
                {outcome.summary}
                {outcome.promotion ? (
                  <>
                    {" "}
                    <Link href={`/delivery/promotions/${outcome.promotion.id}`} className="text-accent hover:underline">
                      {outcome.promotion.number !== null ? `Rollback #${outcome.promotion.number}` : "The rollback"}
                    </Link>
                  </>
                ) : null}
              </Td>
              <Td className="whitespace-nowrap text-xs">{r.approvedBy ? `${r.approvedBy}${r.approvedAt ? ` · ${relativeTime(r.approvedAt)}` : ""}` : <span className="text-subtle">—</span>}</Td>
              <Td className="whitespace-nowrap text-xs" title={formatUtc(r.requestedAt)} suppressHydrationWarning>
                {relativeTime(r.requestedAt)}
              </Td>
              <Td className="whitespace-nowrap text-xs" suppressHydrationWarning>
                {r.finishedAt ? <span title={formatUtc(r.finishedAt)}>{relativeTime(r.finishedAt)}</span> : <span className="text-subtle">—</span>}
              </Td>
            </Tr>
          );
        })}
      </TBody>
    </Table>
  );
}

function AlertCard({ incident, alert }: { incident: IncidentDetailDto; alert: AlertInfo }) {
  const labels = Object.entries(incident.labels).sort(([a], [b]) => a.localeCompare(b));
  const annotations = Object.entries(alert.annotations).sort(([a], [b]) => a.localeCompare(b));
  const generator = alert.generatorURL && /^https?:\/\//.test(alert.generatorURL) ? alert.generatorURL : null;
  return (
    <Card data-testid="incident-alert">
      <CardHeader
        title="The alert"
        description={`${incident.alertname}, from Alertmanager${alert.receiver ? ` (receiver ${alert.receiver})` : ""}.`}
        actions={
          generator ? (
            <a href={generator} target="_blank" rel="noreferrer noopener" className="inline-flex items-center gap-1 text-sm text-accent hover:underline" data-testid="alert-generator">
              Source <ExternalLink className="size-3.5" aria-hidden />
            </a>
          ) : null
        }
      />
      <CardBody className="space-y-4">
        <div>
          <h3 className="text-xs font-medium text-subtle">Labels</h3>
          {labels.length ? (
            <ul className="mt-1.5 flex flex-wrap gap-1.5" data-testid="alert-labels">
              {labels.map(([k, v]) => (
                <li key={k} className="rounded border border-border bg-surface-2/60 px-1.5 py-0.5 font-mono text-[11px]">
                  <span className="text-subtle">{k}=</span>
                  {v}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm text-muted">None recorded.</p>
          )}
        </div>
        <div>
          <h3 className="text-xs font-medium text-subtle">Annotations</h3>
          {annotations.length ? (
            <dl className="mt-1.5 space-y-2 text-sm" data-testid="alert-annotations">
              {annotations.map(([k, v]) => (
                <div key={k}>
                  <dt className="font-mono text-[11px] text-subtle">{k}</dt>
                  <dd className="break-words">{/^https?:\/\//.test(v) ? <a href={v} className="text-accent hover:underline" target="_blank" rel="noreferrer noopener">{v}</a> : v}</dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="mt-1 text-sm text-muted">None recorded{alert.receiver ? "" : " (this incident did not come through the webhook, e.g. the demo's history)"}.</p>
          )}
        </div>
        <p className="text-xs text-subtle">
          Fingerprint <code className="font-mono">{incident.fingerprint}</code>
        </p>
      </CardBody>
    </Card>
  );
}

export function IncidentView({ initial, alert, links, environment, canApprove }: IncidentViewProps) {
  const { data: incident } = useQuery({
    queryKey: ["incident", initial.id],
    queryFn: () => api<IncidentDetailDto>(`/api/v1/incidents/${initial.id}`),
    initialData: initial,
    refetchInterval: (q) => (q.state.data ? incidentPollMs(q.state.data) : 3_000),
  });
  const open = incident.status === "open";
  const now = useNow(1000, open);
  const waiting = approvable(incident, incident.remediations);
  const sloId = incident.slo ? links.slos[`${incident.service}/${incident.slo}`] : undefined;
  const deployment = incident.precedingDeployment;
  const deploymentLink = deploymentHref(incident, links.promotions);

  return (
    <div className="space-y-6">
      <Link href="/slos/incidents" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Incidents
      </Link>

      <div className="min-w-0 space-y-1">
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold tracking-tight" data-testid="incident-title">
            Incident #{incident.number}
          </h1>
          <IncidentStatusBadge status={incident.status} className="text-sm" />
          <Badge tone={incident.severity === "page" ? "danger" : "neutral"}>severity {incident.severity}</Badge>
        </div>
        {incident.summary ? <p className="max-w-3xl text-sm">{incident.summary}</p> : null}
        <div className="flex flex-wrap items-center gap-2 text-sm text-muted">
          <Link href={`/services/${incident.service}`} className="font-mono text-xs text-foreground hover:underline">
            {incident.service}
          </Link>
          <span aria-hidden>·</span>
          <span>{environment?.displayName ?? incident.environment}</span>
          {environment?.protected ? (
            <Badge tone="warning">
              <ShieldAlert className="size-3" aria-hidden /> protected
            </Badge>
          ) : null}
          {incident.slo ? (
            <>
              <span aria-hidden>·</span>
              <span>
                SLO{" "}
                {sloId ? (
                  <Link href={`/slos/${sloId}`} className="font-mono text-xs text-accent hover:underline" data-testid="incident-slo">
                    {incident.slo}
                  </Link>
                ) : (
                  <code className="font-mono text-xs">{incident.slo}</code>
                )}
              </span>
            </>
          ) : null}
        </div>
      </div>

      <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        <Stat label="Started" testId="incident-started">
          <span className="text-lg font-semibold" suppressHydrationWarning>
            {relativeTime(incident.startedAt, now)}
          </span>
          <p className="mt-1 text-xs text-muted">{formatUtc(incident.startedAt)}</p>
        </Stat>
        <Stat label={open ? "Duration so far" : "Time to recover (MTTR)"} testId="incident-mttr">
          <span className={cn("tabular text-lg font-semibold", open && "text-danger")} suppressHydrationWarning>
            {formatDuration(incidentSeconds(incident, now))}
          </span>
          <p className="mt-1 text-xs text-muted">{incident.resolvedAt ? `resolved ${formatUtc(incident.resolvedAt)}` : "until the alert resolves"}</p>
        </Stat>
        <Stat label="Automation" testId="incident-automation">
          <AutomationLabel automation={incident.automation} />
          <p className="mt-1 text-xs text-muted">{incident.automation === "none" ? "people handle it" : "the playbook the alert's automation label names"}</p>
        </Stat>
        <Stat label="Preceding deployment" testId="incident-deployment">
          {deployment && deploymentLink ? (
            <Link href={deploymentLink} className="font-mono text-lg font-semibold text-accent hover:underline">
              {deployment.version ?? "deployment"}
            </Link>
          ) : (
            <span className="text-lg font-semibold text-subtle">—</span>
          )}
          <p className="mt-1 text-xs text-muted">{deployment ? `the last deployment of ${incident.service} in ${incident.environment} before it started` : `no deployment of ${incident.service} in ${incident.environment} before it`}</p>
        </Stat>
      </div>

      {waiting ? <Approval incident={incident} remediation={waiting} canApprove={canApprove} /> : null}

      <div className="grid items-start gap-6 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <CardHeader title="Timeline" description="Every decision about this incident, taken or not, and why: each guardrail that stopped an action is named." />
          <Timeline incident={incident} />
        </Card>
        <AlertCard incident={incident} alert={alert} />
      </div>

      <Card>
        <CardHeader title="Remediations" description="What self-healing decided to run, and where each stands." actions={<Link href="/slos/self-healing" className="text-sm text-accent hover:underline">Self-healing settings</Link>} />
        <Remediations incident={incident} />
      </Card>
    </div>
  );
}
