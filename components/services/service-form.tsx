"use client";

// Creating and editing a service: one dialog for both. The server validates everything again;
// its field errors come back inline under the field they name.
import { useMutation } from "@tanstack/react-query";
import { Pencil, Plus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { STRATEGY } from "@/components/services/strategy";
import type { ServiceDto, Strategy } from "@/lib/services/schemas";

interface Props {
  /** Teams the person may create services for (or move one to). */
  teams: { slug: string; name: string }[];
  environments: string[];
  /** The service to edit; absent to create one. */
  service?: ServiceDto;
}

const list = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

function initialForm(props: Props) {
  const s = props.service;
  return {
    name: s?.name ?? "",
    team: s?.team.slug ?? props.teams[0]?.slug ?? "",
    description: s?.description ?? "",
    repository: s?.repository ?? "",
    strategy: (s?.strategy ?? "rolling") as Strategy,
    trafficSteps: s?.trafficSteps.length ? s.trafficSteps.join(", ") : "10, 50, 100",
    healthCheckPath: s?.healthCheckPath ?? "/health",
    migrationScripts: s?.migrationScripts.join("\n") ?? "",
    pathGlobs: s?.pathGlobs.join("\n") ?? "",
    environments: s?.environments ?? props.environments,
    dependsOn: "",
  };
}

export function ServiceFormButton(props: Props) {
  const router = useRouter();
  const editing = props.service !== undefined;
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState(() => initialForm(props));
  const save = useMutation({
    mutationFn: () => {
      const steps = form.strategy === "canary" ? list(form.trafficSteps).map(Number) : [];
      const common = {
        description: form.description,
        repository: form.repository.trim() || null,
        strategy: form.strategy,
        trafficSteps: steps,
        healthCheckPath: form.healthCheckPath,
        migrationScripts: list(form.migrationScripts),
        pathGlobs: list(form.pathGlobs),
        environments: form.environments,
      };
      if (editing) {
        return api<ServiceDto>(`/api/v1/services/${props.service!.name}`, {
          method: "PATCH",
          body: { ...common, ...(form.team !== props.service!.team.slug ? { team: form.team } : {}), revision: props.service!.revision },
        });
      }
      return api<ServiceDto>("/api/v1/services", { method: "POST", body: { ...common, name: form.name.trim(), team: form.team, dependsOn: list(form.dependsOn) } });
    },
    onSuccess: (service) => {
      toast.success(editing ? `Saved ${service.name}.` : `Created ${service.name}.`);
      setOpen(false);
      if (editing) router.refresh();
      else router.push(`/services/${service.name}`);
    },
  });
  const errors = save.error instanceof ApiError ? save.error.fieldErrors() : {};
  const stale = save.error instanceof ApiError && save.error.status === 409 && editing;
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const toggleEnv = (env: string) =>
    setForm({ ...form, environments: form.environments.includes(env) ? form.environments.filter((e) => e !== env) : props.environments.filter((e) => e === env || form.environments.includes(e)) });
  const field = (id: string, label: string, key: keyof typeof form, hint?: string, placeholder?: string) => (
    <div>
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} className="mt-1" value={form[key] as string} onChange={set(key)} placeholder={placeholder} aria-invalid={Boolean(errors[key])} />
      {hint ? <p className="mt-1 text-xs text-subtle">{hint}</p> : null}
      <FieldError>{errors[key]}</FieldError>
    </div>
  );

  return (
    <>
      <Button
        variant={editing ? "secondary" : "primary"}
        onClick={() => {
          save.reset();
          setForm(initialForm(props));
          setOpen(true);
        }}
        data-testid={editing ? "edit-service" : "new-service"}
      >
        {editing ? <Pencil /> : <Plus />} {editing ? "Edit" : "New service"}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title={editing ? `Edit ${props.service!.name}` : "New service"}
          description={editing ? "Changes are audited. Dependencies are edited on the service page or in the graph editor." : "Register a service so it can be planned, promoted and measured."}
          className="max-h-[90vh] max-w-2xl overflow-y-auto"
        >
          <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
            <div className="grid gap-3 sm:grid-cols-2">
              {editing ? null : field("svc-name", "Name", "name", "Lower-case letters, digits and hyphens.", "orders-api")}
              <div>
                <Label htmlFor="svc-team">Owning team</Label>
                <NativeSelect id="svc-team" className="mt-1" value={form.team} onChange={set("team")} aria-invalid={Boolean(errors.team)}>
                  {props.teams.map((t) => (
                    <option key={t.slug} value={t.slug}>
                      {t.name}
                    </option>
                  ))}
                </NativeSelect>
                <FieldError>{errors.team}</FieldError>
              </div>
            </div>
            {field("svc-description", "Description", "description", undefined, "What it does, in a sentence.")}
            <div className="grid gap-3 sm:grid-cols-2">
              {field("svc-repository", "Repository", "repository", undefined, "acme/orders-api")}
              {field("svc-health", "Health check path", "healthCheckPath", "Polled after each deployment step.", "/health")}
            </div>
            <div className="grid gap-3 sm:grid-cols-2">
              <div>
                <Label htmlFor="svc-strategy">Deployment strategy</Label>
                <NativeSelect id="svc-strategy" className="mt-1" value={form.strategy} onChange={set("strategy")}>
                  {(Object.keys(STRATEGY) as Strategy[]).map((s) => (
                    <option key={s} value={s}>
                      {STRATEGY[s].label}
                    </option>
                  ))}
                </NativeSelect>
                <p className="mt-1 text-xs text-subtle">{STRATEGY[form.strategy].description}</p>
              </div>
              {form.strategy === "canary" ? field("svc-steps", "Traffic steps (%)", "trafficSteps", "Rising, ending at 100.", "10, 50, 100") : null}
            </div>
            <fieldset>
              <legend className="text-sm font-medium">Environments</legend>
              <div className="mt-1 flex flex-wrap gap-3">
                {props.environments.map((env) => (
                  <label key={env} className="flex items-center gap-1.5 text-sm">
                    <input type="checkbox" checked={form.environments.includes(env)} onChange={() => toggleEnv(env)} />
                    {env}
                  </label>
                ))}
              </div>
              <FieldError>{errors.environments}</FieldError>
            </fieldset>
            <div className="grid gap-3 sm:grid-cols-2">
              <div>
                <Label htmlFor="svc-globs">Path globs</Label>
                <textarea id="svc-globs" className="mt-1 h-20 w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs" value={form.pathGlobs} onChange={set("pathGlobs")} placeholder={"services/orders-api/**\nlibs/orders/**"} />
                <p className="mt-1 text-xs text-subtle">One per line: changes under these paths redeploy the service.</p>
                <FieldError>{errors.pathGlobs}</FieldError>
              </div>
              <div>
                <Label htmlFor="svc-migrations">Migration scripts</Label>
                <textarea id="svc-migrations" className="mt-1 h-20 w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs" value={form.migrationScripts} onChange={set("migrationScripts")} placeholder="db-migration.sql" />
                <FieldError>{errors.migrationScripts}</FieldError>
              </div>
            </div>
            {editing ? null : field("svc-deps", "Depends on", "dependsOn", "Comma-separated service names; they deploy first.", "database, auth-service")}
            {save.error && (stale || Object.keys(errors).length === 0) ? (
              <p className="text-sm text-danger" role="alert">
                {(save.error as Error).message}
              </p>
            ) : null}
            <DialogFooter>
              <Button type="submit" loading={save.isPending} data-testid="save-service">
                {editing ? "Save" : "Create service"}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
