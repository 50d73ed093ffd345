"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowUpCircle, CheckCircle2, CircleDashed, ExternalLink, GitPullRequest, Loader2, XCircle } from "lucide-react";
import Link from "next/link";
import { toast } from "sonner";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { InstanceDto } from "@/lib/templates/schemas";
import { InstanceStatusBadge } from "./instance-status";

const STEPS = [
  ["queued", "Queued"],
  ["running", "Writing files"],
  ["done", "Pull request open"],
] as const;

function stepState(status: InstanceDto["status"], step: (typeof STEPS)[number][0]): "done" | "current" | "todo" | "failed" {
  const order = { queued: 0, running: 1, pull_request_open: 2, completed: 2, failed: 1 } as const;
  const index = { queued: 0, running: 1, done: 2 }[step];
  if (status === "failed" && index === 1) return "failed";
  if (order[status] > index || (order[status] === 2 && index === 2)) return "done";
  if (order[status] === index) return "current";
  return "todo";
}

/** An instance as it progresses: live status, the pull request, the files, upgrades. */
export function InstancePanel({ initial, canUpgrade }: { initial: InstanceDto; canUpgrade: boolean }) {
  const qc = useQueryClient();
  const { data: instance } = useQuery({
    queryKey: ["instance", initial.id],
    queryFn: () => api<InstanceDto>(`/api/v1/template-instances/${initial.id}`),
    initialData: initial,
    refetchInterval: (q) => {
      const i = q.state.data;
      const busy = i && (i.status === "queued" || i.status === "running" || i.upgrades.some((u) => u.status === "queued" || u.status === "running"));
      return busy ? 1000 : false;
    },
  });
  const upgrade = useMutation({
    mutationFn: () => api<InstanceDto>(`/api/v1/template-instances/${instance.id}/upgrade`, { method: "POST", body: {} }),
    onSuccess: (i) => {
      qc.setQueryData(["instance", i.id], i);
      toast.success(`Upgrade to ${instance.upgradeAvailable} queued: Paved is opening the pull request.`);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const done = instance.status === "pull_request_open" || instance.status === "completed";
  const lastStep = instance.createdRepo
    ? "Repository created"
    : instance.status === "completed" && !instance.pullRequestUrl
      ? "Already up to date: the repository has these files"
      : "Pull request open";

  return (
    <div className="space-y-6">
      <Card>
        <CardBody>
          <ol className="flex flex-wrap items-center gap-x-6 gap-y-3" data-testid="instance-progress">
            {STEPS.map(([step, label]) => {
              const state = stepState(instance.status, step);
              return (
                <li key={step} className="flex items-center gap-2 text-sm">
                  {state === "done" ? (
                    <CheckCircle2 className="size-5 text-success" aria-hidden />
                  ) : state === "current" ? (
                    <Loader2 className="size-5 animate-spin text-accent" aria-hidden />
                  ) : state === "failed" ? (
                    <XCircle className="size-5 text-danger" aria-hidden />
                  ) : (
                    <CircleDashed className="size-5 text-subtle" aria-hidden />
                  )}
                  <span className={cn(state === "todo" ? "text-subtle" : "font-medium")}>{step === "done" ? lastStep : label}</span>
                </li>
              );
            })}
            <li className="ml-auto">
              <InstanceStatusBadge status={instance.status} />
            </li>
          </ol>
          {instance.error ? (
            <p className={cn("mt-4 rounded-md px-3 py-2 text-sm", instance.status === "failed" ? "bg-danger-soft text-danger" : "bg-warning-soft text-warning")} data-testid="instance-error">
              {instance.error}
            </p>
          ) : null}
          {done ? (
            <div className="mt-4 flex flex-wrap items-center gap-3">
              {instance.pullRequestUrl ? (
                <Button asChild data-testid="open-pull-request">
                  <Link href={instance.pullRequestUrl}>
                    <GitPullRequest /> Open pull request #{instance.pullRequestNumber}
                  </Link>
                </Button>
              ) : null}
              {instance.repoUrl ? (
                <Button asChild variant="secondary">
                  <Link href={instance.repoUrl}>
                    <ExternalLink /> {instance.repo}
                  </Link>
                </Button>
              ) : null}
            </div>
          ) : null}
        </CardBody>
      </Card>

      {instance.upgradeAvailable && done ? (
        <Card>
          <CardHeader
            title={`Version ${instance.upgradeAvailable} is available`}
            description={`This repository runs ${instance.version}. Paved re-renders the files with the same parameters and opens a pull request with the changelog.`}
            actions={
              canUpgrade ? (
                <Button onClick={() => upgrade.mutate()} loading={upgrade.isPending} data-testid="upgrade-instance">
                  <ArrowUpCircle /> Open upgrade pull request
                </Button>
              ) : null
            }
          />
        </Card>
      ) : null}

      {instance.upgrades.length ? (
        <Card>
          <CardHeader title="Upgrades" />
          <Table>
            <THead>
              <tr>
                <Th>From → to</Th>
                <Th>Status</Th>
                <Th>Pull request</Th>
                <Th>Requested</Th>
              </tr>
            </THead>
            <TBody>
              {instance.upgrades.map((u) => (
                <Tr key={u.id}>
                  <Td className="font-mono text-xs">
                    {u.fromVersion} → {u.toVersion}
                  </Td>
                  <Td>
                    <InstanceStatusBadge status={u.status} />
                    {u.error ? <div className="mt-1 text-xs text-danger">{u.error}</div> : null}
                  </Td>
                  <Td>
                    {u.pullRequestUrl ? (
                      <Link className="text-accent hover:underline" href={u.pullRequestUrl}>
                        #{u.pullRequestNumber}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </Td>
                  <Td className="text-muted">{relativeTime(u.createdAt)}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}

      <Card>
        <CardHeader title="Parameters" />
        <Table>
          <TBody>
            {Object.entries(instance.parameters).map(([k, v]) => (
              <Tr key={k}>
                <Td className="w-64">
                  <code className="font-mono text-xs">{k}</code>
                </Td>
                <Td>
                  <code className="font-mono text-xs">{JSON.stringify(v)}</code>
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      </Card>
    </div>
  );
}
