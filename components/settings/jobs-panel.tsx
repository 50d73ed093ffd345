"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, Clock, RefreshCw } from "lucide-react";
import { Fragment, useState } from "react";
import { toast } from "sonner";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { NativeSelect } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { JobDto } from "@/lib/core/jobs/inspect";

const STATE_TONE: Record<JobDto["state"], BadgeProps["tone"]> = {
  created: "info",
  retry: "warning",
  active: "accent",
  completed: "success",
  cancelled: "neutral",
  failed: "danger",
};

function duration(job: JobDto): string {
  if (!job.startedAt) return "—";
  const end = job.completedAt ? new Date(job.completedAt).getTime() : Date.now();
  const ms = end - new Date(job.startedAt).getTime();
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function JobsPanel({ initial, canManage }: { initial: { items: JobDto[]; nextCursor: string | null }; canManage: boolean }) {
  const qc = useQueryClient();
  const [state, setState] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const jobs = useQuery({
    queryKey: ["jobs", state],
    queryFn: () => api<{ items: JobDto[]; nextCursor: string | null }>(`/api/v1/jobs?limit=100${state ? `&state=${state}` : ""}`),
    initialData: state === "" ? initial : undefined,
    refetchInterval: 5000,
  });
  const act = useMutation({
    mutationFn: (v: { id: string; action: "retry" | "cancel" }) => api<JobDto>(`/api/v1/jobs/${v.id}/${v.action}`, { method: "POST" }),
    onSuccess: (job, v) => {
      toast.success(v.action === "retry" ? `Job ${job.name} queued again.` : `Job ${job.name} cancelled.`);
      void qc.invalidateQueries({ queryKey: ["jobs"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const items = jobs.data?.items ?? [];
  return (
    <Card>
      <CardHeader
        title="Background jobs"
        description="Durable jobs in the database: retried with backoff, each run by exactly one worker. Finished jobs are kept for 7 days."
        actions={
          <>
            <label htmlFor="job-state" className="sr-only">
              State
            </label>
            <NativeSelect id="job-state" value={state} onChange={(e) => setState(e.target.value)} className="h-8 w-40">
              <option value="">All states</option>
              {Object.keys(STATE_TONE).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </NativeSelect>
            <Button variant="secondary" size="sm" onClick={() => void jobs.refetch()} loading={jobs.isFetching} aria-label="Refresh">
              <RefreshCw />
            </Button>
          </>
        }
      />
      {items.length === 0 ? (
        <EmptyState icon={Clock} title={state ? `No ${state} jobs` : "No jobs yet"}>
          Long work (template instantiations, promotions, scans, the hourly audit-chain check) runs here as jobs. They appear as soon as one is queued.
        </EmptyState>
      ) : (
        <Table data-testid="jobs-table">
          <THead>
            <tr>
              <Th className="w-8">
                <span className="sr-only">Details</span>
              </Th>
              <Th>Job</Th>
              <Th>State</Th>
              <Th>Attempt</Th>
              <Th>Queued</Th>
              <Th>Took</Th>
              {canManage ? (
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              ) : null}
            </tr>
          </THead>
          <TBody>
            {items.map((job) => (
              <Fragment key={job.id}>
                <Tr>
                  <Td>
                    <button className="rounded p-1 text-subtle hover:bg-surface-2" onClick={() => setOpen(open === job.id ? null : job.id)} aria-expanded={open === job.id} aria-label="Show details">
                      {open === job.id ? <ChevronDown className="size-4" /> : <ChevronRight className="size-4" />}
                    </button>
                  </Td>
                  <Td>
                    <div className="font-mono text-xs font-medium">{job.name}</div>
                    <div className="font-mono text-[11px] text-subtle">{job.id.slice(0, 8)}</div>
                  </Td>
                  <Td>
                    <Badge tone={STATE_TONE[job.state]}>{job.state}</Badge>
                  </Td>
                  <Td className="tabular text-muted">
                    {job.attempt + 1} / {job.retryLimit + 1}
                  </Td>
                  <Td className="text-muted" title={job.createdAt}>
                    {relativeTime(job.createdAt)}
                  </Td>
                  <Td className="tabular text-muted">{duration(job)}</Td>
                  {canManage ? (
                    <Td className="text-right">
                      {job.state === "failed" || job.state === "cancelled" ? (
                        <Button size="sm" variant="ghost" onClick={() => act.mutate({ id: job.id, action: "retry" })}>
                          Retry
                        </Button>
                      ) : job.state === "created" || job.state === "retry" || job.state === "active" ? (
                        <Button size="sm" variant="ghost" onClick={() => act.mutate({ id: job.id, action: "cancel" })}>
                          Cancel
                        </Button>
                      ) : null}
                    </Td>
                  ) : null}
                </Tr>
                {open === job.id ? (
                  <tr>
                    <td colSpan={canManage ? 7 : 6} className="bg-surface-2/50 px-6 py-4">
                      <div className="grid gap-4 md:grid-cols-2">
                        <div>
                          <div className="mb-1 text-xs font-medium uppercase text-subtle">Data</div>
                          <pre className="max-h-64 overflow-auto rounded-md border border-border bg-surface p-3 font-mono text-xs">{JSON.stringify(job.data, null, 2)}</pre>
                        </div>
                        <div>
                          <div className="mb-1 text-xs font-medium uppercase text-subtle">{job.state === "failed" ? "Error" : "Result"}</div>
                          <pre className="max-h-64 overflow-auto rounded-md border border-border bg-surface p-3 font-mono text-xs">{JSON.stringify(job.output, null, 2) ?? "—"}</pre>
                        </div>
                      </div>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </TBody>
        </Table>
      )}
    </Card>
  );
}
