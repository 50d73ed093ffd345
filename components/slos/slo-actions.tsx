"use client";

// What one can do to SLOs from their pages: commit every SLO's rules to the GitOps repository
// (slos.write), and delete one SLO (slos.define on its service's team), sending the revision the
// page showed so that a stale page gets a 409 instead of deleting someone else's edit.
import { useMutation } from "@tanstack/react-query";
import { GitCommitHorizontal, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import type { CommitSloRulesResult } from "@/lib/slos/schemas";

export function CommitRulesButton({ repository, sandbox }: { repository: string; sandbox: boolean }) {
  const [open, setOpen] = useState(false);
  const commit = useMutation({
    mutationFn: () => api<CommitSloRulesResult>("/api/v1/slos/rules/commit", { method: "POST" }),
    onSuccess: (r) => {
      if (!r.committed) toast.success(`${r.repository} already holds these rules: nothing to commit.`);
      else toast.success(`Committed ${r.written.length + r.deleted.length} rule file${r.written.length + r.deleted.length === 1 ? "" : "s"} to ${r.repository} (${r.sha.slice(0, 7)}).`);
    },
  });
  const result = commit.data;
  return (
    <>
      <Button variant="secondary" onClick={() => (commit.reset(), setOpen(true))} data-testid="commit-rules">
        <GitCommitHorizontal /> Commit rules
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title="Commit the rules to the GitOps repository"
          description={`Writes every SLO's recording rules and burn-rate alerts to ${repository}, one file per service under monitoring/slos/, in one commit on the default branch. Files of services that no longer have SLOs are removed. Prometheus loads them with rule_files: [monitoring/slos/*.yaml].`}
        >
          {result ? (
            <div className="mb-4 space-y-2 text-sm" data-testid="commit-result">
              {result.committed ? (
                <p>
                  Committed <code className="font-mono text-xs">{result.sha.slice(0, 7)}</code> to {result.repository} ({result.branch}, {result.directory}/): {result.slos} SLOs.
                </p>
              ) : (
                <p>
                  {result.repository} ({result.directory}/) already holds exactly these rules ({result.slos} SLOs): nothing was committed.
                </p>
              )}
              {result.written.length ? <FileList title="Written" files={result.written} /> : null}
              {result.deleted.length ? <FileList title="Removed" files={result.deleted} /> : null}
              {sandbox ? (
                <a className="text-accent hover:underline" href={`/sandbox/repos/${result.repository}`}>
                  Open {result.repository}
                </a>
              ) : null}
            </div>
          ) : null}
          {commit.error ? (
            <p className="mb-4 text-sm text-danger" role="alert" data-testid="commit-error">
              {(commit.error as Error).message}
            </p>
          ) : null}
          <DialogFooter cancelLabel={result ? "Close" : "Cancel"}>
            {result ? null : (
              <Button loading={commit.isPending} onClick={() => commit.mutate()} data-testid="confirm-commit">
                Commit
              </Button>
            )}
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}

function FileList({ title, files }: { title: string; files: string[] }) {
  return (
    <div>
      <p className="text-xs font-medium text-subtle">{title}</p>
      <ul className="mt-1 max-h-40 space-y-0.5 overflow-y-auto">
        {files.map((f) => (
          <li key={f}>
            <code className="font-mono text-xs">{f}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DeleteSloButton({ id, label, revision }: { id: string; label: string; revision: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/slos/${id}?revision=${revision}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success(`Deleted ${label}.`);
      setOpen(false);
      router.push("/slos");
      router.refresh();
    },
  });
  const stale = remove.error instanceof ApiError && remove.error.status === 409;
  return (
    <>
      <Button variant="ghost" onClick={() => (remove.reset(), setOpen(true))} data-testid="delete-slo">
        <Trash2 /> Delete
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={`Delete ${label}?`} description="Its rules disappear from the generated files (commit them again to remove them from Prometheus). The audit trail keeps a record.">
          {remove.error ? (
            <p className="mb-4 text-sm text-danger" role="alert">
              {(remove.error as Error).message}
              {stale ? (
                <>
                  {" "}
                  <button type="button" className="underline" onClick={() => router.refresh()}>
                    Reload
                  </button>
                </>
              ) : null}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="danger" loading={remove.isPending} onClick={() => remove.mutate()} data-testid="confirm-delete-slo">
              Delete
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
