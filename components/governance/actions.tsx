"use client";

import { useMutation } from "@tanstack/react-query";
import { Radar, ShieldPlus } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";

export function ScanComplianceButton() {
  const router = useRouter();
  const scan = useMutation({
    mutationFn: () => api<{ jobId: string | null }>("/api/v1/compliance/scan", { method: "POST" }),
    onSuccess: () => {
      toast.success("Compliance scan queued: the numbers refresh in a few seconds.");
      setTimeout(() => router.refresh(), 2500);
      setTimeout(() => router.refresh(), 6000);
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button variant="secondary" onClick={() => scan.mutate()} loading={scan.isPending} data-testid="scan-compliance">
      <Radar /> Scan now
    </Button>
  );
}

export function RevokeExceptionButton({ id }: { id: string }) {
  const router = useRouter();
  const revoke = useMutation({
    mutationFn: () => api(`/api/v1/policy-exceptions/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success("Exception revoked: the policy applies again.");
      router.refresh();
    },
    onError: (e) => toast.error((e as Error).message),
  });
  return (
    <Button size="sm" variant="ghost" onClick={() => revoke.mutate()} loading={revoke.isPending}>
      Revoke
    </Button>
  );
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Platform admins grant an exception: a policy, a target, a reason and an expiry. */
export function GrantExceptionButton({ policies, preset }: { policies: { name: string; title: string }[]; preset?: { policy?: string; kind?: string; namespace?: string; name?: string } }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ policy: preset?.policy ?? policies[0]?.name ?? "", kind: preset?.kind ?? "", namespace: preset?.namespace ?? "", name: preset?.name ?? "", reason: "", expires: inDays(30) });
  const grant = useMutation({
    mutationFn: () =>
      api("/api/v1/policy-exceptions", {
        method: "POST",
        body: {
          policy: form.policy,
          target: { ...(form.kind ? { kind: form.kind } : {}), ...(form.namespace ? { namespace: form.namespace } : {}), ...(form.name ? { name: form.name } : {}) },
          reason: form.reason,
          expiresAt: new Date(`${form.expires}T23:59:59Z`).toISOString(),
        },
      }),
    onSuccess: () => {
      toast.success("Exception granted. It stops applying the moment it expires.");
      setOpen(false);
      router.refresh();
    },
  });
  const errors = grant.error instanceof ApiError ? grant.error.fieldErrors() : {};
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <>
      <Button size={preset ? "sm" : "md"} variant={preset ? "ghost" : "secondary"} onClick={() => (grant.reset(), setOpen(true))} data-testid="grant-exception">
        <ShieldPlus /> {preset ? "Waive" : "Grant exception"}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title="Grant a policy exception" description="The policy will not count against this target until the exception expires. Every exception is audited.">
          <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), grant.mutate())}>
            <div>
              <Label htmlFor="ex-policy">Policy</Label>
              <NativeSelect id="ex-policy" className="mt-1" value={form.policy} onChange={set("policy")}>
                {policies.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.title} ({p.name})
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="grid gap-3 sm:grid-cols-3">
              <div>
                <Label htmlFor="ex-kind">Kind</Label>
                <Input id="ex-kind" className="mt-1" value={form.kind} onChange={set("kind")} placeholder="Deployment" />
              </div>
              <div>
                <Label htmlFor="ex-ns">Namespace</Label>
                <Input id="ex-ns" className="mt-1" value={form.namespace} onChange={set("namespace")} placeholder="any" />
              </div>
              <div>
                <Label htmlFor="ex-name">Name</Label>
                <Input id="ex-name" className="mt-1" value={form.name} onChange={set("name")} placeholder="frontend" />
              </div>
            </div>
            <FieldError>{errors.target}</FieldError>
            <div>
              <Label htmlFor="ex-reason">Reason</Label>
              <Input id="ex-reason" className="mt-1" value={form.reason} onChange={set("reason")} placeholder="Legacy image runs as root until the rewrite ships (TICKET-123)" aria-invalid={Boolean(errors.reason)} />
              <FieldError>{errors.reason}</FieldError>
            </div>
            <div>
              <Label htmlFor="ex-expires">Expires at the end of</Label>
              <Input id="ex-expires" type="date" className="mt-1" value={form.expires} onChange={set("expires")} aria-invalid={Boolean(errors.expiresAt)} />
              <FieldError>{errors.expiresAt}</FieldError>
            </div>
            {grant.error && Object.keys(errors).length === 0 ? <p className="text-sm text-danger">{(grant.error as Error).message}</p> : null}
            <DialogFooter>
              <Button type="submit" loading={grant.isPending}>
                Grant exception
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
