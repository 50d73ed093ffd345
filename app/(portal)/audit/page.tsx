import type { Metadata } from "next";
import Link from "next/link";
import { FileClock, KeyRound } from "lucide-react";
import { Avatar } from "@/components/ui/avatar";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input, Label, NativeSelect } from "@/components/ui/input";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { describeAction, relativeTime } from "@/components/audit/format";
import { VerifyChain } from "@/components/audit/verify-chain";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { lastCompletedJob } from "@/lib/core/jobs/inspect";
import { AuditQuery, ChainVerification, auditFacets, listAuditEvents } from "@/lib/audit";

export const metadata: Metadata = { title: "Audit" };

type Search = Record<string, string | string[] | undefined>;

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "audit.read")) return <NoAccess permission="audit.read" />;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = AuditQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : AuditQuery.parse({});
  const [page, facets, lastJob] = await Promise.all([listAuditEvents(db(), query), auditFacets(db()), lastCompletedJob("audit.verify-chain")]);
  const lastResult = lastJob ? ChainVerification.safeParse(lastJob.output) : null;
  const filtered = Boolean(query.actor || query.action || query.target || query.from || query.to || query.targetType || query.targetId);
  const withCursor = (cursor: string) => {
    const params = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== "cursor") as [string, string][]);
    params.set("cursor", cursor);
    return `/audit?${params.toString()}`;
  };
  const newest = `/audit?${new URLSearchParams(Object.entries(raw).filter(([k]) => k !== "cursor") as [string, string][]).toString()}`;

  return (
    <div className="space-y-6">
      <PageHeader
        title="Audit trail"
        description="Every change in Paved, who made it and when. Append-only, and hash-chained so that any later edit is detected."
        actions={<VerifyChain lastScheduled={lastJob && lastResult?.success ? { at: lastJob.completedAt ?? lastJob.createdAt, result: lastResult.data } : null} />}
      />

      <Card>
        <form method="get" className="grid gap-3 px-5 py-4 sm:grid-cols-2 lg:grid-cols-6" data-testid="audit-filters">
          <div>
            <Label htmlFor="f-actor">Actor</Label>
            <NativeSelect id="f-actor" name="actor" defaultValue={query.actor ?? ""} className="mt-1">
              <option value="">Anyone</option>
              {facets.actors.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div>
            <Label htmlFor="f-action">Action</Label>
            <NativeSelect id="f-action" name="action" defaultValue={query.action ?? ""} className="mt-1">
              <option value="">Any action</option>
              {[...new Set(facets.actions.map((a) => `${a.split(".")[0]}.*`))].map((prefix) => (
                <option key={prefix} value={prefix}>
                  {prefix}
                </option>
              ))}
              {facets.actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="lg:col-span-2">
            <Label htmlFor="f-target">Target</Label>
            <Input id="f-target" name="target" defaultValue={query.target ?? ""} placeholder="id or name, e.g. payments" className="mt-1" />
          </div>
          <div>
            <Label htmlFor="f-from">From</Label>
            <Input id="f-from" name="from" type="date" defaultValue={query.from?.slice(0, 10) ?? ""} className="mt-1" />
          </div>
          <div>
            <Label htmlFor="f-to">Before</Label>
            <Input id="f-to" name="to" type="date" defaultValue={query.to?.slice(0, 10) ?? ""} className="mt-1" />
          </div>
          <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-6">
            <Button type="submit" size="sm">
              Apply filters
            </Button>
            {filtered ? (
              <Button asChild variant="ghost" size="sm">
                <Link href="/audit">Clear</Link>
              </Button>
            ) : null}
            {!parsed.success ? (
              <span className="text-sm text-danger" data-testid="filter-error">
                Some filters were invalid and were ignored: {parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}
              </span>
            ) : null}
          </div>
        </form>
      </Card>

      <Card>
        <CardHeader title={filtered ? "Matching events" : "All events"} description="Newest first. Open an event to see exactly what changed and its place in the chain." />
        {page.items.length === 0 ? (
          <EmptyState icon={FileClock} title={filtered ? "No events match these filters" : "No events yet"} action={filtered ? <Link className="text-sm text-accent hover:underline" href="/audit">Clear filters</Link> : undefined}>
            {filtered ? "Try a wider time range or another actor." : "Changes appear here the moment they are made."}
          </EmptyState>
        ) : (
          <Table data-testid="audit-table">
            <THead>
              <tr>
                <Th className="w-16">#</Th>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>What</Th>
                <Th>Target</Th>
                <Th>Details</Th>
              </tr>
            </THead>
            <TBody>
              {page.items.map((e) => (
                <Tr key={e.seq}>
                  <Td className="tabular text-xs text-subtle">{e.seq}</Td>
                  <Td className="whitespace-nowrap">
                    <time dateTime={e.createdAt} title={e.createdAt} className="text-sm">
                      {relativeTime(e.createdAt)}
                    </time>
                  </Td>
                  <Td>
                    <span className="flex items-center gap-2 whitespace-nowrap">
                      <Avatar name={e.actor.login} login={e.actor.login} size={22} />
                      <span className="text-sm font-medium">{e.actor.login}</span>
                      {e.actor.type === "token" ? (
                        <Badge title="Through a personal API token">
                          <KeyRound className="size-3" aria-hidden /> token
                        </Badge>
                      ) : e.actor.type === "system" ? (
                        <Badge>system</Badge>
                      ) : null}
                    </span>
                  </Td>
                  <Td>
                    <div className="text-sm">{describeAction(e.action)}</div>
                    <code className="font-mono text-[11px] text-subtle">{e.action}</code>
                  </Td>
                  <Td>
                    <div className="text-sm">{e.target.label ?? e.target.id}</div>
                    <div className="text-[11px] text-subtle">{e.target.type}</div>
                  </Td>
                  <Td className="max-w-md">
                    <details className="group">
                      <summary className="cursor-pointer text-xs text-accent hover:underline">payload & hash</summary>
                      <pre className="mt-2 max-h-60 overflow-auto rounded-md border border-border bg-surface-2 p-2 font-mono text-[11px]">{JSON.stringify(e.payload, null, 2)}</pre>
                      <dl className="mt-2 space-y-0.5 font-mono text-[10px] text-subtle">
                        <div>
                          <dt className="inline">hash </dt>
                          <dd className="inline break-all">{e.hash}</dd>
                        </div>
                        <div>
                          <dt className="inline">prev </dt>
                          <dd className="inline break-all">{e.prevHash}</dd>
                        </div>
                        {e.requestId ? (
                          <div>
                            <dt className="inline">request </dt>
                            <dd className="inline">{e.requestId}</dd>
                          </div>
                        ) : null}
                      </dl>
                    </details>
                  </Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        )}
        <div className="flex items-center justify-between border-t border-border px-5 py-3 text-sm">
          {query.cursor ? (
            <Link href={newest} className="text-accent hover:underline">
              ← Newest
            </Link>
          ) : (
            <span />
          )}
          {page.nextCursor ? (
            <Link href={withCursor(page.nextCursor)} className="text-accent hover:underline" data-testid="older">
              Older →
            </Link>
          ) : (
            <span className="text-subtle">{page.items.length ? "End of the trail" : ""}</span>
          )}
        </div>
      </Card>
    </div>
  );
}
