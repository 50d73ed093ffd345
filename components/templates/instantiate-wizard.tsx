"use client";

import { useMutation } from "@tanstack/react-query";
import { Eye, FileCode2, GitPullRequest, Plus, TriangleAlert } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { api, ApiError } from "@/components/api";
import { CodeView, DiffView } from "@/components/code/code-view";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { validateParameters } from "@/lib/templates/parameters";
import type { InstanceDto, PreviewDto } from "@/lib/templates/schemas";
import { LifecycleBadge } from "./meta";
import { ParameterForm, type ParameterSchemaShape } from "./parameter-form";

interface Props {
  template: { name: string; title: string };
  version: { version: string; lifecycle: string; parameterSchema: ParameterSchemaShape & Record<string, unknown>; parameterOrder: string[] };
  versions: { version: string; lifecycle: string }[];
  repos: { fullName: string; defaultBranch: string }[];
  defaultOwner: string;
  teams: string[];
  sandbox: boolean;
  warnings: string[];
}

function initialValues(schema: ParameterSchemaShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(schema.properties ?? {})) if (p.default !== undefined) out[name] = p.default;
  return out;
}

/** Parameters → preview → create: the path from a catalog entry to a pull request. */
export function InstantiateWizard({ template, version, versions, repos, defaultOwner, teams, sandbox, warnings }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const [values, setValues] = useState<Record<string, unknown>>(() => initialValues(version.parameterSchema));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [mode, setMode] = useState<"existing" | "new">(repos.length ? "existing" : "new");
  const [repo, setRepo] = useState(repos[0]?.fullName ?? "");
  const [newName, setNewName] = useState("");
  const [team, setTeam] = useState(teams[0] ?? "");
  const [openFile, setOpenFile] = useState<string | null>(null);
  const [showDiff, setShowDiff] = useState(true);

  const target = useMemo(() => (mode === "existing" ? { repo, create: false } : { repo: `${defaultOwner}/${newName.trim()}`, create: true }), [mode, repo, newName, defaultOwner]);
  const targetError = mode === "new" && !/^[A-Za-z0-9_.-]+$/.test(newName.trim()) ? "A repository name: letters, digits, '-', '_' and '.'." : mode === "existing" && !repo ? "Choose a repository." : null;

  const check = (): boolean => {
    const result = validateParameters(version.parameterSchema, values);
    const next: Record<string, string> = {};
    if (!result.ok) for (const i of result.issues) next[i.path.split(".")[0] ?? ""] ??= i.message;
    setErrors(next);
    return result.ok;
  };

  const fromServer = (e: unknown) => {
    if (e instanceof ApiError) {
      const next: Record<string, string> = {};
      for (const [path, message] of Object.entries(e.fieldErrors())) {
        const [head, field] = path.split(".");
        if (head === "parameters" && field) next[field] = message;
      }
      if (Object.keys(next).length) setErrors(next);
    }
  };

  const preview = useMutation({
    mutationFn: () => api<PreviewDto>(`/api/v1/templates/${template.name}/preview`, { method: "POST", body: { version: version.version, parameters: values, target } }),
    onSuccess: (p) => setOpenFile(p.files[0]?.path ?? null),
    onError: fromServer,
  });
  const create = useMutation({
    mutationFn: () =>
      api<InstanceDto>(`/api/v1/templates/${template.name}/instantiate`, {
        method: "POST",
        body: { version: version.version, parameters: values, target, ...(team ? { team } : {}) },
      }),
    onSuccess: (instance) => router.push(`/catalog/instances/${instance.id}`),
    onError: fromServer,
  });

  const setValue = (name: string, value: unknown) => {
    setValues((v) => {
      const next = { ...v };
      if (value === undefined) delete next[name];
      else next[name] = value;
      return next;
    });
    if (errors[name]) setErrors(({ [name]: _removed, ...rest }) => rest);
    preview.reset();
  };
  const file = preview.data?.files.find((f) => f.path === openFile) ?? preview.data?.files[0];
  const serverError = (m: typeof preview | typeof create) => (m.error && !(m.error instanceof ApiError && m.error.code === "invalid_input") ? (m.error as Error).message : null);

  return (
    <div className="grid gap-6 xl:grid-cols-5">
      <div className="space-y-6 xl:col-span-2">
        {warnings.map((w) => (
          <div key={w} className="flex items-start gap-2 rounded-md border border-warning/30 bg-warning-soft px-4 py-3 text-sm text-warning">
            <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden /> {w}
          </div>
        ))}
        <Card>
          <CardHeader title="1. Version" />
          <CardBody>
            <Label htmlFor="version">Version</Label>
            <NativeSelect id="version" className="mt-1" value={version.version} onChange={(e) => router.replace(`${pathname}?version=${e.target.value}`)}>
              {versions
                .filter((v) => v.lifecycle !== "retired")
                .map((v) => (
                  <option key={v.version} value={v.version}>
                    {v.version} ({v.lifecycle})
                  </option>
                ))}
            </NativeSelect>
            <div className="mt-2">
              <LifecycleBadge lifecycle={version.lifecycle} />
            </div>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="2. Parameters" description="Checked as you go by the same validator the server uses." />
          <CardBody>
            <form
              id="parameters-form"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                if (check() && !targetError) preview.mutate();
              }}
            >
              <ParameterForm schema={version.parameterSchema} order={version.parameterOrder} values={values} errors={errors} onChange={setValue} />
            </form>
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="3. Where" description={sandbox ? `In the sandbox, repositories are local git repositories owned by "${defaultOwner}".` : undefined} />
          <CardBody className="space-y-4">
            <div className="flex gap-2" role="radiogroup" aria-label="Target">
              {(
                [
                  ["existing", "Pull request to an existing repository", GitPullRequest],
                  ["new", "A new repository", Plus],
                ] as const
              ).map(([value, label, Icon]) => (
                <button
                  key={value}
                  type="button"
                  role="radio"
                  aria-checked={mode === value}
                  onClick={() => (setMode(value), preview.reset())}
                  className={cn(
                    "flex flex-1 items-center gap-2 rounded-md border px-3 py-2 text-left text-sm",
                    mode === value ? "border-accent bg-accent-soft text-foreground" : "border-border text-muted hover:bg-surface-2",
                  )}
                >
                  <Icon className="size-4 shrink-0" aria-hidden /> {label}
                </button>
              ))}
            </div>
            {mode === "existing" ? (
              <div>
                <Label htmlFor="target-repo">Repository</Label>
                <NativeSelect id="target-repo" className="mt-1" value={repo} onChange={(e) => (setRepo(e.target.value), preview.reset())} data-testid="target-repo">
                  {repos.map((r) => (
                    <option key={r.fullName} value={r.fullName}>
                      {r.fullName}
                    </option>
                  ))}
                </NativeSelect>
              </div>
            ) : (
              <div>
                <Label htmlFor="target-new">Repository name</Label>
                <div className="mt-1 flex items-center gap-1">
                  <span className="font-mono text-sm text-muted">{defaultOwner}/</span>
                  <Input id="target-new" className="font-mono" value={newName} onChange={(e) => (setNewName(e.target.value), preview.reset())} placeholder="my-new-service" />
                </div>
                {newName ? <FieldError>{targetError}</FieldError> : null}
              </div>
            )}
            {teams.length > 1 ? (
              <div>
                <Label htmlFor="team">For team</Label>
                <NativeSelect id="team" className="mt-1" value={team} onChange={(e) => setTeam(e.target.value)}>
                  {teams.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </NativeSelect>
              </div>
            ) : null}
          </CardBody>
        </Card>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" form="parameters-form" variant="secondary" loading={preview.isPending} disabled={Boolean(targetError)} data-testid="preview">
            <Eye /> Preview files
          </Button>
          <Button
            onClick={() => {
              if (check() && !targetError) create.mutate();
            }}
            loading={create.isPending}
            disabled={Boolean(targetError)}
            data-testid="create-instance"
          >
            {mode === "new" ? <Plus /> : <GitPullRequest />}
            {mode === "new" ? "Create repository" : "Open pull request"}
          </Button>
        </div>
        {serverError(preview) || serverError(create) ? (
          <p className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" data-testid="request-error">
            {serverError(create) ?? serverError(preview)}
          </p>
        ) : null}
        {Object.keys(errors).length ? (
          <p className="text-sm text-danger" role="status" data-testid="form-errors">
            Fix {Object.keys(errors).length === 1 ? "the highlighted parameter" : `${Object.keys(errors).length} parameters`} first.
          </p>
        ) : null}
      </div>

      <div className="xl:col-span-3">
        <Card className="sticky top-4">
          <CardHeader
            title="Preview"
            description={preview.data ? `${preview.data.files.length} file${preview.data.files.length === 1 ? "" : "s"} ${mode === "new" ? `for the new repository` : `for ${target.repo}`}` : "The exact files that will be written, and what changes in the repository."}
          />
          {preview.data && file ? (
            <div data-testid="preview-files">
              <div className="flex flex-wrap gap-1 border-b border-border px-3 py-2">
                {preview.data.files.map((f) => (
                  <button
                    key={f.path}
                    onClick={() => setOpenFile(f.path)}
                    className={cn("flex items-center gap-1.5 rounded px-2 py-1 font-mono text-xs", f.path === file.path ? "bg-accent-soft text-accent" : "text-muted hover:bg-surface-2")}
                    aria-current={f.path === file.path}
                  >
                    <FileCode2 className="size-3.5" aria-hidden /> {f.path}
                    <Badge tone={f.status === "added" ? "success" : f.status === "modified" ? "warning" : "neutral"} className="ml-1">
                      {f.status}
                    </Badge>
                  </button>
                ))}
              </div>
              <div className="p-3">
                {file.diff ? (
                  <div className="mb-2 flex gap-2 text-xs">
                    <button className={cn("rounded px-2 py-1", showDiff ? "bg-surface-2 font-medium" : "text-muted")} onClick={() => setShowDiff(true)}>
                      Changes
                    </button>
                    <button className={cn("rounded px-2 py-1", !showDiff ? "bg-surface-2 font-medium" : "text-muted")} onClick={() => setShowDiff(false)}>
                      Whole file
                    </button>
                  </div>
                ) : null}
                {file.diff && showDiff ? (
                  <DiffView patch={file.diff} className="max-h-[65vh]" testId="preview-diff" />
                ) : (
                  <CodeView content={file.content} className="max-h-[65vh]" testId="preview-content" />
                )}
              </div>
            </div>
          ) : (
            <CardBody>
              <p className="text-sm text-muted">{preview.isPending ? "Rendering…" : "Fill in the parameters and choose Preview files."}</p>
            </CardBody>
          )}
        </Card>
      </div>
    </div>
  );
}
