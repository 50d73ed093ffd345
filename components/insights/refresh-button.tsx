"use client";

import { useMutation } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";

/** Recomputes the daily roll-ups now (they also run every hour); today's figures are always live. */
export function RefreshInsightsButton() {
  const router = useRouter();
  const refresh = useMutation({
    mutationFn: () => api<{ jobId: string | null }>("/api/v1/insights/refresh", { method: "POST", body: {} }),
    onSuccess: () => {
      toast.success("Roll-ups queued: the figures refresh in a few seconds.");
      setTimeout(() => router.refresh(), 3000);
      setTimeout(() => router.refresh(), 8000);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button variant="secondary" onClick={() => refresh.mutate()} loading={refresh.isPending} data-testid="insights-refresh">
      <RefreshCw /> Recompute
    </Button>
  );
}
