"use client";

import { useMutation } from "@tanstack/react-query";
import { ArrowUpCircle, Radar } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";

/** Platform admins: upgrade pull requests for every instance on an older version. */
export function BulkUpgradeButton({ template, latest, behind }: { template: string; latest: string; behind: number }) {
  const router = useRouter();
  const run = useMutation({
    mutationFn: () => api<{ requested: number; skipped: number }>(`/api/v1/templates/${template}/upgrades`, { method: "POST", body: {} }),
    onSuccess: (r) => {
      toast.success(r.requested ? `Opening ${r.requested} upgrade pull request${r.requested === 1 ? "" : "s"} to ${latest}.` : "Every instance is already on the latest version.");
      router.refresh();
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button size="sm" variant="secondary" onClick={() => run.mutate()} loading={run.isPending} disabled={behind === 0} data-testid="bulk-upgrade">
      <ArrowUpCircle /> Upgrade {behind} instance{behind === 1 ? "" : "s"} to {latest}
    </Button>
  );
}

/** Platform admins: scan every repository for catalog templates now (it also runs every six hours). */
export function ScanAdoptionButton() {
  const router = useRouter();
  const run = useMutation({
    mutationFn: () => api<{ jobId: string | null }>("/api/v1/adoption/scan", { method: "POST" }),
    onSuccess: () => {
      toast.success("Adoption scan queued: results appear here in a few seconds.");
      setTimeout(() => router.refresh(), 3000);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button size="sm" variant="secondary" onClick={() => run.mutate()} loading={run.isPending} data-testid="scan-adoption">
      <Radar /> Scan now
    </Button>
  );
}
