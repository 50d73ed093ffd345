"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Check, Copy, KeyRound, Plus, TriangleAlert } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError, Input, Label, NativeSelect } from "@/components/ui/input";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import type { TokenDto } from "@/lib/org/schemas";

type Created = TokenDto & { token: string };

const EXPIRY = [
  ["7", "7 days"],
  ["30", "30 days"],
  ["90", "90 days"],
  ["365", "1 year"],
  ["never", "Never"],
] as const;

export function TokensPanel({ initial }: { initial: TokenDto[] }) {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => api<{ items: TokenDto[] }>("/api/v1/tokens").then((r) => r.items), initialData: initial });
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<string>("90");
  const [created, setCreated] = useState<Created | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<TokenDto | null>(null);

  const create = useMutation({
    mutationFn: () => api<Created>("/api/v1/tokens", { method: "POST", body: { name, expiresInDays: expiry === "never" ? null : Number(expiry) } }),
    onSuccess: (token) => {
      setCreated(token);
      setName("");
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<void>(`/api/v1/tokens/${id}`, { method: "DELETE" }),
    onSuccess: () => {
      toast.success("Token revoked. Anything using it is refused from now on.");
      setRevoking(null);
      void qc.invalidateQueries({ queryKey: ["tokens"] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const fieldErrors = create.error instanceof ApiError ? create.error.fieldErrors() : {};

  const items = tokens.data ?? [];
  return (
    <Card>
      <CardHeader
        title="Personal API tokens"
        description={
          <>
            For scripts and CI: send <code className="font-mono text-xs">Authorization: Bearer &lt;token&gt;</code> to any <code className="font-mono text-xs">/api/v1</code> route. A
            token acts with your roles.
          </>
        }
        actions={
          <Button
            onClick={() => {
              create.reset();
              setCreated(null);
              setOpen(true);
            }}
            data-testid="new-token"
          >
            <Plus /> New token
          </Button>
        }
      />
      {items.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API tokens yet">
          Create one to call Paved&apos;s API from a script; from a terminal, <code className="font-mono text-xs">npm run token -- --user &lt;login&gt;</code> does the same.
        </EmptyState>
      ) : (
        <Table data-testid="tokens-table">
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Token</Th>
              <Th>Status</Th>
              <Th>Created</Th>
              <Th>Expires</Th>
              <Th>Last used</Th>
              <Th className="text-right">
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </THead>
          <TBody>
            {items.map((t) => (
              <Tr key={t.id}>
                <Td className="font-medium">{t.name}</Td>
                <Td>
                  <code className="font-mono text-xs text-muted">{t.prefix}…</code>
                </Td>
                <Td>
                  <Badge tone={t.status === "active" ? "success" : t.status === "expired" ? "warning" : "neutral"}>{t.status}</Badge>
                </Td>
                <Td className="text-muted">{relativeTime(t.createdAt)}</Td>
                <Td className="text-muted">{t.expiresAt ? t.expiresAt.slice(0, 10) : "never"}</Td>
                <Td className="text-muted">{t.lastUsedAt ? relativeTime(t.lastUsedAt) : "never"}</Td>
                <Td className="text-right">
                  {t.status === "active" ? (
                    <Button variant="ghost" size="sm" onClick={() => setRevoking(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </Button>
                  ) : null}
                </Td>
              </Tr>
            ))}
          </TBody>
        </Table>
      )}

      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={created ? "Copy your new token" : "New API token"} description={created ? undefined : "Name it after what will use it, so you know what to revoke later."}>
          {created ? (
            <div className="space-y-4">
              <div className="flex items-start gap-2 rounded-md bg-warning-soft px-3 py-2 text-sm text-warning">
                <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
                This is the only time the token is shown. Paved keeps only its hash.
              </div>
              <div className="flex items-center gap-2">
                <code className="flex-1 break-all rounded-md border border-border bg-surface-2 px-3 py-2 font-mono text-xs" data-testid="created-token">
                  {created.token}
                </code>
                <Button
                  variant="secondary"
                  size="icon"
                  aria-label="Copy token"
                  onClick={() => {
                    void navigator.clipboard?.writeText(created.token).then(() => {
                      setCopied(true);
                      setTimeout(() => setCopied(false), 1500);
                    });
                  }}
                >
                  {copied ? <Check /> : <Copy />}
                </Button>
              </div>
              <div className="flex justify-end">
                <DialogClose asChild>
                  <Button>Done</Button>
                </DialogClose>
              </div>
            </div>
          ) : (
            <form
              className="space-y-4"
              onSubmit={(e) => {
                e.preventDefault();
                create.mutate();
              }}
            >
              <div>
                <Label htmlFor="token-name">Name</Label>
                <Input
                  id="token-name"
                  className="mt-1"
                  value={name}
                  onChange={(e) => setName(e.target.value)}
                  placeholder="e.g. ci-deploy-bot"
                  aria-invalid={Boolean(fieldErrors.name)}
                  aria-describedby="token-name-error"
                  autoFocus
                />
                <FieldError id="token-name-error">{fieldErrors.name}</FieldError>
              </div>
              <div>
                <Label htmlFor="token-expiry">Expires after</Label>
                <NativeSelect id="token-expiry" className="mt-1" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
                  {EXPIRY.map(([v, l]) => (
                    <option key={v} value={v}>
                      {l}
                    </option>
                  ))}
                </NativeSelect>
              </div>
              {create.error && !fieldErrors.name ? <p className="text-sm text-danger">{create.error.message}</p> : null}
              <DialogFooter>
                <Button type="submit" loading={create.isPending} data-testid="create-token">
                  Create token
                </Button>
              </DialogFooter>
            </form>
          )}
        </DialogContent>
      </Dialog>

      <Dialog open={revoking !== null} onOpenChange={(o) => !o && setRevoking(null)}>
        <DialogContent title={`Revoke “${revoking?.name ?? ""}”?`} description="Scripts and pipelines using this token will be refused at once. This cannot be undone.">
          <DialogFooter cancelLabel="Keep it">
            <Button variant="danger" loading={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)} data-testid="confirm-revoke">
              Revoke token
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </Card>
  );
}
