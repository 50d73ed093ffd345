"use client";

// Self-healing's guardrails as SREs change them: the global kill switch (behind a confirmation),
// dry-run mode, the actions allowed per service per hour, the cooldown, the most replicas
// auto-scale may set, and the protected environments' auto-approve rules. Each change is checked
// in the browser with the API's own schema, sent with the revision read (a stale page gets a 409
// instead of overwriting someone else's change) and audited by the API. Without slos.write the
// same values read as text, with no control at all.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { OctagonX, Play, Plus, Power, Trash2 } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { PatchRemediationSettingsBody, PLAYBOOKS, type RemediationSettingsDto } from "@/lib/incidents/schemas";
import { describeRule, ruleForms, rulesOf, settingsPatch, type RuleForm } from "./model";

export interface SettingsEnvironment {
  name: string;
  displayName: string;
  protected: boolean;
}

const QUERY_KEY = ["remediation-settings"] as const;

type Patch = NonNullable<ReturnType<typeof settingsPatch>>;

/** Field errors from the browser's check or the server's answer, keyed by dotted path. */
function issuesOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors() : {};
}

function useSave(what: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (patch: Patch) => {
      const checked = PatchRemediationSettingsBody.safeParse(patch);
      if (!checked.success) {
        const issues = checked.error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === "symbol" ? String(p) : p)), message: i.message }));
        throw new ApiError(400, "invalid_input", `Invalid settings: ${issues[0]?.message ?? "check the fields"}`, { issues });
      }
      return api<RemediationSettingsDto>("/api/v1/remediation-settings", { method: "PATCH", body: patch });
    },
    onSuccess: (s) => {
      qc.setQueryData(QUERY_KEY, s);
      toast.success(`Saved ${what} (revision ${s.revision}).`);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) {
        toast.error("Someone changed the settings since you read them: they are reloaded, make your change again.");
        void qc.invalidateQueries({ queryKey: QUERY_KEY });
      } else if (!(e instanceof ApiError && Object.keys(e.fieldErrors()).length)) {
        toast.error((e as Error).message);
      }
    },
  });
}

function KillSwitch({ settings, canWrite }: { settings: RemediationSettingsDto; canWrite: boolean }) {
  const [open, setOpen] = useState(false);
  const save = useSave("the kill switch");
  const on = settings.killSwitch;
  const turnTo = !on;
  return (
    <Card className={cn("border-2", on ? "border-danger/60 bg-danger-soft/40" : "border-success/40")} data-testid="kill-switch-card">
      <div className="flex flex-wrap items-center justify-between gap-4 px-5 py-5">
        <div className="flex min-w-0 items-start gap-3">
          <span className={cn("mt-0.5 rounded-full p-2", on ? "bg-danger text-white" : "bg-success-soft text-success")}>{on ? <OctagonX className="size-5" aria-hidden /> : <Power className="size-5" aria-hidden />}</span>
          <div className="min-w-0">
            <h2 className="text-base font-semibold" data-testid="kill-switch-state" data-on={on}>
              {on ? "Kill switch on: self-healing runs nothing" : "Self-healing is running"}
            </h2>
            <p className="mt-0.5 max-w-2xl text-sm text-muted">
              {on
                ? "Every page still opens an incident, and every decision is recorded as suppressed by the kill switch. Actions already queued are stopped before they start."
                : "Pages that name a playbook (auto-rollback, auto-scale, restart) run it, within the guardrails below. The kill switch stops every playbook at once, in every environment."}
            </p>
          </div>
        </div>
        {canWrite ? (
          <Button variant={on ? "primary" : "danger"} size="lg" onClick={() => (save.reset(), setOpen(true))} data-testid="kill-switch-toggle">
            {on ? <Play aria-hidden /> : <OctagonX aria-hidden />} {on ? "Resume self-healing" : "Stop all self-healing"}
          </Button>
        ) : null}
      </div>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title={turnTo ? "Turn the kill switch on?" : "Turn the kill switch off?"}
          description={
            turnTo
              ? "No playbook will run for any service, in any environment, until someone turns it off again. Incidents still open and every decision is still recorded."
              : "Playbooks run again for the next pages, within the guardrails (actions per hour, cooldown, approvals, dry-run). Incidents decided while it was on are not run again."
          }
        >
          {save.error ? (
            <p className="mb-4 text-sm text-danger" role="alert">
              {(save.error as Error).message}
            </p>
          ) : null}
          <DialogFooter>
            <Button
              variant={turnTo ? "danger" : "primary"}
              loading={save.isPending}
              onClick={() => save.mutate({ killSwitch: turnTo, revision: settings.revision }, { onSuccess: () => setOpen(false) })}
              data-testid="confirm-kill-switch"
            >
              {turnTo ? "Stop all self-healing" : "Resume self-healing"}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}

function Switch({ id, checked, disabled, onChange, label, testId }: { id: string; checked: boolean; disabled?: boolean; onChange: (v: boolean) => void; label: string; testId: string }) {
  return (
    <button
      id={id}
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cn(
        "relative inline-flex h-6 w-11 shrink-0 items-center rounded-full transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring disabled:opacity-50",
        checked ? "bg-accent" : "bg-border-strong",
      )}
      data-testid={testId}
    >
      <span className={cn("inline-block size-5 rounded-full bg-white shadow transition-transform", checked ? "translate-x-5" : "translate-x-0.5")} />
    </button>
  );
}

function DryRun({ settings, canWrite }: { settings: RemediationSettingsDto; canWrite: boolean }) {
  const save = useSave("dry-run mode");
  return (
    <Card data-testid="dry-run-card">
      <CardBody className="flex items-start justify-between gap-4">
        <div>
          <div className="flex items-center gap-2">
            <h2 className="text-sm font-semibold">Dry-run mode</h2>
            <Badge tone={settings.dryRun ? "info" : "neutral"} data-testid="dry-run-state" data-on={settings.dryRun}>
              {settings.dryRun ? "on" : "off"}
            </Badge>
          </div>
          <p className="mt-0.5 text-sm text-muted">Decide as usual and record what would have run (and whether it would have needed an approval), but act on nothing. For trying new rules safely.</p>
        </div>
        {canWrite ? <Switch id="dry-run" label="Dry-run mode" checked={settings.dryRun} disabled={save.isPending} onChange={(v) => save.mutate({ dryRun: v, revision: settings.revision })} testId="dry-run-toggle" /> : null}
      </CardBody>
    </Card>
  );
}

const LIMITS = [
  { key: "maxActionsPerHour", label: "Actions per service per hour", hint: "At most this many playbooks run for one service in any hour (0: none).", unit: "per hour", min: 0, max: 100 },
  { key: "cooldownMinutes", label: "Cooldown", hint: "After an action on a service, wait this long before the next one.", unit: "minutes", min: 0, max: 1440 },
  { key: "maxReplicas", label: "Most replicas for auto-scale", hint: "auto-scale doubles replicas, never beyond this.", unit: "replicas", min: 1, max: 1000 },
] as const;

type LimitKey = (typeof LIMITS)[number]["key"];

function Limits({ settings, canWrite }: { settings: RemediationSettingsDto; canWrite: boolean }) {
  const [form, setForm] = useState<Record<LimitKey, string>>(() => ({
    maxActionsPerHour: String(settings.maxActionsPerHour),
    cooldownMinutes: String(settings.cooldownMinutes),
    maxReplicas: String(settings.maxReplicas),
  }));
  const save = useSave("the limits");
  const errors = issuesOf(save.error);
  const values = Object.fromEntries(LIMITS.map((l) => [l.key, form[l.key].trim() === "" ? Number.NaN : Number(form[l.key])])) as Record<LimitKey, number>;
  const patch = settingsPatch(settings, values);
  return (
    <Card data-testid="limits-card">
      <CardHeader title="Limits" description="Checked for every decision, in this order after the kill switch and a deployment in progress." />
      <CardBody>
        {canWrite ? (
          <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), patch && save.mutate(patch))}>
            <div className="grid gap-4 md:grid-cols-3">
              {LIMITS.map((l) => (
                <div key={l.key}>
                  <Label htmlFor={`limit-${l.key}`}>{l.label}</Label>
                  <div className="mt-1 flex items-center gap-2">
                    <Input
                      id={`limit-${l.key}`}
                      type="number"
                      inputMode="numeric"
                      min={l.min}
                      max={l.max}
                      step={1}
                      className="w-28 tabular"
                      value={form[l.key]}
                      onChange={(e) => setForm({ ...form, [l.key]: e.target.value })}
                      aria-invalid={Boolean(errors[l.key])}
                      aria-describedby={`limit-${l.key}-hint`}
                      data-testid={`limit-${l.key}`}
                    />
                    <span className="text-sm text-muted">{l.unit}</span>
                  </div>
                  <p id={`limit-${l.key}-hint`} className="mt-1 text-xs text-subtle">
                    {l.hint}
                  </p>
                  <FieldError id={`limit-${l.key}-error`}>{errors[l.key]}</FieldError>
                </div>
              ))}
            </div>
            <div className="flex justify-end">
              <Button type="submit" disabled={!patch} loading={save.isPending} data-testid="save-limits">
                Save limits
              </Button>
            </div>
          </form>
        ) : (
          <dl className="grid gap-4 md:grid-cols-3">
            {LIMITS.map((l) => (
              <div key={l.key}>
                <dt className="text-sm font-medium">{l.label}</dt>
                <dd className="mt-1 text-sm">
                  <span className="tabular font-semibold">{settings[l.key]}</span> <span className="text-muted">{l.unit}</span>
                </dd>
                <dd className="mt-1 text-xs text-subtle">{l.hint}</dd>
              </div>
            ))}
          </dl>
        )}
      </CardBody>
    </Card>
  );
}

function AutoApprove({ settings, canWrite, environments }: { settings: RemediationSettingsDto; canWrite: boolean; environments: SettingsEnvironment[] }) {
  const [rules, setRules] = useState<RuleForm[]>(() => ruleForms(settings.autoApprove));
  const save = useSave("the auto-approve rules");
  const errors = issuesOf(save.error);
  const patch = settingsPatch(settings, { autoApprove: rulesOf(rules) });
  const protectedEnvs = environments.filter((e) => e.protected);
  const setRule = (i: number, rule: Partial<RuleForm>) => setRules(rules.map((r, j) => (j === i ? { ...r, ...rule } : r)));
  return (
    <Card data-testid="auto-approve-card">
      <CardHeader
        title="Auto-approve rules"
        description={`In a protected environment (${protectedEnvs.map((e) => e.displayName).join(", ") || "none today"}) a playbook waits for an approval from someone with promotions.execute, unless a rule here names the environment and the playbook (and the service, when it lists services).`}
      />
      <CardBody className="space-y-3">
        {canWrite ? (
          <form className="space-y-3" onSubmit={(e) => (e.preventDefault(), patch && save.mutate(patch))}>
            {rules.length === 0 ? <p className="text-sm text-muted">No rules: every playbook in a protected environment waits for an approval.</p> : null}
            {rules.map((rule, i) => (
              <fieldset key={i} className="grid gap-3 rounded-md border border-border p-3 md:grid-cols-[12rem_minmax(0,1fr)_minmax(0,1fr)_auto]" data-testid={`rule-${i}`}>
                <legend className="sr-only">Rule {i + 1}</legend>
                <div>
                  <Label htmlFor={`rule-${i}-environment`}>Environment</Label>
                  <NativeSelect id={`rule-${i}-environment`} className="mt-1" value={rule.environment} onChange={(e) => setRule(i, { environment: e.target.value })} aria-invalid={Boolean(errors[`autoApprove.${i}.environment`])}>
                    {environments.map((e) => (
                      <option key={e.name} value={e.name}>
                        {e.displayName}
                        {e.protected ? " (protected)" : ""}
                      </option>
                    ))}
                  </NativeSelect>
                  <FieldError>{errors[`autoApprove.${i}.environment`]}</FieldError>
                </div>
                <div>
                  <span className="text-sm font-medium">Playbooks</span>
                  <div className="mt-2 flex flex-wrap gap-3">
                    {PLAYBOOKS.map((p) => (
                      <label key={p} className="flex items-center gap-1.5 text-sm">
                        <input
                          type="checkbox"
                          checked={rule.playbooks.includes(p)}
                          onChange={(e) => setRule(i, { playbooks: e.target.checked ? PLAYBOOKS.filter((x) => x === p || rule.playbooks.includes(x)) : rule.playbooks.filter((x) => x !== p) })}
                        />
                        <code className="font-mono text-xs">{p}</code>
                      </label>
                    ))}
                  </div>
                  <FieldError>{errors[`autoApprove.${i}.playbooks`]}</FieldError>
                </div>
                <div>
                  <Label htmlFor={`rule-${i}-services`}>Services</Label>
                  <Input id={`rule-${i}-services`} className="mt-1 font-mono" value={rule.services} placeholder="every service" onChange={(e) => setRule(i, { services: e.target.value })} aria-invalid={Object.keys(errors).some((k) => k.startsWith(`autoApprove.${i}.services`))} />
                  <FieldError>{Object.entries(errors).find(([k]) => k.startsWith(`autoApprove.${i}.services`))?.[1]}</FieldError>
                </div>
                <div className="flex items-end">
                  <Button type="button" variant="ghost" size="icon" aria-label={`Remove rule ${i + 1}`} onClick={() => setRules(rules.filter((_, j) => j !== i))}>
                    <Trash2 aria-hidden />
                  </Button>
                </div>
              </fieldset>
            ))}
            {errors.autoApprove ? <FieldError>{errors.autoApprove}</FieldError> : null}
            <div className="flex flex-wrap justify-between gap-2">
              <Button
                type="button"
                variant="secondary"
                onClick={() => setRules([...rules, { environment: protectedEnvs[0]?.name ?? environments[0]?.name ?? "production", playbooks: ["restart"], services: "" }])}
                data-testid="add-rule"
              >
                <Plus aria-hidden /> Add a rule
              </Button>
              <Button type="submit" disabled={!patch} loading={save.isPending} data-testid="save-rules">
                Save rules
              </Button>
            </div>
          </form>
        ) : settings.autoApprove.length ? (
          <ul className="list-disc space-y-1 pl-5 text-sm" data-testid="auto-approve-rules">
            {settings.autoApprove.map((r, i) => (
              <li key={i}>{describeRule(r)}</li>
            ))}
          </ul>
        ) : (
          <p className="text-sm text-muted">No rules: every playbook in a protected environment waits for an approval.</p>
        )}
      </CardBody>
    </Card>
  );
}

export function SelfHealingSettings({ initial, canWrite, environments }: { initial: RemediationSettingsDto; canWrite: boolean; environments: SettingsEnvironment[] }) {
  const { data: settings } = useQuery({
    queryKey: QUERY_KEY,
    queryFn: () => api<RemediationSettingsDto>("/api/v1/remediation-settings"),
    initialData: initial,
    refetchInterval: 15_000,
  });
  return (
    <div className="space-y-4" data-testid="self-healing-settings" data-revision={settings.revision}>
      <KillSwitch settings={settings} canWrite={canWrite} />
      <DryRun settings={settings} canWrite={canWrite} />
      {/* Each form starts again from what was saved when its own values change (here or elsewhere), not when another setting does. */}
      <Limits key={`limits-${settings.maxActionsPerHour}-${settings.cooldownMinutes}-${settings.maxReplicas}`} settings={settings} canWrite={canWrite} />
      <AutoApprove key={`rules-${JSON.stringify(settings.autoApprove)}`} settings={settings} canWrite={canWrite} environments={environments} />
      <p className="text-xs text-subtle" data-testid="settings-revision">
        Revision {settings.revision}
        {settings.updatedBy ? (
          <>
            {" "}
            · last changed by <span className="text-foreground">{settings.updatedBy}</span> <span suppressHydrationWarning>{relativeTime(settings.updatedAt)}</span>
          </>
        ) : " · the defaults, never changed"}
        . Every change is in the audit trail (<code className="font-mono">remediation_settings.updated</code>).
        {canWrite ? null : " Read-only: SREs and platform admins (slos.write) change these."}
      </p>
    </div>
  );
}
