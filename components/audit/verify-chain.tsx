"use client";

import { useMutation } from "@tanstack/react-query";
import { ShieldCheck, ShieldX } from "lucide-react";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";
import type { ChainVerification } from "@/lib/audit/schemas";

export function VerifyChain({ lastScheduled }: { lastScheduled: { at: string; result: ChainVerification } | null }) {
  const verify = useMutation({ mutationFn: () => api<ChainVerification>("/api/v1/audit/verify") });
  const result = verify.data;
  return (
    <div className="flex flex-wrap items-center gap-3" data-testid="verify-chain">
      <Button variant="secondary" size="sm" onClick={() => verify.mutate()} loading={verify.isPending}>
        <ShieldCheck /> Verify chain now
      </Button>
      {result ? (
        result.ok ? (
          <span className="flex items-center gap-1.5 text-sm text-success" data-testid="verify-result">
            <ShieldCheck className="size-4" aria-hidden /> Intact: {result.count.toLocaleString()} events, every link checked.
          </span>
        ) : (
          <span className="flex items-center gap-1.5 text-sm text-danger" data-testid="verify-result">
            <ShieldX className="size-4" aria-hidden /> Broken at event {result.brokenAt.seq}: {result.brokenAt.message}
          </span>
        )
      ) : verify.error ? (
        <span className="text-sm text-danger">{(verify.error as Error).message}</span>
      ) : lastScheduled ? (
        <span className="text-sm text-muted">
          Hourly check {lastScheduled.result.ok ? "passed" : "FAILED"} at {new Date(lastScheduled.at).toLocaleString()}
          {lastScheduled.result.ok ? ` (${lastScheduled.result.count.toLocaleString()} events)` : ""}.
        </span>
      ) : (
        <span className="text-sm text-muted">The hourly check has not run yet.</span>
      )}
    </div>
  );
}
