"use client";

// Importing deployment-config.yaml or a Backstage catalog: paste or pick a file, check it (a dry
// run that reports what would be created and updated, or exactly what is wrong and where), then
// import. The server does it all or nothing.
import { useMutation } from "@tanstack/react-query";
import { FileUp, Upload } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Label, NativeSelect } from "@/components/ui/input";
import type { ImportResult } from "@/lib/services/schemas";

const EXAMPLE = `services:
  database:
    dependencies: []
    deployment_strategy: rolling
    health_check: "/health"

  backend-api:
    dependencies: ["database"]
    deployment_strategy: blue_green
    health_check: "/api/health"
`;

type Issue = { path: (string | number)[]; message: string; line?: number; column?: number };

export function ImportGraphButton({ teams }: { teams: { slug: string; name: string }[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [team, setTeam] = useState(teams[0]?.slug ?? "");
  const [checked, setChecked] = useState<ImportResult | null>(null);
  const run = useMutation({
    mutationFn: (dryRun: boolean) => {
      const query = new URLSearchParams({ dryRun: String(dryRun), ...(team ? { team } : {}) });
      return api<ImportResult>(`/api/v1/graph/import?${query}`, { method: "POST", yaml: text });
    },
    onSuccess: (result) => {
      if (result.dryRun) {
        setChecked(result);
        return;
      }
      toast.success(`Imported: ${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged.`);
      setOpen(false);
      router.refresh();
    },
    onError: () => setChecked(null),
  });
  const error = run.error instanceof ApiError ? run.error : null;
  const issues = ((error?.details?.issues ?? []) as Issue[]).slice(0, 8);
  const cycle = (error?.details?.cycle ?? null) as string[] | null;

  return (
    <>
      <Button
        variant="secondary"
        onClick={() => {
          run.reset();
          setChecked(null);
          setOpen(true);
        }}
        data-testid="import-graph"
      >
        <Upload /> Import
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent
          title="Import services and dependencies"
          description="deployment-config.yaml or a Backstage catalog-info.yaml. Services in the file are created or updated and their dependencies replaced; nothing is written unless the whole file is valid."
          className="max-h-[90vh] max-w-3xl overflow-y-auto"
        >
          <div className="space-y-3">
            <div className="flex flex-wrap items-end gap-3">
              <label className="inline-flex cursor-pointer items-center gap-2 rounded-md border border-border px-3 py-2 text-sm hover:bg-surface-2">
                <FileUp className="size-4" aria-hidden /> Choose a file…
                <input
                  type="file"
                  accept=".yaml,.yml,text/yaml,application/yaml"
                  className="sr-only"
                  onChange={async (e) => {
                    const file = e.target.files?.[0];
                    if (file) {
                      setText(await file.text());
                      setChecked(null);
                      run.reset();
                    }
                  }}
                />
              </label>
              <div>
                <Label htmlFor="import-team">Owner of new services</Label>
                <NativeSelect id="import-team" className="mt-1 w-48" value={team} onChange={(e) => setTeam(e.target.value)}>
                  {teams.map((t) => (
                    <option key={t.slug} value={t.slug}>
                      {t.name}
                    </option>
                  ))}
                </NativeSelect>
              </div>
              <p className="pb-2 text-xs text-subtle">Used when the file names no owner.</p>
            </div>
            <textarea
              aria-label="YAML to import"
              className="h-64 w-full rounded-md border border-border bg-surface px-3 py-2 font-mono text-xs"
              placeholder={EXAMPLE}
              value={text}
              spellCheck={false}
              onChange={(e) => {
                setText(e.target.value);
                setChecked(null);
              }}
              data-testid="import-text"
            />
            {error ? (
              <div className="rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" role="alert" data-testid="import-error">
                <p className="font-medium">{error.message}</p>
                {cycle ? <p className="mt-1 font-mono text-xs">{cycle.join(" → ")}</p> : null}
                {issues.length > 1 ? (
                  <ul className="mt-1 list-disc pl-5 text-xs">
                    {issues.map((i, n) => (
                      <li key={n}>
                        {i.line ? `line ${i.line}${i.column ? `:${i.column}` : ""} — ` : ""}
                        {i.message}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
            {checked ? (
              <div className="rounded-md border border-success/30 bg-success-soft px-3 py-2 text-sm" data-testid="import-check">
                <p className="font-medium text-success">The file is valid. Importing it will:</p>
                <ul className="mt-1 space-y-0.5 text-xs">
                  <li>create {checked.created.length}{checked.created.length ? `: ${checked.created.slice(0, 12).join(", ")}${checked.created.length > 12 ? "…" : ""}` : ""}</li>
                  <li>update {checked.updated.length}{checked.updated.length ? `: ${checked.updated.slice(0, 12).join(", ")}${checked.updated.length > 12 ? "…" : ""}` : ""}</li>
                  <li>leave {checked.unchanged.length} unchanged</li>
                  {checked.ignored.length ? <li>ignore {checked.ignored.map((i) => `${i.entity} (${i.reason})`).join("; ")}</li> : null}
                </ul>
              </div>
            ) : null}
            <DialogFooter>
              <Button variant="secondary" type="button" disabled={!text.trim()} loading={run.isPending && run.variables === true} onClick={() => run.mutate(true)} data-testid="import-check-button">
                Check
              </Button>
              <Button type="button" disabled={!text.trim()} loading={run.isPending && run.variables === false} onClick={() => run.mutate(false)} data-testid="import-submit">
                Import
              </Button>
            </DialogFooter>
          </div>
        </DialogContent>
      </Dialog>
    </>
  );
}
