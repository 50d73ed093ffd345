"use client";

// Editing one service's dependencies from its page, and deleting a service. Both send the graph
// revision the page was rendered with: if someone changed the graph meanwhile the server answers
// 409 and the page reloads with the current graph.
import { useMutation } from "@tanstack/react-query";
import { Plus, Trash2, X } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import Link from "next/link";

function conflictMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return (e as Error).message;
  const cycle = e.details?.cycle as string[] | undefined;
  if (cycle) return `Refused: that would close a dependency cycle ${cycle.join(" → ")}.`;
  return e.message;
}

export function DependencyEditor({ service, dependsOn, candidates, revision, canEdit }: { service: string; dependsOn: string[]; candidates: string[]; revision: number; canEdit: boolean }) {
  const router = useRouter();
  const [adding, setAdding] = useState("");
  const save = useMutation({
    mutationFn: (next: string[]) => api(`/api/v1/services/${service}/dependencies`, { method: "PUT", body: { dependsOn: next, revision } }),
    onSuccess: () => {
      setAdding("");
      router.refresh();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409 && !e.details?.cycle) {
        toast.error("The graph changed since this page loaded; it has been reloaded. Try again.");
        router.refresh();
      }
    },
  });
  const options = candidates.filter((c) => c !== service && !dependsOn.includes(c));
  return (
    <div className="space-y-3" data-testid="dependency-editor">
      {dependsOn.length === 0 ? <p className="text-sm text-muted">No dependencies: it can deploy in the first wave.</p> : null}
      <ul className="flex flex-wrap gap-2">
        {dependsOn.map((d) => (
          <li key={d} className="inline-flex items-center gap-1 rounded-md border border-border bg-surface-2 py-0.5 pl-2 pr-1 font-mono text-xs">
            <Link href={`/services/${d}`} className="hover:underline">
              {d}
            </Link>
            {canEdit ? (
              <button
                type="button"
                className="rounded p-0.5 text-subtle hover:bg-surface hover:text-danger"
                aria-label={`Remove the dependency on ${d}`}
                disabled={save.isPending}
                onClick={() => save.mutate(dependsOn.filter((x) => x !== d))}
              >
                <X className="size-3.5" />
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {canEdit ? (
        <form
          className="flex max-w-md gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding.trim()) save.mutate([...dependsOn, adding.trim()]);
          }}
        >
          <Input list="dependency-candidates" aria-label="Add a dependency" placeholder="Add a dependency…" value={adding} onChange={(e) => setAdding(e.target.value)} data-testid="add-dependency" />
          <datalist id="dependency-candidates">
            {options.slice(0, 2000).map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <Button type="submit" variant="secondary" loading={save.isPending} disabled={!adding.trim()}>
            <Plus /> Add
          </Button>
        </form>
      ) : null}
      {save.error && !(save.error instanceof ApiError && save.error.status === 409 && !save.error.details?.cycle) ? (
        <p className="text-sm text-danger" role="alert" data-testid="dependency-error">
          {conflictMessage(save.error)}
        </p>
      ) : null}
    </div>
  );
}

export function DeleteServiceButton({ service, dependents, revision }: { service: string; dependents: string[]; revision: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => api(`/api/v1/services/${service}?force=true&revision=${revision}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success(`Deleted ${service}.`);
      setOpen(false);
      router.push("/services");
      router.refresh();
    },
  });
  return (
    <>
      <Button variant="ghost" onClick={() => (remove.reset(), setOpen(true))} data-testid="delete-service">
        <Trash2 /> Delete
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={`Delete ${service}?`} description="This removes the service from Paved and from the dependency graph. It cannot be undone; the audit trail keeps a record.">
          {dependents.length ? (
            <p className="mb-4 rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-sm" data-testid="delete-dependents">
              <strong>{dependents.join(", ")}</strong> {dependents.length > 1 ? "depend" : "depends"} on {service}. Deleting it removes {dependents.length > 1 ? "those dependencies" : "that dependency"} too.
            </p>
          ) : null}
          {remove.error ? (
            <p className="mb-4 text-sm text-danger" role="alert">
              {(remove.error as Error).message}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="danger" loading={remove.isPending} onClick={() => remove.mutate()} data-testid="confirm-delete">
              Delete {service}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
