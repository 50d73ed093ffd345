import type { Metadata } from "next";
import Link from "next/link";
import { FileWarning, ShieldCheck, ShieldX } from "lucide-react";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { CodeView } from "@/components/code/code-view";
import { relativeTime } from "@/components/audit/format";
import { NoAccess } from "@/components/shell/no-access";
import { ComplianceTrend } from "@/components/governance/compliance-trend";
import { GrantExceptionButton, RevokeExceptionButton, ScanComplianceButton } from "@/components/governance/actions";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { UNEVALUATED } from "@/lib/policies/compliance";
import { ViolationsQuery, getCompliance, listExceptions, listViolations, policyCases, policySet, toPolicyDto } from "@/lib/policies";

export const metadata: Metadata = { title: "Governance" };

type Search = Record<string, string | string[] | undefined>;
const TABS = [
  ["overview", "Compliance"],
  ["violations", "Violations"],
  ["policies", "Policies"],
  ["exceptions", "Exceptions"],
] as const;

const ACTION_TONE: Record<string, BadgeProps["tone"]> = { Deny: "danger", Warn: "warning", Audit: "info" };

function Percent({ value, className }: { value: number | null; className?: string }) {
  if (value === null) return <span className={cn("text-subtle", className)}>—</span>;
  const tone = value >= 100 ? "text-success" : value >= 90 ? "text-warning" : "text-danger";
  return <span className={cn("tabular whitespace-nowrap font-semibold", tone, className)}>{value.toFixed(value % 1 === 0 ? 0 : 1)} %</span>;
}

function Bar({ value }: { value: number | null }) {
  const v = value ?? 0;
  return (
    <div className="h-2 w-full overflow-hidden rounded-full bg-surface-2" aria-hidden>
      <div className={cn("h-full rounded-full", v >= 100 ? "bg-success" : v >= 90 ? "bg-warning" : "bg-danger")} style={{ width: `${Math.max(2, v)}%` }} />
    </div>
  );
}

export default async function GovernancePage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "governance.read")) return <NoAccess permission="governance.read" />;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v));
  const tab = TABS.some(([t]) => t === raw.tab) ? (raw.tab as (typeof TABS)[number][0]) : "overview";
  const canManage = can(actor, "policies.manage");
  const filters = ViolationsQuery.safeParse(raw);
  const query = filters.success ? filters.data : ViolationsQuery.parse({});
  const [{ policies, errors }, compliance, violations, exceptions] = await Promise.all([
    policySet(),
    getCompliance(db()),
    tab === "violations" ? listViolations(db(), query) : Promise.resolve([]),
    tab === "exceptions" ? listExceptions(db()) : Promise.resolve([]),
  ]);
  const policyList = policies.map((p) => ({ name: p.name, title: p.title }));
  const cases = tab === "policies" ? new Map(await Promise.all(policies.map(async (p) => [p.name, await policyCases(p.name)] as const))) : new Map();
  const href = (params: Record<string, string>) => `/governance?${new URLSearchParams(params).toString()}`;

  return (
    <div className="space-y-6">
      <PageHeader
        title="Governance"
        description="Policies as code, checked before anything reaches a cluster and scanned across the GitOps repository, Terraform plans and template instances."
        actions={canManage ? <ScanComplianceButton /> : null}
      />

      {errors.length ? (
        <div className="rounded-md border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger" data-testid="broken-policies">
          <div className="flex items-center gap-2 font-medium">
            <FileWarning className="size-4" aria-hidden /> {errors.length} polic{errors.length === 1 ? "y does" : "ies do"} not load and {errors.length === 1 ? "is" : "are"} not enforced:
          </div>
          <ul className="mt-1 list-disc pl-6">
            {errors.map((e) => (
              <li key={e.file}>
                <code className="font-mono">
                  {e.file}
                  {e.line ? `:${e.line}` : ""}
                </code>{" "}
                — {e.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      <nav aria-label="Governance sections" className="flex gap-1 overflow-x-auto border-b border-border">
        {TABS.map(([t, label]) => (
          <Link
            key={t}
            href={href({ tab: t })}
            aria-current={tab === t ? "page" : undefined}
            className={cn("-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium", tab === t ? "border-accent text-foreground" : "border-transparent text-muted hover:text-foreground")}
          >
            {label}
          </Link>
        ))}
      </nav>

      {tab === "overview" ? (
        compliance.overall === null ? (
          <Card>
            <EmptyState icon={ShieldCheck} title="No compliance scan yet" action={canManage ? <ScanComplianceButton /> : undefined}>
              The scan runs every hour over the GitOps repository, Terraform plans and template instances.
            </EmptyState>
          </Card>
        ) : (
          <div className="space-y-6">
            <div className="grid gap-4 lg:grid-cols-3">
              <Card className="px-5 py-4">
                <div className="text-sm text-muted">Policy compliance</div>
                <div className="mt-1 flex items-baseline gap-2">
                  <Percent value={compliance.overall.percent} className="text-4xl" />
                  <span className="text-sm text-subtle">target 100 %</span>
                </div>
                <div className="mt-2 text-xs text-muted" data-testid="compliance-summary">
                  {compliance.overall.passed.toLocaleString()} of {compliance.overall.evaluations.toLocaleString()} checks pass
                  {compliance.lastRun?.waived ? ` (${compliance.lastRun.waived} by exception)` : ""} across {compliance.lastRun?.subjects ?? 0} objects · scanned{" "}
                  {compliance.lastRun?.finishedAt ? relativeTime(compliance.lastRun.finishedAt) : "—"}
                </div>
                <p className="mt-3 text-xs text-subtle">
                  A check is one policy applying to one object; a failure waived by an exception counts as passed. Audit-only policies are recorded but not counted.
                </p>
              </Card>
              <Card className="px-5 py-4 lg:col-span-2">
                <div className="mb-2 text-sm text-muted">Trend</div>
                <ComplianceTrend points={compliance.trend} />
              </Card>
            </div>
            <div className="grid gap-6 lg:grid-cols-2">
              <Card>
                <CardHeader title="By team" description="Follow a team to its violations." />
                <Table data-testid="compliance-by-team">
                  <TBody>
                    {compliance.byTeam.map((t) => (
                      <Tr key={t.key}>
                        <Td className="w-40 font-medium">
                          <Link className="hover:text-accent" href={href({ tab: "violations", team: t.key })}>
                            {t.key}
                          </Link>
                        </Td>
                        <Td>
                          <Bar value={t.percent} />
                        </Td>
                        <Td className="w-20 text-right">
                          <Percent value={t.percent} />
                        </Td>
                        <Td className="w-28 text-right text-xs text-subtle tabular">
                          {t.passed}/{t.evaluations}
                        </Td>
                      </Tr>
                    ))}
                  </TBody>
                </Table>
              </Card>
              <Card>
                <CardHeader title="By environment" />
                <Table data-testid="compliance-by-environment">
                  <TBody>
                    {compliance.byEnvironment.map((e) => (
                      <Tr key={e.key}>
                        <Td className="w-40 font-medium">
                          <Link className="hover:text-accent" href={href({ tab: "violations", environment: e.key })}>
                            {e.key}
                          </Link>
                        </Td>
                        <Td>
                          <Bar value={e.percent} />
                        </Td>
                        <Td className="w-20 text-right">
                          <Percent value={e.percent} />
                        </Td>
                        <Td className="w-28 text-right text-xs text-subtle tabular">
                          {e.passed}/{e.evaluations}
                        </Td>
                      </Tr>
                    ))}
                    {compliance.byEnvironment.length === 0 ? (
                      <Tr>
                        <Td className="text-sm text-muted">No environment-specific objects were scanned (no GitOps repository yet).</Td>
                      </Tr>
                    ) : null}
                  </TBody>
                </Table>
              </Card>
            </div>
            <Card>
              <CardHeader title="By policy" description="Worst first." />
              <Table data-testid="compliance-by-policy">
                <TBody>
                  {compliance.byPolicy.map((p) => (
                    <Tr key={p.key}>
                      <Td className="w-72 font-medium">
                        <Link className="hover:text-accent" href={href({ tab: "violations", policy: p.key })}>
                          {policies.find((x) => x.name === p.key)?.title ?? p.key}
                        </Link>
                        <div className="font-mono text-[11px] text-subtle">{p.key}</div>
                      </Td>
                      <Td>
                        <Bar value={p.percent} />
                      </Td>
                      <Td className="w-20 text-right">
                        <Percent value={p.percent} />
                      </Td>
                      <Td className="w-28 text-right text-xs text-subtle tabular">
                        {p.passed}/{p.evaluations}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            </Card>
          </div>
        )
      ) : null}

      {tab === "violations" ? (
        <Card>
          <CardHeader
            title="Violations"
            description={
              <>
                From the last scan{query.policy ? ` · policy ${query.policy}` : ""}
                {query.team ? ` · team ${query.team}` : ""}
                {query.environment ? ` · ${query.environment}` : ""}.{" "}
                {query.policy || query.team || query.environment ? (
                  <Link className="text-accent hover:underline" href={href({ tab: "violations" })}>
                    Show all
                  </Link>
                ) : null}
              </>
            }
          />
          {compliance.overall === null ? (
            <EmptyState icon={ShieldCheck} title="No compliance scan yet" action={canManage ? <ScanComplianceButton /> : undefined}>
              Violations appear here once the first scan finishes; it runs every hour.
            </EmptyState>
          ) : violations.length === 0 ? (
            <EmptyState icon={ShieldCheck} title="Nothing to fix here">
              No failed checks match.
            </EmptyState>
          ) : (
            <Table data-testid="violations-table">
              <THead>
                <tr>
                  <Th>Object</Th>
                  <Th>Policy</Th>
                  <Th>Message</Th>
                  <Th>Where</Th>
                  {canManage ? (
                    <Th className="text-right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </THead>
              <TBody>
                {violations.map((v) => (
                  <Tr key={v.id}>
                    <Td>
                      <div className="font-medium">{v.subject.name}</div>
                      <div className="text-xs text-subtle">
                        {v.subject.kind}
                        {v.subject.namespace ? ` · ${v.subject.namespace}` : ""}
                        {v.team ? ` · team ${v.team}` : ""}
                        {v.environment ? ` · ${v.environment}` : ""}
                      </div>
                    </Td>
                    <Td>
                      <Badge tone={v.exceptionId ? "neutral" : ACTION_TONE[v.action]}>{v.exceptionId ? "waived" : v.action}</Badge>
                      <div className="mt-1 font-mono text-[11px] text-subtle">{v.policy}</div>
                    </Td>
                    <Td className="max-w-md text-sm">{v.message}</Td>
                    <Td className="font-mono text-xs text-muted">
                      {v.file ? (
                        <>
                          {v.file}
                          {v.line ? `:${v.line}` : ""}
                        </>
                      ) : (
                        v.source
                      )}
                    </Td>
                    {canManage ? (
                      <Td className="text-right">
                        {v.exceptionId || v.policy === UNEVALUATED ? null : <GrantExceptionButton policies={policyList} preset={{ policy: v.policy, kind: v.subject.kind, namespace: v.subject.namespace ?? "", name: v.subject.name }} />}
                      </Td>
                    ) : null}
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      ) : null}

      {tab === "policies" ? (
        <div className="space-y-3" data-testid="policies-list">
          {policies.map((p) => {
            const dto = toPolicyDto(p, cases.get(p.name) ?? []);
            return (
              <Card key={p.name}>
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-3 px-5 py-4">
                    <Badge tone={ACTION_TONE[p.action]}>{p.action}</Badge>
                    <span className="font-medium">{p.title}</span>
                    <code className="font-mono text-xs text-subtle">{p.name}</code>
                    <span className="ml-auto flex items-center gap-2 text-xs text-muted">
                      <Badge>{p.category}</Badge>
                      <Badge tone={p.severity === "critical" || p.severity === "high" ? "danger" : "neutral"}>{p.severity}</Badge>
                      {p.kubernetes ? <Badge tone="info">admission-ready</Badge> : null}
                    </span>
                  </summary>
                  <div className="space-y-3 border-t border-border px-5 py-4">
                    <p className="text-sm text-muted">{p.description}</p>
                    <p className="text-xs text-subtle">
                      Applies to {dto.subjects.map((s) => `${s.resources.join(", ")} (${s.apiGroups.map((g) => g || "core").join(", ")})`).join("; ")} · source{" "}
                      <code className="font-mono">{p.file}</code>
                    </p>
                    <CodeView content={p.source} className="max-h-96" />
                    {dto.cases.length ? (
                      <div>
                        <h3 className="mb-1 text-xs font-medium uppercase tracking-wide text-subtle">Test cases ({dto.cases.length}, run by npm run policies:test)</h3>
                        <ul className="grid gap-1 text-sm sm:grid-cols-2" data-testid="policy-cases">
                          {dto.cases.map((c) => (
                            <li key={c.name} className="flex items-start gap-2">
                              <Badge tone={c.expect === "deny" ? "danger" : c.expect === "warn" ? "warning" : "success"}>{c.expect}</Badge>
                              <span className="text-muted">{c.name}</span>
                            </li>
                          ))}
                        </ul>
                      </div>
                    ) : null}
                  </div>
                </details>
              </Card>
            );
          })}
        </div>
      ) : null}

      {tab === "exceptions" ? (
        <Card>
          <CardHeader
            title="Exceptions"
            description="A waiver names a policy and a target, a reason, who approved it and when it expires; it stops applying the moment it expires."
            actions={canManage ? <GrantExceptionButton policies={policyList} /> : null}
          />
          {exceptions.length === 0 ? (
            <EmptyState icon={ShieldX} title="No exceptions">
              Every policy applies to everything in scope.
            </EmptyState>
          ) : (
            <Table data-testid="exceptions-table">
              <THead>
                <tr>
                  <Th>Policy</Th>
                  <Th>Target</Th>
                  <Th>Reason</Th>
                  <Th>Approver</Th>
                  <Th>Expires</Th>
                  <Th>Status</Th>
                  {canManage ? (
                    <Th className="text-right">
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </THead>
              <TBody>
                {exceptions.map((e) => (
                  <Tr key={e.id}>
                    <Td className="font-mono text-xs">{e.policy}</Td>
                    <Td className="text-sm">{[e.target.kind, e.target.namespace, e.target.name].map((x) => x ?? "*").join(" / ")}</Td>
                    <Td className="max-w-sm text-sm text-muted">{e.reason}</Td>
                    <Td>{e.approver}</Td>
                    <Td className="text-sm" title={e.expiresAt}>
                      {new Date(e.expiresAt).toLocaleString()}
                    </Td>
                    <Td>
                      <Badge tone={e.status === "active" ? "warning" : "neutral"}>{e.status}</Badge>
                    </Td>
                    {canManage ? <Td className="text-right">{e.status === "active" ? <RevokeExceptionButton id={e.id} /> : null}</Td> : null}
                  </Tr>
                ))}
              </TBody>
            </Table>
          )}
        </Card>
      ) : null}
    </div>
  );
}
