"use client";

// Defining or changing an SLO. The body is checked in the browser with the API's own zod schemas
// (CreateSloBody / PatchSloBody) before it is sent; the server checks everything again, PromQL
// included, and its field errors (with the parser's line and column) come back under the field
// they name.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import type { z } from "zod";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { AUTOMATIONS, CreateSloBody, PatchSloBody, SLO_WINDOWS, type SloDto } from "@/lib/slos/schemas";
import { AUTOMATION } from "./status";

interface Props {
  /** Services the person may define SLOs for, with their team's slug. */
  services: { name: string; team: string }[];
  /** Teams the person may make owners. */
  teams: { slug: string; name: string }[];
  environments: string[];
  /** The SLO to edit; absent to define one. */
  slo?: SloDto;
  /** Preselected service when defining one (?service=). */
  initialService?: string;
}

type Form = {
  name: string;
  service: string;
  displayName: string;
  description: string;
  kind: "availability" | "latency";
  objective: string;
  window: (typeof SLO_WINDOWS)[number];
  source: "http" | "raw";
  selector: string;
  errorCodes: string;
  thresholdSeconds: string;
  rawMode: "bad" | "good";
  rawQuery: string;
  rawTotal: string;
  ownerTeam: string;
  environment: string;
  alerting: boolean;
  automation: (typeof AUTOMATIONS)[number];
};

/** The error paths (as zod and the server name them) of each form field, where they differ from its key. */
const ERROR_PATHS: Partial<Record<keyof Form, string[]>> = {
  selector: ["sli.selector"],
  errorCodes: ["sli.errorCodes"],
  thresholdSeconds: ["sli.thresholdSeconds"],
  rawQuery: ["sli.bad", "sli.good", "sli"],
  rawTotal: ["sli.total", "sli"],
  source: ["sli"],
};

/** Bucket boundaries of the common histogram (and the sandbox's): latency thresholds must be one. */
const THRESHOLDS = ["0.05", "0.1", "0.2", "0.25", "0.3", "0.4", "0.5", "0.75", "1", "1.5", "2", "2.5", "5"];

function initialForm(props: Props): Form {
  const s = props.slo;
  const sli = s?.sli;
  return {
    name: s?.name ?? "",
    service: s?.service.name ?? (props.services.some((x) => x.name === props.initialService) ? props.initialService! : (props.services[0]?.name ?? "")),
    displayName: s?.displayName ?? "",
    description: s?.description ?? "",
    kind: s?.kind ?? "availability",
    objective: s ? String(s.objective) : "99.9",
    window: s?.window ?? "30d",
    source: sli?.source ?? "http",
    selector: sli?.source === "http" ? sli.selector : "",
    errorCodes: sli?.source === "http" ? (sli.errorCodes ?? "") : "",
    thresholdSeconds: sli?.source === "http" && sli.thresholdSeconds !== undefined ? String(sli.thresholdSeconds) : "0.3",
    rawMode: sli?.source === "raw" && sli.good !== undefined ? "good" : "bad",
    rawQuery: sli?.source === "raw" ? (sli.bad ?? sli.good ?? "") : 'sum(rate(http_requests_total{job="api",code=~"5.."}[{{.window}}]))',
    rawTotal: sli?.source === "raw" ? sli.total : 'sum(rate(http_requests_total{job="api"}[{{.window}}]))',
    ownerTeam: s && s.ownerTeam.slug !== s.service.team.slug ? s.ownerTeam.slug : "",
    environment: s?.environment ?? (props.environments.includes("production") ? "production" : (props.environments.at(-1) ?? "production")),
    alerting: s?.alerting ?? true,
    automation: s?.automation ?? "none",
  };
}

function sliOf(f: Form) {
  if (f.source === "raw") return { source: "raw" as const, [f.rawMode]: f.rawQuery, total: f.rawTotal };
  return {
    source: "http" as const,
    selector: f.selector,
    ...(f.kind === "availability" && f.errorCodes.trim() ? { errorCodes: f.errorCodes } : {}),
    ...(f.kind === "latency" && f.thresholdSeconds.trim() !== "" ? { thresholdSeconds: Number(f.thresholdSeconds) } : {}),
  };
}

/** zod issues as field errors keyed by dotted path, as ApiError.fieldErrors() gives the server's. */
function issuesOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[issue.path.join(".")] ??= issue.message;
  return out;
}

export function SloForm(props: Props) {
  const router = useRouter();
  const editing = props.slo !== undefined;
  const [form, setForm] = useState<Form>(() => initialForm(props));
  const [clientErrors, setClientErrors] = useState<Record<string, string>>({});

  const body = () => {
    const common = {
      displayName: form.displayName,
      description: form.description,
      kind: form.kind,
      objective: form.objective.trim() === "" ? Number.NaN : Number(form.objective),
      window: form.window,
      sli: sliOf(form),
      environment: form.environment,
      alerting: form.alerting,
      automation: form.automation,
    };
    if (editing) {
      const owner = form.ownerTeam || props.slo!.service.team.slug;
      return PatchSloBody.safeParse({ ...common, ...(owner !== props.slo!.ownerTeam.slug ? { ownerTeam: owner } : {}), revision: props.slo!.revision });
    }
    return CreateSloBody.safeParse({ ...common, name: form.name.trim(), service: form.service, ...(form.ownerTeam ? { ownerTeam: form.ownerTeam } : {}) });
  };

  const save = useMutation({
    mutationFn: (payload: unknown) =>
      editing ? api<SloDto>(`/api/v1/slos/${props.slo!.id}`, { method: "PATCH", body: payload }) : api<SloDto>("/api/v1/slos", { method: "POST", body: payload }),
    onSuccess: (slo) => {
      toast.success(editing ? `Saved ${slo.service.name}/${slo.name}.` : `Defined ${slo.service.name}/${slo.name}.`);
      router.push(`/slos/${slo.id}`);
      router.refresh();
    },
  });

  const serverErrors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const errors = { ...serverErrors, ...clientErrors };
  const stale = save.error instanceof ApiError && save.error.status === 409 && editing;
  const set = <K extends keyof Form>(key: K, value: Form[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    // A field's own message goes once it is edited; the others stay until the next try.
    const paths: string[] = ERROR_PATHS[key] ?? [key];
    setClientErrors((e) => Object.fromEntries(Object.entries(e).filter(([path]) => !paths.includes(path))));
  };
  const rawError = errors[`sli.${form.rawMode}`] ?? errors["sli.bad"] ?? errors["sli.good"];

  return (
    <form
      className="space-y-6"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = body();
        if (!parsed.success) {
          setClientErrors(issuesOf(parsed.error));
          save.reset();
          return;
        }
        setClientErrors({});
        save.mutate(parsed.data);
      }}
      data-testid="slo-form"
    >
      <Card>
        <CardHeader title="What it watches" description="An SLO belongs to one service; its name is a slug, unique per service, and becomes a label of every series and alert." />
        <CardBody className="grid gap-4 sm:grid-cols-2">
          {editing ? (
            <Field label="Service" id="slo-service">
              <p className="mt-1 font-mono text-sm">{props.slo!.service.name}</p>
            </Field>
          ) : (
            <Field label="Service" id="slo-service" error={errors.service}>
              <NativeSelect id="slo-service" className="mt-1" value={form.service} onChange={(e) => set("service", e.target.value)} aria-invalid={Boolean(errors.service)}>
                {props.services.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          )}
          {editing ? (
            <Field label="Name" id="slo-name">
              <p className="mt-1 font-mono text-sm">{props.slo!.name}</p>
            </Field>
          ) : (
            <Field label="Name" id="slo-name" error={errors.name} hint="Lower-case letters, digits and hyphens, e.g. availability.">
              <Input id="slo-name" className="mt-1" value={form.name} onChange={(e) => set("name", e.target.value)} placeholder="availability" aria-invalid={Boolean(errors.name)} />
            </Field>
          )}
          <Field label="Display name" id="slo-display-name" error={errors.displayName}>
            <Input id="slo-display-name" className="mt-1" value={form.displayName} onChange={(e) => set("displayName", e.target.value)} placeholder="Checkout availability" />
          </Field>
          <Field label="Description" id="slo-description" error={errors.description}>
            <Input id="slo-description" className="mt-1" value={form.description} onChange={(e) => set("description", e.target.value)} placeholder="What a person should expect, in a sentence." />
          </Field>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Objective" description="The share of good events to keep over a rolling window; what is left below 100% is the error budget." />
        <CardBody className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Field label="Kind" id="slo-kind" error={errors.kind}>
            <NativeSelect id="slo-kind" className="mt-1" value={form.kind} onChange={(e) => set("kind", e.target.value as Form["kind"])}>
              <option value="availability">availability (not a server error)</option>
              <option value="latency">latency (faster than a threshold)</option>
            </NativeSelect>
          </Field>
          <Field label="Objective (%)" id="slo-objective" error={errors.objective} hint="Between 0 and 100, e.g. 99.9.">
            <Input id="slo-objective" className="mt-1" inputMode="decimal" value={form.objective} onChange={(e) => set("objective", e.target.value)} aria-invalid={Boolean(errors.objective)} list="slo-objectives" />
            <datalist id="slo-objectives">
              {["99", "99.5", "99.9", "99.95", "99.99"].map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          </Field>
          <Field label="Window" id="slo-window" error={errors.window}>
            <NativeSelect id="slo-window" className="mt-1" value={form.window} onChange={(e) => set("window", e.target.value as Form["window"])}>
              {SLO_WINDOWS.map((w) => (
                <option key={w} value={w}>
                  {w} rolling
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Environment" id="slo-environment" error={errors.environment} hint="Whose metrics it reads.">
            <NativeSelect id="slo-environment" className="mt-1" value={form.environment} onChange={(e) => set("environment", e.target.value)} aria-invalid={Boolean(errors.environment)}>
              {props.environments.map((e) => (
                <option key={e} value={e}>
                  {e}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </CardBody>
      </Card>

      <Card>
        <CardHeader
          title="SLI"
          description={
            form.source === "http"
              ? "Built from the common HTTP metrics: http_requests_total{service, environment, code} and http_request_duration_seconds{service, environment, le}."
              : "Raw PromQL for good or bad events, and all events, with {{.window}} where the range goes, so that Paved can compute it over every alert window."
          }
        />
        <CardBody className="space-y-4">
          <Field label="Source" id="slo-sli-source">
            <NativeSelect id="slo-sli-source" className="mt-1 max-w-xs" value={form.source} onChange={(e) => set("source", e.target.value as Form["source"])}>
              <option value="http">Common HTTP metrics</option>
              <option value="raw">Raw PromQL</option>
            </NativeSelect>
          </Field>
          {form.source === "http" ? (
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label="Extra label matchers" id="slo-selector" error={errors["sli.selector"]} hint='PromQL matchers without braces, e.g. route="/checkout",method!="OPTIONS". Paved sets service and environment.'>
                <Input id="slo-selector" className="mt-1 font-mono text-xs" value={form.selector} onChange={(e) => set("selector", e.target.value)} placeholder='route="/checkout"' aria-invalid={Boolean(errors["sli.selector"])} />
              </Field>
              {form.kind === "availability" ? (
                <Field label="Error codes (regex)" id="slo-error-codes" error={errors["sli.errorCodes"]} hint="The code label values that count as errors; default 5..">
                  <Input id="slo-error-codes" className="mt-1 font-mono text-xs" value={form.errorCodes} onChange={(e) => set("errorCodes", e.target.value)} placeholder="5.." aria-invalid={Boolean(errors["sli.errorCodes"])} />
                </Field>
              ) : (
                <Field label="Threshold (seconds)" id="slo-threshold" error={errors["sli.thresholdSeconds"]} hint="Requests at most this slow are good; a bucket boundary (le) of the histogram.">
                  <Input id="slo-threshold" className="mt-1" inputMode="decimal" list="slo-thresholds" value={form.thresholdSeconds} onChange={(e) => set("thresholdSeconds", e.target.value)} aria-invalid={Boolean(errors["sli.thresholdSeconds"])} />
                  <datalist id="slo-thresholds">
                    {THRESHOLDS.map((t) => (
                      <option key={t} value={t} />
                    ))}
                  </datalist>
                </Field>
              )}
            </div>
          ) : (
            <div className="space-y-4">
              <div className="flex flex-wrap items-end gap-4">
                <Field label="The query counts" id="slo-raw-mode">
                  <NativeSelect id="slo-raw-mode" className="mt-1 w-48" value={form.rawMode} onChange={(e) => set("rawMode", e.target.value as Form["rawMode"])}>
                    <option value="bad">bad events (errors)</option>
                    <option value="good">good events</option>
                  </NativeSelect>
                </Field>
              </div>
              <Field label={form.rawMode === "bad" ? "Bad events" : "Good events"} id="slo-raw-query" error={rawError}>
                <textarea
                  id="slo-raw-query"
                  className="mt-1 h-20 w-full rounded-md border border-border-strong bg-surface px-3 py-2 font-mono text-xs aria-[invalid=true]:border-danger"
                  value={form.rawQuery}
                  onChange={(e) => set("rawQuery", e.target.value)}
                  aria-invalid={Boolean(rawError)}
                  spellCheck={false}
                />
              </Field>
              <Field label="All events" id="slo-raw-total" error={errors["sli.total"]}>
                <textarea
                  id="slo-raw-total"
                  className="mt-1 h-20 w-full rounded-md border border-border-strong bg-surface px-3 py-2 font-mono text-xs aria-[invalid=true]:border-danger"
                  value={form.rawTotal}
                  onChange={(e) => set("rawTotal", e.target.value)}
                  aria-invalid={Boolean(errors["sli.total"])}
                  spellCheck={false}
                />
              </Field>
            </div>
          )}
          <FieldError>{errors.sli}</FieldError>
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Alerting and self-healing" description="Alerts page when 2% of the budget goes in an hour (or 5% in six), and open a ticket on a slower, steady burn." />
        <CardBody className="grid gap-4 sm:grid-cols-3">
          <Field label="Alerting" id="slo-alerting">
            <label className="mt-2 flex items-center gap-2 text-sm">
              <input id="slo-alerting" type="checkbox" checked={form.alerting} onChange={(e) => set("alerting", e.target.checked)} />
              Generate burn-rate alerts
            </label>
          </Field>
          <Field label="When it pages" id="slo-automation" error={errors.automation} hint={AUTOMATION[form.automation]?.description}>
            <NativeSelect id="slo-automation" className="mt-1" value={form.automation} onChange={(e) => set("automation", e.target.value as Form["automation"])}>
              {AUTOMATIONS.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </NativeSelect>
          </Field>
          <Field label="Owner team" id="slo-owner" error={errors.ownerTeam}>
            <NativeSelect id="slo-owner" className="mt-1" value={form.ownerTeam} onChange={(e) => set("ownerTeam", e.target.value)} aria-invalid={Boolean(errors.ownerTeam)}>
              <option value="">The service&apos;s team</option>
              {props.teams.map((t) => (
                <option key={t.slug} value={t.slug}>
                  {t.name}
                </option>
              ))}
            </NativeSelect>
          </Field>
        </CardBody>
      </Card>

      {save.error && (stale || Object.keys(serverErrors).length === 0) ? (
        <p className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" data-testid="slo-form-error">
          {(save.error as Error).message}
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
      {Object.keys(errors).length ? (
        <p className="text-sm text-danger" data-testid="slo-form-invalid">
          Fix the field{Object.keys(errors).length === 1 ? "" : "s"} marked above.
        </p>
      ) : null}
      <div className="flex justify-end gap-2">
        <Button type="button" variant="secondary" onClick={() => router.back()}>
          Cancel
        </Button>
        <Button type="submit" loading={save.isPending} data-testid="save-slo">
          {editing ? "Save" : "Define SLO"}
        </Button>
      </div>
    </form>
  );
}

function Field({ label, id, error, hint, children }: { label: string; id: string; error?: string | undefined; hint?: string | undefined; children: ReactNode }) {
  return (
    <div>
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && !error ? <p className="mt-1 text-xs text-subtle">{hint}</p> : null}
      <FieldError id={`${id}-error`}>{error}</FieldError>
    </div>
  );
}
