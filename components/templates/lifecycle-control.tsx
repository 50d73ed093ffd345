"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { api } from "@/components/api";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { Input, Label, NativeSelect } from "@/components/ui/input";

const LIFECYCLES = ["experimental", "stable", "deprecated", "retired"] as const;

/** Platform admins move a version through its lifecycle, with a note people will see. */
export function LifecycleControl({ template, version, lifecycle }: { template: string; version: string; lifecycle: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [next, setNext] = useState(lifecycle);
  const [note, setNote] = useState("");
  const save = useMutation({
    mutationFn: () => api(`/api/v1/templates/${template}/versions/${version}/lifecycle`, { method: "PUT", body: { lifecycle: next, ...(note ? { note } : {}) } }),
    onSuccess: () => {
      toast.success(`${template} ${version} is now ${next}.`);
      setOpen(false);
      router.refresh();
    },
  });
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => (save.reset(), setNext(lifecycle), setNote(""), setOpen(true))} data-testid={`lifecycle-${version}`}>
        Change lifecycle
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={`Lifecycle of ${template} ${version}`} description="Deprecated versions warn with your note; retired versions can no longer be instantiated.">
          <form className="space-y-4" onSubmit={(e) => (e.preventDefault(), save.mutate())}>
            <div>
              <Label htmlFor="lc-state">Lifecycle</Label>
              <NativeSelect id="lc-state" className="mt-1" value={next} onChange={(e) => setNext(e.target.value)}>
                {LIFECYCLES.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div>
              <Label htmlFor="lc-note">Note (optional)</Label>
              <Input id="lc-note" className="mt-1" value={note} onChange={(e) => setNote(e.target.value)} placeholder="e.g. Use 2.x: see the migration notes" />
            </div>
            {save.error ? <p className="text-sm text-danger">{(save.error as Error).message}</p> : null}
            <DialogFooter>
              <Button type="submit" loading={save.isPending} variant={next === "retired" ? "danger" : "primary"}>
                Save
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
    </>
  );
}
