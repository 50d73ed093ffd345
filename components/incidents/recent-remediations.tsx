"use client";

// The latest remediations self-healing decided, newest first, with where each stands (run, waiting
// for an approval, suppressed by a guardrail, dry runs), polled so that a run's outcome shows up.
import { useQuery } from "@tanstack/react-query";
import { Wrench } from "lucide-react";
import Link from "next/link";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { AutomationLabel } from "@/components/slos/status";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { RemediationDto } from "@/lib/incidents/schemas";
import { ACTIVE_REMEDIATION, formatUtc, remediationOutcome } from "./model";
import { GuardrailBadge, RemediationStatusBadge } from "./status";

const LIMIT = 25;

export function RecentRemediations({ initial }: { initial: RemediationDto[] }) {
  const { data } = useQuery({
    queryKey: ["incidents", "remediations", LIMIT],
    queryFn: async () => (await api<{ items: RemediationDto[] }>(`/api/v1/remediations?limit=${LIMIT}`)).items,
    initialData: initial,
    refetchInterval: (q) => ((q.state.data ?? []).some((r) => ACTIVE_REMEDIATION.has(r.status)) ? 3_000 : 15_000),
  });
  if (data.length === 0) {
    return (
      <EmptyState icon={Wrench} title="No remediations yet">
        When an SLO&apos;s page alert names a playbook, what self-healing decides shows here: run, waiting for an approval, suppressed by a guardrail, or a dry run.
      </EmptyState>
    );
  }
  return (
    <Table data-testid="recent-remediations">
      <THead>
        <tr>
          <Th>Incident</Th>
          <Th>Service</Th>
          <Th>Playbook</Th>
          <Th>State</Th>
          <Th>What it did, or why not</Th>
          <Th className="text-right">Decided</Th>
        </tr>
      </THead>
      <TBody>
        {data.map((r) => (
          <Tr key={r.id} data-testid="recent-remediation" data-status={r.status}>
            <Td>
              <Link href={`/slos/incidents/${r.incidentId}`} className="font-medium text-accent hover:underline">
                #{r.incidentNumber}
              </Link>
            </Td>
            <Td className="whitespace-nowrap">
              <span className="font-mono text-xs">{r.service}</span> <span className="text-xs text-subtle">{r.environment}</span>
            </Td>
            <Td>
              <AutomationLabel automation={r.playbook} />
            </Td>
            <Td>
              <div className="flex flex-wrap items-center gap-1.5">
                <RemediationStatusBadge status={r.status} />
                <GuardrailBadge guardrail={r.guardrail} />
              </div>
            </Td>
            <Td className="max-w-md text-xs text-muted">
              <span className="line-clamp-2">{remediationOutcome(r).summary}</span>
              {r.approvedBy ? <span className="text-subtle"> Approved by {r.approvedBy}.</span> : null}
            </Td>
            <Td className="whitespace-nowrap text-right text-xs text-muted" title={formatUtc(r.requestedAt)} suppressHydrationWarning>
              {relativeTime(r.requestedAt)}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
