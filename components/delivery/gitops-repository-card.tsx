"use client";

// The GitOps repository: whether it exists, which services it lays out and which environment
// branches it has, and — for those who manage environments — creating it from the catalog's
// gitops-app template (a job: the card follows it until it is done).
import { useMutation, useQuery } from "@tanstack/react-query";
import { ExternalLink, FolderGit2, GitBranch, Loader2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldError, Input, Label } from "@/components/ui/input";
import type { GitOpsRepositoryDto, GitOpsRepositoryPlanDto } from "@/lib/gitops/create-repository";

const RUNNING = new Set(["created", "retry", "active"]);

export function GitOpsRepositoryCard({ initial, canCreate }: { initial: GitOpsRepositoryDto; canCreate: boolean }) {
  const [registry, setRegistry] = useState("");
  /** The job the person just started: polled until the card shows it finished. */
  const [started, setStarted] = useState<string | null>(null);
  const repo = useQuery({
    queryKey: ["gitops-repository"],
    queryFn: () => api<GitOpsRepositoryDto>("/api/v1/gitops/repository"),
    initialData: initial,
    refetchInterval: (q) => {
      const job = q.state.data?.job;
      const waiting = started !== null && job?.id !== started;
      return waiting || RUNNING.has(job?.state ?? "") ? 1500 : false;
    },
  });
  const data = repo.data;
  const running = RUNNING.has(data.job?.state ?? "");
  const create = useMutation({
    mutationFn: () => api<GitOpsRepositoryPlanDto>("/api/v1/gitops/repository", { method: "POST", body: registry.trim() ? { registry: registry.trim() } : {} }),
    onSuccess: (plan) => {
      toast.success(`Creating ${plan.repository}: ${plan.files} files for ${plan.services.length} services.`);
      setStarted(plan.jobId);
      void repo.refetch();
    },
  });
  const errors = create.error instanceof ApiError ? create.error.fieldErrors() : {};
  const missing = data.services.filter((s) => !s.inRepository);

  return (
    <Card data-testid="gitops-repository">
      <CardHeader
        title={
          <span className="flex items-center gap-2">
            <FolderGit2 className="size-4 text-muted" aria-hidden /> GitOps repository
          </span>
        }
        description="The source of truth every promotion commits to: apps/<service>/base and overlays/<environment>, infrastructure/, policies/."
        actions={
          data.webUrl ? (
            <a href={data.webUrl} target="_blank" rel="noreferrer" className="inline-flex items-center gap-1 text-sm text-accent hover:underline">
              Open <ExternalLink className="size-3.5" aria-hidden />
            </a>
          ) : null
        }
      />
      <CardBody className="space-y-4 text-sm">
        <div className="flex flex-wrap items-center gap-3">
          <code className="font-mono">{data.repository}</code>
          {data.exists ? <Badge tone="success">exists</Badge> : <Badge tone="warning">not created yet</Badge>}
          {data.defaultBranch ? (
            <span className="inline-flex items-center gap-1 text-muted">
              <GitBranch className="size-3.5" aria-hidden /> {data.defaultBranch}
              {data.revision ? <code className="font-mono text-xs text-subtle">@{data.revision.slice(0, 7)}</code> : null}
            </span>
          ) : null}
        </div>
        <div className="flex flex-wrap gap-2">
          {data.environments.map((e) => (
            <span key={e.name} className="inline-flex items-center gap-1.5 rounded-md border border-border px-2 py-1 text-xs">
              <span className="font-medium">{e.name}</span>
              <span className="font-mono text-subtle">{e.branch ?? data.defaultBranch ?? "default branch"}</span>
              {e.exists ? null : <Badge tone="warning">branch missing</Badge>}
            </span>
          ))}
        </div>
        <p className="text-muted">
          {data.services.length - missing.length} of {data.services.length} services are laid out in the repository
          {missing.length ? (
            <>
              ; missing: <span className="font-mono text-xs">{missing.slice(0, 8).map((s) => s.name).join(", ")}</span>
              {missing.length > 8 ? ` and ${missing.length - 8} more` : ""}
            </>
          ) : (
            "."
          )}
        </p>
        {data.job ? (
          <p className="flex items-center gap-2 text-muted" data-testid="gitops-repository-job" aria-live="polite">
            {running ? <Loader2 className="size-4 animate-spin" aria-hidden /> : null}
            Last creation job: <Badge tone={data.job.state === "completed" ? "success" : data.job.state === "failed" ? "danger" : "info"}>{data.job.state}</Badge>
            <span className="text-xs text-subtle">{new Date(data.job.createdAt).toLocaleString("en-GB")}</span>
          </p>
        ) : null}
        {canCreate && (!data.exists || missing.length > 0) ? (
          <form className="flex flex-wrap items-end gap-3 border-t border-border pt-4" onSubmit={(e) => (e.preventDefault(), create.mutate())}>
            <div className="min-w-64 flex-1">
              <Label htmlFor="gitops-registry">Image registry</Label>
              <Input id="gitops-registry" className="mt-1 font-mono" value={registry} onChange={(e) => setRegistry(e.target.value)} placeholder="ghcr.io/acme (default: ghcr.io/<owner>)" aria-invalid={Boolean(errors.registry)} />
              <FieldError>{errors.registry}</FieldError>
            </div>
            <Button type="submit" loading={create.isPending || running} data-testid="create-gitops-repository">
              {data.exists ? "Add the missing services" : "Create from the gitops-app template"}
            </Button>
            {create.error && !Object.keys(errors).length ? (
              <p className="w-full text-sm text-danger" role="alert">
                {(create.error as Error).message}
              </p>
            ) : null}
          </form>
        ) : null}
      </CardBody>
    </Card>
  );
}
