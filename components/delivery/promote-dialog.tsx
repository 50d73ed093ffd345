"use client";

// Asking for a promotion: a source and a target environment, the services whose versions differ
// between them (none pre-checked), each carrying the source's version (editable, for experts),
// and a reason. The server checks everything again; its field errors come back inline and any
// other refusal (an unknown version, promoting past an environment) above the buttons.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ArrowRight, Pencil, Rocket } from "lucide-react";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { StrategyBadge } from "@/components/services/strategy";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import type { PromotionDto } from "@/lib/delivery/schemas";
import type { Strategy } from "@/lib/services/schemas";
import { MATRIX_POLL_MS, fetchMatrix, matrixQueryKey } from "./matrix";
import { defaultPair, promotionCandidates } from "./matrix-model";

interface Environment {
  name: string;
  displayName: string;
  protected: boolean;
  requiredApprovals: number;
}

export function PromoteButton({ environments }: { environments: Environment[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <Button onClick={() => setOpen(true)} data-testid="promote-button">
        <Rocket aria-hidden /> Promote
      </Button>
      {open ? <PromoteDialogBody environments={environments} onDone={() => setOpen(false)} /> : null}
    </Dialog>
  );
}

function PromoteDialogBody({ environments, onDone }: { environments: Environment[]; onDone: () => void }) {
  const router = useRouter();
  const qc = useQueryClient();
  const initialPair = defaultPair(environments);
  const [source, setSource] = useState(initialPair.source);
  const [target, setTarget] = useState(initialPair.target);
  const [checked, setChecked] = useState<Record<string, boolean>>({});
  const [versions, setVersions] = useState<Record<string, string>>({});
  const [editing, setEditing] = useState<Record<string, boolean>>({});
  const [reason, setReason] = useState("");
  // Every service, whatever the page's team filter: a promotion may span teams.
  const matrix = useQuery({ queryKey: matrixQueryKey(""), queryFn: () => fetchMatrix(""), refetchInterval: MATRIX_POLL_MS });
  const candidates = useMemo(() => (matrix.data ? promotionCandidates(matrix.data, source, target) : []), [matrix.data, source, target]);
  const selected = candidates.filter((c) => checked[c.name]);
  const targetEnv = environments.find((e) => e.name === target);
  const backwards = environments.findIndex((e) => e.name === source) > environments.findIndex((e) => e.name === target);

  const submit = useMutation({
    mutationFn: (services: { name: string; version: string }[]) =>
      api<PromotionDto>("/api/v1/promotions", { method: "POST", body: { environment: target, sourceEnvironment: source, services, reason: reason.trim() } }),
    onSuccess: (p) => {
      toast.success(`Promotion #${p.number} to ${p.environment} requested.`, { description: p.ready ? "Its gates are open: it can run." : "It waits for its gates." });
      void qc.invalidateQueries({ queryKey: ["delivery"] });
      onDone();
      router.push(`/delivery/promotions/${p.id}`);
    },
  });

  // Field errors name the submitted services by index ("services.1.version"): map them back.
  const err = submit.error instanceof ApiError ? submit.error : null;
  const fields = err?.fieldErrors() ?? {};
  const serviceError = (name: string) => {
    const i = submit.variables?.findIndex((s) => s.name === name) ?? -1;
    return i >= 0 ? (fields[`services.${i}.version`] ?? fields[`services.${i}.name`] ?? fields[`services.${i}`]) : undefined;
  };
  const listError = fields.services;
  const generalError = submit.error ? (err ? err.message : (submit.error as Error).message) : null;

  const changePair = (next: { source?: string; target?: string }) => {
    if (next.source !== undefined) setSource(next.source);
    if (next.target !== undefined) setTarget(next.target);
    setChecked({});
    setVersions({});
    setEditing({});
    submit.reset();
  };

  return (
    <DialogContent
      title="Promote"
      description="Carry versions from one environment to the next. Nothing is deployed until the promotion's gates pass and someone runs it."
      className="max-w-2xl"
    >
      <form
        className="space-y-4"
        data-testid="promote-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate(selected.map((c) => ({ name: c.name, version: (versions[c.name] ?? c.to).trim() })));
        }}
      >
        <div className="grid grid-cols-[1fr_auto_1fr] items-end gap-3">
          <div>
            <Label htmlFor="promote-source">From</Label>
            <NativeSelect id="promote-source" className="mt-1" value={source} onChange={(e) => changePair({ source: e.target.value })} data-testid="promote-source">
              {environments.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.displayName}
                </option>
              ))}
            </NativeSelect>
            <FieldError>{fields.sourceEnvironment}</FieldError>
          </div>
          <ArrowRight className="mb-2.5 size-4 text-subtle" aria-hidden />
          <div>
            <Label htmlFor="promote-target">To</Label>
            <NativeSelect id="promote-target" className="mt-1" value={target} onChange={(e) => changePair({ target: e.target.value })} data-testid="promote-target">
              {environments.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.displayName}
                  {e.protected ? " (protected)" : ""}
                </option>
              ))}
            </NativeSelect>
            <FieldError>{fields.environment}</FieldError>
          </div>
        </div>
        {targetEnv ? (
          <p className="text-xs text-muted">
            {targetEnv.displayName}
            {targetEnv.protected ? " is protected" : " is not protected"} and needs{" "}
            {targetEnv.requiredApprovals ? `${targetEnv.requiredApprovals} approval${targetEnv.requiredApprovals > 1 ? "s" : ""} from a release manager other than you` : "no approval"}.
            {backwards ? " You are promoting backwards, from a later environment to an earlier one." : ""}
          </p>
        ) : null}

        <fieldset>
          <legend className="text-sm font-medium">Services that differ</legend>
          <div className="mt-2 max-h-[40vh] overflow-y-auto rounded-md border border-border" data-testid="promote-services">
            {source === target ? (
              <p className="px-3 py-4 text-sm text-muted">Choose two different environments.</p>
            ) : matrix.isPending ? (
              <div className="space-y-2 p-3">
                <Skeleton className="h-8" />
                <Skeleton className="h-8" />
              </div>
            ) : matrix.error ? (
              <p className="px-3 py-4 text-sm text-danger">The environments could not be read: {(matrix.error as Error).message}</p>
            ) : candidates.length === 0 ? (
              <p className="px-3 py-4 text-sm text-muted" data-testid="promote-nothing">
                Every service runs the same version in both environments: nothing to promote.
              </p>
            ) : (
              <ul className="divide-y divide-border">
                {candidates.map((c) => {
                  const on = Boolean(checked[c.name]);
                  const version = versions[c.name] ?? c.to;
                  const fieldError = on ? serviceError(c.name) : undefined;
                  return (
                    <li key={c.name} className={cn("px-3 py-2", on && "bg-accent-soft/40")} data-testid={`promote-row-${c.name}`}>
                      <div className="flex items-center gap-3">
                        <input
                          type="checkbox"
                          id={`promote-check-${c.name}`}
                          checked={on}
                          onChange={(e) => setChecked((x) => ({ ...x, [c.name]: e.target.checked }))}
                          data-testid={`promote-check-${c.name}`}
                        />
                        <label htmlFor={`promote-check-${c.name}`} className="flex min-w-0 flex-1 items-center gap-2">
                          <span className="size-2 shrink-0 rounded-full" style={{ background: c.teamColor }} title={c.team} aria-hidden />
                          <span className="truncate font-mono text-sm font-medium">{c.name}</span>
                          <StrategyBadge strategy={c.strategy as Strategy} />
                        </label>
                        <span className="flex items-center gap-1.5 font-mono text-xs" data-testid={`promote-versions-${c.name}`}>
                          <span className="text-muted">{c.from ?? "—"}</span>
                          <ArrowRight className="size-3 text-subtle" aria-hidden />
                          {editing[c.name] ? (
                            <Input
                              aria-label={`Version of ${c.name} to promote`}
                              value={version}
                              onChange={(e) => setVersions((x) => ({ ...x, [c.name]: e.target.value }))}
                              className="h-7 w-32 font-mono text-xs"
                              aria-invalid={fieldError ? true : undefined}
                              data-testid={`promote-version-${c.name}`}
                            />
                          ) : (
                            <span className="font-semibold">{version}</span>
                          )}
                          <button
                            type="button"
                            className="rounded p-1 text-subtle hover:bg-surface-2 hover:text-foreground"
                            onClick={() => setEditing((x) => ({ ...x, [c.name]: !x[c.name] }))}
                            aria-label={`Choose another version of ${c.name}`}
                            title="Choose another version (experts)"
                            data-testid={`promote-edit-${c.name}`}
                          >
                            <Pencil className="size-3" aria-hidden />
                          </button>
                        </span>
                      </div>
                      <FieldError>{fieldError}</FieldError>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
          <FieldError>{listError}</FieldError>
          <p className="mt-1 text-xs text-subtle">
            {selected.length} of {candidates.length} selected. Versions come from {environments.find((e) => e.name === source)?.displayName ?? source}; the pencil picks another one.
          </p>
        </fieldset>

        <div>
          <Label htmlFor="promote-reason">Reason</Label>
          <textarea
            id="promote-reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={500}
            rows={2}
            placeholder="What this release brings, a ticket…"
            className="mt-1 w-full rounded-md border border-border-strong bg-surface px-3 py-2 text-sm shadow-xs focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
            data-testid="promote-reason"
          />
          <FieldError>{fields.reason}</FieldError>
        </div>

        {generalError ? (
          <div className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" data-testid="promote-error">
            {generalError}
          </div>
        ) : null}

        <DialogFooter>
          <Button type="submit" loading={submit.isPending} disabled={selected.length === 0 || source === target} data-testid="promote-submit">
            Request promotion{selected.length ? ` of ${selected.length}` : ""}
          </Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}
