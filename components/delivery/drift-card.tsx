"use client";

// Drift: applications whose live state differs from what git says, each differing resource as a
// unified diff from git (target) to the cluster (live), and a Reconcile button that syncs the
// application back to git.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, GitCompareArrows, RefreshCcw, ShieldCheck } from "lucide-react";
import { createTwoFilesPatch } from "diff";
import { useState } from "react";
import { toast } from "sonner";
import { api } from "@/components/api";
import { DiffView } from "@/components/code/code-view";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Skeleton } from "@/components/ui/skeleton";
import type { DriftDto } from "@/lib/delivery/schemas";
import type { z } from "zod";
import { HealthLabel } from "./status";

type Drift = z.infer<typeof DriftDto>;
type Resource = Drift["items"][number]["resources"][number];

/** Argo CD sends states as JSON strings: indent them so that the diff is line by line. */
function pretty(state: string | null): string {
  if (state === null) return "";
  try {
    return `${JSON.stringify(JSON.parse(state), null, 2)}\n`;
  } catch {
    return state.endsWith("\n") ? state : `${state}\n`;
  }
}

function ResourceDiff({ resource }: { resource: Resource }) {
  const [open, setOpen] = useState(false);
  const label = `${resource.kind}/${resource.name}`;
  const patch = open ? createTwoFilesPatch(`git: ${label}`, `live: ${label}`, pretty(resource.targetState), pretty(resource.liveState), "", "", { context: 2 }) : "";
  return (
    <li>
      <button type="button" className="flex items-center gap-1 text-left text-xs hover:text-foreground" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
        {open ? <ChevronDown className="size-3.5 shrink-0" aria-hidden /> : <ChevronRight className="size-3.5 shrink-0" aria-hidden />}
        <code className="font-mono">{label}</code>
        <span className="text-subtle">· show git vs live</span>
        {resource.liveState === null ? <span className="text-danger">missing live</span> : resource.targetState === null ? <span className="text-warning">not in git</span> : null}
      </button>
      {open ? <DiffView patch={patch} className="mt-1 max-h-80" testId="drift-diff" /> : null}
    </li>
  );
}

export function DriftCard({ canReconcile }: { canReconcile: boolean }) {
  const qc = useQueryClient();
  const { data, error, isPending } = useQuery({ queryKey: ["delivery", "drift"], queryFn: () => api<Drift>("/api/v1/drift"), refetchInterval: 10_000 });
  const reconcile = useMutation({
    mutationFn: (application: string) => api<{ application: string; operation: string | null }>(`/api/v1/drift/${application}/reconcile`, { method: "POST" }),
    onSuccess: (r) => {
      toast.success(`Syncing ${r.application} back to git.`, { description: r.operation ? `Operation: ${r.operation}` : undefined });
      void qc.invalidateQueries({ queryKey: ["delivery"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Card data-testid="drift-card" id="drift">
      <CardHeader
        title={
          <span className="inline-flex items-center gap-2">
            <GitCompareArrows className="size-4 text-muted" aria-hidden /> Drift
          </span>
        }
        description="Live state that differs from git, per application."
      />
      {isPending ? (
        <div className="space-y-2 p-5">
          <Skeleton className="h-8" />
        </div>
      ) : error ? (
        <p className="px-5 py-4 text-sm text-danger">Drift could not be checked: {(error as Error).message}</p>
      ) : data.items.length === 0 ? (
        <EmptyState icon={ShieldCheck} title="No drift" className="py-8">
          Every application matches git.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {data.items.map((d) => (
            <li key={d.application} className="space-y-2 px-5 py-3" data-testid={`drift-${d.application}`}>
              <div className="flex items-center justify-between gap-3">
                <div className="min-w-0">
                  <div className="truncate font-mono text-sm font-medium">{d.application}</div>
                  <div className="flex flex-wrap items-center gap-x-1.5 text-xs text-muted">
                    <span>
                      {d.service} in {d.environment}
                    </span>
                    <span aria-hidden>·</span>
                    <HealthLabel health={d.health} />
                    <span aria-hidden>·</span>
                    <span>
                      {d.resources.length} resource{d.resources.length === 1 ? " differs" : "s differ"}
                    </span>
                  </div>
                </div>
                {canReconcile ? (
                  <Button
                    size="sm"
                    variant="secondary"
                    loading={reconcile.isPending && reconcile.variables === d.application}
                    onClick={() => reconcile.mutate(d.application)}
                    data-testid={`reconcile-${d.application}`}
                  >
                    <RefreshCcw aria-hidden /> Reconcile
                  </Button>
                ) : null}
              </div>
              <ul className="space-y-1 text-muted">
                {d.resources.map((r) => (
                  <ResourceDiff key={`${r.kind}/${r.namespace}/${r.name}`} resource={r} />
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      {data ? <p className="border-t border-border px-5 py-2 text-[11px] text-subtle" suppressHydrationWarning>Checked {new Date(data.checkedAt).toLocaleTimeString()}</p> : null}
    </Card>
  );
}
