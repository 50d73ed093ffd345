import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft, GitPullRequest, Play, TriangleAlert } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Markdown } from "@/components/code/markdown";
import { relativeTime } from "@/components/audit/format";
import { NoAccess } from "@/components/shell/no-access";
import { InstanceStatusBadge } from "@/components/templates/instance-status";
import { LifecycleBadge, TypeLabel } from "@/components/templates/meta";
import { LifecycleControl } from "@/components/templates/lifecycle-control";
import { BulkUpgradeButton, ScanAdoptionButton } from "@/components/templates/admin-actions";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { isAppError } from "@/lib/core/errors";
import { getAdoption, getTemplate, listInstances, type TemplateDetailDto } from "@/lib/templates";

type Search = Record<string, string | string[] | undefined>;
const TABS = [
  ["docs", "Docs"],
  ["parameters", "Parameters"],
  ["versions", "Versions"],
  ["changelog", "Changelog"],
  ["usage", "Usage"],
] as const;

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  return { title: (await params).name };
}

async function loadTemplate(name: string, version: string | undefined): Promise<TemplateDetailDto | null> {
  try {
    return await getTemplate(db(), name, version);
  } catch (e) {
    if (isAppError(e) && e.code === "not_found") return null;
    throw e;
  }
}

export default async function TemplatePage({ params, searchParams }: { params: Promise<{ name: string }>; searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  const { name } = await params;
  const search = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const tab = TABS.some(([t]) => t === first(search.tab)) ? (first(search.tab) as (typeof TABS)[number][0]) : "docs";
  const template = await loadTemplate(name, first(search.version));
  if (!template) notFound();
  const current = template.current;
  const [instances, adoption] = tab === "usage" ? await Promise.all([listInstances(db(), { template: name, limit: 200 }), getAdoption(db(), { template: name })]) : [[], null];
  const canUse = can(actor, "templates.instantiate") && current !== null && current.lifecycle !== "retired";
  const canManage = can(actor, "templates.manage");
  const href = (t: string) => `/catalog/${name}?tab=${t}${first(search.version) ? `&version=${first(search.version)}` : ""}`;

  return (
    <div className="space-y-6">
      <Link href="/catalog" className="inline-flex items-center gap-1 text-sm text-muted hover:text-foreground">
        <ArrowLeft className="size-4" aria-hidden /> Catalog
      </Link>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-2">
            <TypeLabel type={template.type} />
            <span className="text-subtle">·</span>
            <span className="text-xs text-muted">owner {template.owner}</span>
          </div>
          <h1 className="mt-1 text-2xl font-semibold tracking-tight">{template.title}</h1>
          <div className="mt-1 flex flex-wrap items-center gap-2">
            <code className="font-mono text-sm text-muted" data-testid="template-name">
              {template.name}@{current?.version ?? "—"}
            </code>
            <LifecycleBadge lifecycle={current?.lifecycle ?? null} />
            {template.tags.map((t) => (
              <Link key={t} href={`/catalog?tag=${t}`}>
                <Badge>{t}</Badge>
              </Link>
            ))}
          </div>
          <p className="mt-2 max-w-3xl text-sm text-muted">{template.description}</p>
        </div>
        <div className="flex items-center gap-2">
          {canUse ? (
            <Button asChild data-testid="use-template">
              <Link href={`/catalog/${name}/new${current ? `?version=${current.version}` : ""}`}>
                <Play /> Use this template
              </Link>
            </Button>
          ) : null}
        </div>
      </div>

      {current?.lifecycle === "deprecated" ? (
        <div className="flex items-start gap-2 rounded-md border border-warning/30 bg-warning-soft px-4 py-3 text-sm text-warning" data-testid="deprecation-warning">
          <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
          <span>
            Version {current.version} is deprecated{template.latestVersion && template.latestVersion !== current.version ? `; the current version is ${template.latestVersion}` : ""}.
            {current.lifecycleNote ? ` ${current.lifecycleNote}` : ""}
          </span>
        </div>
      ) : null}
      {current?.migration ? (
        <details className="rounded-md border border-info/30 bg-info-soft px-4 py-3 text-sm text-info">
          <summary className="cursor-pointer font-medium">Migrating from the previous major version</summary>
          <Markdown className="mt-2">{current.migration}</Markdown>
        </details>
      ) : null}

      <nav aria-label="Template sections" className="flex gap-1 overflow-x-auto border-b border-border">
        {TABS.map(([t, label]) => (
          <Link
            key={t}
            href={href(t)}
            aria-current={tab === t ? "page" : undefined}
            className={cn(
              "-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium",
              tab === t ? "border-accent text-foreground" : "border-transparent text-muted hover:text-foreground",
            )}
          >
            {label}
            {t === "versions" ? <span className="ml-1.5 text-xs text-subtle">{template.versionCount}</span> : null}
            {t === "usage" ? <span className="ml-1.5 text-xs text-subtle">{template.instanceCount}</span> : null}
          </Link>
        ))}
      </nav>

      {tab === "docs" && current ? (
        <div className="grid gap-6 lg:grid-cols-3">
          <Card className="px-6 py-5 lg:col-span-2">
            <Markdown>{current.readme}</Markdown>
          </Card>
          <div className="space-y-6">
            <Card>
              <CardHeader title="Files it writes" />
              <ul className="divide-y divide-border text-sm">
                {current.files.map((f) => (
                  <li key={f.source} className="px-5 py-2.5">
                    <code className="font-mono text-xs">{f.target.replace(/\[\[\s*params(?:\.([\w-]+)|\[["']([^"']+)["']\])\s*\]\]/g, "<$1$2>")}</code>
                    {f.when ? <div className="text-xs text-subtle">when {f.when}</div> : null}
                  </li>
                ))}
              </ul>
            </Card>
            {current.outputs.length ? (
              <Card>
                <CardHeader title="Outputs" />
                <ul className="divide-y divide-border text-sm">
                  {current.outputs.map((o) => (
                    <li key={o.name} className="px-5 py-2.5">
                      <div className="font-medium">{o.name}</div>
                      <code className="font-mono text-xs text-muted">{o.value}</code>
                      {o.description ? <p className="text-xs text-subtle">{o.description}</p> : null}
                    </li>
                  ))}
                </ul>
              </Card>
            ) : null}
            <Card>
              <CardHeader title="Tested" description={`${current.tests.length} test case${current.tests.length === 1 ? "" : "s"} run in CI on every change.`} />
              <ul className="divide-y divide-border text-sm">
                {current.tests.map((t) => (
                  <li key={t.name} className="px-5 py-2">
                    <span className="font-medium">{t.name}</span>
                    {t.description ? <span className="text-muted"> — {t.description}</span> : null}
                  </li>
                ))}
              </ul>
            </Card>
          </div>
        </div>
      ) : null}

      {tab === "parameters" && current ? (
        <Card>
          <Table data-testid="parameters-table">
            <THead>
              <tr>
                <Th>Parameter</Th>
                <Th>Type</Th>
                <Th>Default</Th>
                <Th>Description</Th>
              </tr>
            </THead>
            <TBody>
              {current.parameters.map((p) => (
                <Tr key={p.name}>
                  <Td>
                    <code className="font-mono text-xs font-medium">{p.name}</code>
                    {p.required ? (
                      <Badge tone="danger" className="ml-2">
                        required
                      </Badge>
                    ) : null}
                  </Td>
                  <Td className="text-muted">
                    {p.type}
                    {p.enum ? <div className="text-xs text-subtle">one of {p.enum.map((v) => JSON.stringify(v)).join(", ")}</div> : null}
                    {p.pattern ? <div className="font-mono text-[11px] text-subtle">/{p.pattern}/</div> : null}
                  </Td>
                  <Td>{p.default === null ? <span className="text-subtle">—</span> : <code className="font-mono text-xs">{JSON.stringify(p.default)}</code>}</Td>
                  <Td className="text-muted">{p.description ?? ""}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}

      {tab === "versions" ? (
        <Card>
          <Table data-testid="versions-table">
            <THead>
              <tr>
                <Th>Version</Th>
                <Th>Lifecycle</Th>
                <Th>Published</Th>
                <Th>Note</Th>
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </THead>
            <TBody>
              {template.versions.map((v) => (
                <Tr key={v.version}>
                  <Td>
                    <Link className="font-mono text-sm text-accent hover:underline" href={`/catalog/${name}?version=${v.version}`}>
                      {v.version}
                    </Link>
                    {v.version === template.latestVersion ? <Badge className="ml-2">latest</Badge> : null}
                  </Td>
                  <Td>
                    <LifecycleBadge lifecycle={v.lifecycle} />
                  </Td>
                  <Td className="text-muted" title={v.publishedAt}>
                    {relativeTime(v.publishedAt)}
                    <div className="font-mono text-[10px] text-subtle" title="Content digest: a published version never changes">
                      {v.digest.slice(0, 12)}
                    </div>
                  </Td>
                  <Td className="max-w-md text-sm text-muted">{v.lifecycleNote ?? (v.migration ? "Has a migration note" : "")}</Td>
                  <Td className="text-right">{canManage ? <LifecycleControl template={name} version={v.version} lifecycle={v.lifecycle} /> : null}</Td>
                </Tr>
              ))}
            </TBody>
          </Table>
        </Card>
      ) : null}

      {tab === "changelog" && current ? (
        <Card className="px-6 py-5">
          <Markdown>{current.changelog || "_No changelog._"}</Markdown>
        </Card>
      ) : null}

      {tab === "usage" ? (
        <div className="space-y-6">
          <Card>
            <CardHeader
              title="Instances made with Paved"
              description="Which repository runs which version, and the pull request that put it there."
              actions={
                canManage && template.latestVersion ? (
                  <BulkUpgradeButton
                    template={name}
                    latest={template.latestVersion}
                    behind={instances.filter((i) => i.upgradeAvailable && (i.status === "pull_request_open" || i.status === "completed")).length}
                  />
                ) : null
              }
            />
            {instances.length === 0 ? (
              <EmptyState icon={GitPullRequest} title="Not instantiated yet">
                {canUse ? "Use this template to open the first pull request." : "Teams' instances appear here."}
              </EmptyState>
            ) : (
              <Table data-testid="usage-table">
                <THead>
                  <tr>
                    <Th>Repository</Th>
                    <Th>Version</Th>
                    <Th>Team</Th>
                    <Th>Status</Th>
                    <Th>Pull request</Th>
                    <Th>Requested</Th>
                  </tr>
                </THead>
                <TBody>
                  {instances.map((i) => (
                    <Tr key={i.id}>
                      <Td>
                        <Link className="font-medium text-accent hover:underline" href={`/catalog/instances/${i.id}`}>
                          {i.repo}
                        </Link>
                      </Td>
                      <Td>
                        <code className="font-mono text-xs">{i.version}</code>
                        {i.upgradeAvailable ? (
                          <Badge tone="info" className="ml-2">
                            {i.upgradeAvailable} available
                          </Badge>
                        ) : null}
                      </Td>
                      <Td className="text-muted">{i.team}</Td>
                      <Td>
                        <InstanceStatusBadge status={i.status} />
                      </Td>
                      <Td>
                        {i.pullRequestUrl ? (
                          <a className="text-accent hover:underline" href={i.pullRequestUrl}>
                            #{i.pullRequestNumber}
                          </a>
                        ) : i.createdRepo && i.repoUrl ? (
                          <a className="text-accent hover:underline" href={i.repoUrl}>
                            new repository
                          </a>
                        ) : (
                          <span className="text-subtle">—</span>
                        )}
                      </Td>
                      <Td className="text-muted">
                        {relativeTime(i.createdAt)} by {i.createdBy}
                      </Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            )}
          </Card>
          <Card>
            <CardHeader
              title="Adoption across repositories"
              description={adoption?.scannedAt ? `From the scan of ${new Date(adoption.scannedAt).toLocaleString()}: workflows that call this template, and Paved's instances.` : "No adoption scan has run yet."}
              actions={canManage ? <ScanAdoptionButton /> : null}
            />
            {adoption && adoption.records.length ? (
              <Table data-testid="adoption-table">
                <THead>
                  <tr>
                    <Th>Repository</Th>
                    <Th>Version / ref</Th>
                    <Th>Team</Th>
                    <Th>Found in</Th>
                  </tr>
                </THead>
                <TBody>
                  {adoption.records.map((r) => (
                    <Tr key={`${r.repo}-${r.source}-${r.path}`}>
                      <Td className="font-medium">{r.repo}</Td>
                      <Td>
                        <code className="font-mono text-xs">{r.version ?? "?"}</code>
                      </Td>
                      <Td className="text-muted">{r.team ?? "—"}</Td>
                      <Td className="text-muted">{r.source === "instance" ? "Paved instance" : <code className="font-mono text-xs">{r.path}</code>}</Td>
                    </Tr>
                  ))}
                </TBody>
              </Table>
            ) : (
              <EmptyState title="Nothing found yet">The scan runs every six hours{canManage ? "; Scan now runs it at once" : ""}.</EmptyState>
            )}
          </Card>
        </div>
      ) : null}
    </div>
  );
}
