import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { LibraryBig } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { NoAccess } from "@/components/shell/no-access";
import { CatalogFilters } from "@/components/templates/catalog-filters";
import { LifecycleBadge, TypeLabel } from "@/components/templates/meta";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { db } from "@/lib/core/db/client";
import { ListTemplatesQuery, catalogFacets, listTemplates } from "@/lib/templates";

export const metadata: Metadata = { title: "Catalog" };

type Search = Record<string, string | string[] | undefined>;

export default async function CatalogPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]).filter(([, v]) => v));
  const parsed = ListTemplatesQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : ListTemplatesQuery.parse({});
  const [templates, facets] = await Promise.all([listTemplates(db(), query), catalogFacets(db())]);
  const filtered = Boolean(query.q || query.type || query.lifecycle || query.tag || query.owner);

  return (
    <div className="space-y-6">
      <PageHeader
        title="Template catalog"
        description="Reusable, tested CI/CD templates. Pick one, fill in its parameters, preview the files, and Paved opens the pull request — and the upgrade pull requests after it."
      />
      <Suspense>
        <CatalogFilters tags={facets.tags} owners={facets.owners} />
      </Suspense>
      <p className="text-sm text-muted" aria-live="polite" data-testid="catalog-count">
        {templates.length} template{templates.length === 1 ? "" : "s"}
        {filtered ? " match" : ""}
      </p>
      {templates.length === 0 ? (
        <Card>
          <EmptyState icon={LibraryBig} title={filtered ? "No template matches" : "The catalog is empty"} action={filtered ? <Link href="/catalog" className="text-sm text-accent hover:underline">Clear search and filters</Link> : undefined}>
            {filtered ? "Try fewer words or another filter." : "Templates are published from the templates-catalog folder when Paved starts."}
          </EmptyState>
        </Card>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" data-testid="catalog-results">
          {templates.map((t) => (
            <li key={t.name}>
              <Link
                href={`/catalog/${t.name}`}
                className="group flex h-full flex-col rounded-lg border border-border bg-surface p-5 shadow-xs transition-colors hover:border-accent/60 hover:shadow-sm"
                data-testid={`template-card-${t.name}`}
              >
                <div className="flex items-start justify-between gap-3">
                  <TypeLabel type={t.type} />
                  <LifecycleBadge lifecycle={t.latestLifecycle} />
                </div>
                <h2 className="mt-3 text-base font-semibold group-hover:text-accent">{t.title}</h2>
                <code className="font-mono text-xs text-subtle">
                  {t.name}
                  {t.latestVersion ? `@${t.latestVersion}` : ""}
                </code>
                <p className="mt-2 line-clamp-3 flex-1 text-sm text-muted">{t.description}</p>
                <div className="mt-4 flex flex-wrap items-center gap-1.5">
                  {t.tags.slice(0, 5).map((tag) => (
                    <Badge key={tag}>{tag}</Badge>
                  ))}
                </div>
                <div className="mt-4 flex items-center justify-between border-t border-border pt-3 text-xs text-subtle">
                  <span>owner {t.owner}</span>
                  <span className="tabular">
                    {t.instanceCount} instance{t.instanceCount === 1 ? "" : "s"} · {t.versionCount} version{t.versionCount === 1 ? "" : "s"}
                  </span>
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
