"use client";

import { useMutation } from "@tanstack/react-query";
import { GitMerge } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";

/** The sandbox's stand-in for GitHub's merge button. */
export function MergeButton({ owner, name, number }: { owner: string; name: string; number: number }) {
  const router = useRouter();
  const merge = useMutation({
    mutationFn: () => api<{ sha: string; merged: number }>(`/api/v1/sandbox/repos/${owner}/${name}/pulls/${number}/merge`, { method: "POST" }),
    onSuccess: (r) => {
      toast.success(`Merged (${r.sha.slice(0, 7)}).${r.merged ? " Paved updated the template instance." : ""}`);
      router.refresh();
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button onClick={() => merge.mutate()} loading={merge.isPending} data-testid="merge-pull-request">
      <GitMerge /> Merge pull request
    </Button>
  );
}
