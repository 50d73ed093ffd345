"use client";

// Editing an environment's delivery settings: protection and approvals, how promotions land in
// git, automatic rollback and drift reconciliation, the branch of branch-per-environment
// repositories, and the cross-service integration tests a promotion waits for. The server
// validates everything again (PATCH /api/v1/environments/{name}); its field errors come back
// under the field they name.
import { useMutation } from "@tanstack/react-query";
import { Settings2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import type { EnvironmentDto, IntegrationCheck } from "@/lib/gitops/environments";

type CheckKind = "none" | "workflow" | "http";

function initialForm(env: EnvironmentDto) {
  const check = env.integrationTests;
  return {
    protected: env.protected,
    requiredApprovals: String(env.requiredApprovals),
    promotionMode: env.promotionMode,
    autoRollback: env.autoRollback,
    autoReconcile: env.autoReconcile,
    branch: env.branch ?? "",
    checkKind: (check?.kind ?? "none") as CheckKind,
    repository: check?.kind === "workflow" ? check.repository : "",
    workflow: check?.kind === "workflow" ? check.workflow : "integration-tests.yml",
    ref: check?.kind === "workflow" ? (check.ref ?? "") : "",
    url: check?.kind === "http" ? check.url : "",
    expectedStatus: check?.kind === "http" ? String(check.expectedStatus) : "200",
    timeoutSeconds: String(check?.timeoutSeconds ?? ""),
  };
}

function integrationCheck(form: ReturnType<typeof initialForm>): IntegrationCheck | null {
  const timeout = form.timeoutSeconds.trim() ? Number(form.timeoutSeconds) : undefined;
  if (form.checkKind === "workflow") {
    return { kind: "workflow", repository: form.repository.trim(), workflow: form.workflow.trim(), ref: form.ref.trim() || null, timeoutSeconds: timeout ?? 1800 };
  }
  if (form.checkKind === "http") return { kind: "http", url: form.url.trim(), expectedStatus: Number(form.expectedStatus), timeoutSeconds: timeout ?? 10 };
  return null;
}

function Toggle({ id, label, hint, checked, onChange }: { id: string; label: string; hint: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <label htmlFor={id} className="flex items-start gap-2.5 text-sm">
      <input id={id} type="checkbox" className="mt-0.5 size-4" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      <span>
        <span className="font-medium">{label}</span>
        <span className="block text-xs text-subtle">{hint}</span>
      </span>
    </label>
  );
}

export function EditEnvironmentButton({ environment }: { environment: EnvironmentDto }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(() => initialForm(environment));
  const save = useMutation({
    mutationFn: () =>
      api<EnvironmentDto>(`/api/v1/environments/${environment.name}`, {
        method: "PATCH",
        body: {
          protected: form.protected,
          requiredApprovals: Number(form.requiredApprovals),
          promotionMode: form.promotionMode,
          autoRollback: form.autoRollback,
          autoReconcile: form.autoReconcile,
          branch: form.branch.trim() || null,
          integrationTests: integrationCheck(form),
        },
      }),
    onSuccess: () => {
      toast.success(`Saved the settings of ${environment.displayName}.`);
      setOpen(false);
      router.refresh();
    },
  });
  const errors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const checkError = (field: string) => errors[`integrationTests.${field}`];

  return (
    <>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => {
          save.reset();
          setForm(initialForm(environment));
          setOpen(true);
        }}
        data-testid={`edit-environment-${environment.name}`}
      >
        <Settings2 /> Settings
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title={`${environment.displayName} settings`}
          description="How promotions into this environment are gated and land in git. Every change is audited."
          className="max-h-[90vh] max-w-2xl overflow-y-auto"
        >
          <form className="space-y-5" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
            <div className="grid gap-3 sm:grid-cols-2">
              <div>
                <Label htmlFor="env-approvals">Approvals required</Label>
                <Input id="env-approvals" type="number" min={0} max={5} className="mt-1" value={form.requiredApprovals} onChange={set("requiredApprovals")} aria-invalid={Boolean(errors.requiredApprovals)} />
                <p className="mt-1 text-xs text-subtle">Release managers other than the requester.</p>
                <FieldError>{errors.requiredApprovals}</FieldError>
              </div>
              <div>
                <Label htmlFor="env-mode">Promotions land</Label>
                <NativeSelect id="env-mode" className="mt-1" value={form.promotionMode} onChange={set("promotionMode")}>
                  <option value="pull_request">Through a pull request Paved merges</option>
                  <option value="direct">As direct commits</option>
                </NativeSelect>
              </div>
            </div>
            <div className="grid gap-3 sm:grid-cols-3">
              <Toggle id="env-protected" label="Protected" hint="Promotions need approvals and pass every gate." checked={form.protected} onChange={(v) => setForm({ ...form, protected: v })} />
              <Toggle id="env-rollback" label="Roll back automatically" hint="A failed run reverts what it changed, dependents first." checked={form.autoRollback} onChange={(v) => setForm({ ...form, autoRollback: v })} />
              <Toggle id="env-reconcile" label="Reconcile drift" hint="Out-of-sync applications are synced back to git." checked={form.autoReconcile} onChange={(v) => setForm({ ...form, autoReconcile: v })} />
            </div>
            <div>
              <Label htmlFor="env-branch">Branch</Label>
              <Input id="env-branch" className="mt-1 font-mono" value={form.branch} onChange={set("branch")} placeholder="(the repository's default branch)" aria-invalid={Boolean(errors.branch)} />
              <p className="mt-1 text-xs text-subtle">For branch-per-environment GitOps repositories: where this environment&apos;s overlays live.</p>
              <FieldError>{errors.branch}</FieldError>
            </div>
            <fieldset className="space-y-3 rounded-md border border-border p-4">
              <legend className="px-1 text-sm font-medium">Cross-service integration tests</legend>
              <p className="text-xs text-subtle">Run before the first wave of every promotion into this environment; a failure stops the run before anything is deployed.</p>
              <NativeSelect aria-label="Integration tests" value={form.checkKind} onChange={set("checkKind")} data-testid="env-check-kind">
                <option value="none">None</option>
                <option value="workflow">A GitHub Actions workflow run</option>
                <option value="http">An HTTP check</option>
              </NativeSelect>
              {form.checkKind === "workflow" ? (
                <div className="grid gap-3 sm:grid-cols-2">
                  <div>
                    <Label htmlFor="env-repo">Repository</Label>
                    <Input id="env-repo" className="mt-1 font-mono" value={form.repository} onChange={set("repository")} placeholder="acme/integration-tests" aria-invalid={Boolean(checkError("repository"))} />
                    <FieldError>{checkError("repository")}</FieldError>
                  </div>
                  <div>
                    <Label htmlFor="env-workflow">Workflow file</Label>
                    <Input id="env-workflow" className="mt-1 font-mono" value={form.workflow} onChange={set("workflow")} aria-invalid={Boolean(checkError("workflow"))} />
                    <p className="mt-1 text-xs text-subtle">Under .github/workflows, with a workflow_dispatch trigger.</p>
                    <FieldError>{checkError("workflow")}</FieldError>
                  </div>
                  <div>
                    <Label htmlFor="env-ref">Branch</Label>
                    <Input id="env-ref" className="mt-1 font-mono" value={form.ref} onChange={set("ref")} placeholder="(default branch)" aria-invalid={Boolean(checkError("ref"))} />
                    <FieldError>{checkError("ref")}</FieldError>
                  </div>
                  <div>
                    <Label htmlFor="env-timeout">Timeout (seconds)</Label>
                    <Input id="env-timeout" type="number" className="mt-1" value={form.timeoutSeconds} onChange={set("timeoutSeconds")} placeholder="1800" aria-invalid={Boolean(checkError("timeoutSeconds"))} />
                    <FieldError>{checkError("timeoutSeconds")}</FieldError>
                  </div>
                </div>
              ) : form.checkKind === "http" ? (
                <div className="grid gap-3 sm:grid-cols-[1fr_8rem_8rem]">
                  <div>
                    <Label htmlFor="env-url">URL</Label>
                    <Input id="env-url" className="mt-1 font-mono" value={form.url} onChange={set("url")} placeholder="https://tests.internal/run?env=staging" aria-invalid={Boolean(checkError("url"))} />
                    <FieldError>{checkError("url")}</FieldError>
                  </div>
                  <div>
                    <Label htmlFor="env-status">Expected status</Label>
                    <Input id="env-status" type="number" className="mt-1" value={form.expectedStatus} onChange={set("expectedStatus")} aria-invalid={Boolean(checkError("expectedStatus"))} />
                    <FieldError>{checkError("expectedStatus")}</FieldError>
                  </div>
                  <div>
                    <Label htmlFor="env-http-timeout">Timeout (s)</Label>
                    <Input id="env-http-timeout" type="number" className="mt-1" value={form.timeoutSeconds} onChange={set("timeoutSeconds")} placeholder="10" aria-invalid={Boolean(checkError("timeoutSeconds"))} />
                    <FieldError>{checkError("timeoutSeconds")}</FieldError>
                  </div>
                </div>
              ) : null}
            </fieldset>
            {save.error && Object.keys(errors).length === 0 ? (
              <p className="text-sm text-danger" role="alert">
                {(save.error as Error).message}
              </p>
            ) : null}
            <DialogFooter>
              <Button type="submit" loading={save.isPending} data-testid="save-environment">
                Save settings
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
