"use client";

// Rolling a finished run back: every service it changed goes back to its previous version,
// dependents first, by reverting in git; the rollback is a promotion of its own, with its own run.
import { useMutation } from "@tanstack/react-query";
import { RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import type { DeploymentDto, PromotionDto, RunDto } from "@/lib/delivery/schemas";

export function RollbackRunButton({ run, environment, services }: { run: RunDto; environment: string; services: { name: string; fromVersion: string | null; toVersion: string }[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const rollback = useMutation({
    mutationFn: async () => {
      // The API rolls back by deployment: any deployment of this run, with scope "run", takes the whole run.
      const from = new Date(new Date(run.startedAt).getTime() - 60_000).toISOString();
      const { items } = await api<{ items: DeploymentDto[] }>(`/api/v1/deployments?environment=${encodeURIComponent(environment)}&from=${encodeURIComponent(from)}&limit=5000`);
      const deployment = items.find((d) => d.runId === run.id && d.kind === "deploy");
      if (!deployment) throw new Error("This run deployed nothing that could be rolled back.");
      return api<PromotionDto>(`/api/v1/deployments/${deployment.id}/rollback?scope=run`, { method: "POST" });
    },
    onSuccess: (p) => {
      toast.success(`Rolling back: promotion #${p.number}.`);
      setOpen(false);
      router.push(`/delivery/promotions/${p.id}`);
    },
  });
  const changed = services.filter((s) => s.fromVersion);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} data-testid="rollback-run">
        <RotateCcw aria-hidden /> Roll back
      </Button>
      {open ? (
        <DialogContent title="Roll back this run" description={`Every service it changed in ${environment} goes back to the version before, dependents first, by a commit to git.`}>
          <ul className="mb-4 space-y-1 text-sm">
            {changed.map((s) => (
              <li key={s.name} className="font-mono text-xs">
                <span className="font-medium">{s.name}</span> {s.toVersion} → {s.fromVersion}
              </li>
            ))}
          </ul>
          {rollback.error ? (
            <p className="mb-3 rounded-md border border-danger/30 bg-danger-soft px-3 py-2 text-sm text-danger" data-testid="rollback-error">
              {(rollback.error as Error).message}
            </p>
          ) : null}
          <DialogFooter>
            <Button variant="danger" onClick={() => rollback.mutate()} loading={rollback.isPending} data-testid="rollback-confirm">
              <RotateCcw aria-hidden /> Roll back
            </Button>
          </DialogFooter>
        </DialogContent>
      ) : null}
    </Dialog>
  );
}
