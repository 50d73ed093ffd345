"use client";

// Confirmations before anything is removed: they name what changes, and say what cannot be undone.
import { Trash2, Unlink } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { dependentsSentence, joinNames } from "./model";

export type PendingRemoval = { kind: "edge"; service: string; dependsOn: string } | { kind: "node"; name: string; dependents: string[]; dependsOn: string[] } | null;

export function RemovalDialog({ removal, busy, onCancel, onConfirm }: { removal: PendingRemoval; busy: boolean; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Dialog open={removal !== null} onOpenChange={(open) => (open ? null : onCancel())}>
      {removal?.kind === "edge" ? (
        <DialogContent
          title={`Remove: ${removal.service} no longer depends on ${removal.dependsOn}?`}
          description={`${removal.service} will no longer wait for ${removal.dependsOn} when they deploy together. You can undo this with Ctrl+Z.`}
        >
          <DialogFooter>
            <Button variant="danger" onClick={onConfirm} loading={busy} data-testid="graph-confirm-remove" autoFocus>
              <Unlink /> Remove dependency
            </Button>
          </DialogFooter>
        </DialogContent>
      ) : removal?.kind === "node" ? (
        <DialogContent title={`Delete ${removal.name}?`} description="The service leaves the catalog and the graph.">
          <div className="mb-5 space-y-2 text-sm" data-testid="graph-delete-dependents">
            <p className={removal.dependents.length ? "rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-warning" : "text-muted"}>{dependentsSentence(removal.name, removal.dependents)}</p>
            {removal.dependsOn.length ? <p className="text-muted">Its own dependencies on {joinNames(removal.dependsOn)} go with it.</p> : null}
            <p className="font-medium text-foreground">Deleting a service cannot be undone.</p>
          </div>
          <DialogFooter>
            <Button variant="danger" onClick={onConfirm} loading={busy} data-testid="graph-confirm-delete">
              <Trash2 /> Delete {removal.name}
            </Button>
          </DialogFooter>
        </DialogContent>
      ) : null}
    </Dialog>
  );
}
