// Reading the catalog: search and filters, a template with its versions, resolving a version.
import semver from "semver";
import type { Db, Tx } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { NotFoundError } from "../core/errors.ts";
import type { TemplateBundle } from "./bundle.ts";
import type { Lifecycle } from "./manifest.ts";
import type { ListTemplatesQuery, ParameterDto, TemplateDetailDto, TemplateSummaryDto, TemplateVersionDto, VersionSummaryDto } from "./schemas.ts";
import { fromDbType, toDbType } from "./sync.ts";

type VersionRow = {
  id: string;
  version: string;
  lifecycle: Lifecycle;
  digest: string;
  publishedAt: Date;
  lifecycleNote: string | null;
  bundle: unknown;
};

export function bundleOf(v: { bundle: unknown }): TemplateBundle {
  return v.bundle as TemplateBundle;
}

export function toVersionSummary(v: VersionRow): VersionSummaryDto {
  return {
    version: v.version,
    lifecycle: v.lifecycle,
    publishedAt: v.publishedAt.toISOString(),
    digest: v.digest,
    migration: bundleOf(v).manifest.spec.migration ?? null,
    lifecycleNote: v.lifecycleNote,
  };
}

export function parametersOf(schema: TemplateBundle["manifest"]["spec"]["parameters"], order: readonly string[] = []): ParameterDto[] {
  const required = new Set(schema.required ?? []);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  const entries = Object.entries(schema.properties ?? {}).sort(([a], [b]) => rank(a) - rank(b));
  return entries.map(([name, p]) => ({
    name,
    title: typeof p.title === "string" ? p.title : null,
    type: Array.isArray(p.type) ? p.type.join(" | ") : typeof p.type === "string" ? p.type : "any",
    required: required.has(name),
    default: p.default ?? null,
    enum: Array.isArray(p.enum) ? p.enum : null,
    pattern: typeof p.pattern === "string" ? p.pattern : null,
    description: typeof p.description === "string" ? p.description : null,
  }));
}

export function toVersionDto(v: VersionRow): TemplateVersionDto {
  const b = bundleOf(v);
  return {
    ...toVersionSummary(v),
    parameterSchema: b.manifest.spec.parameters as Record<string, unknown>,
    parameters: parametersOf(b.manifest.spec.parameters, b.parameterOrder ?? []),
    files: b.manifest.spec.files.map((f) => ({ source: f.source, target: f.target, when: f.when ?? null })),
    outputs: b.manifest.spec.outputs.map((o) => ({ name: o.name, value: o.value, description: o.description ?? null })),
    tests: b.manifest.spec.tests.map((t) => ({ name: t.name, description: t.description ?? null })),
    readme: b.readme,
    changelog: b.changelog,
  };
}

/** Newest first by semantic version. */
export function sortVersions<T extends { version: string }>(versions: T[]): T[] {
  return [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The version a person gets by default: the newest stable one, else the newest not retired. */
export function defaultVersion<T extends { version: string; lifecycle: Lifecycle }>(versions: T[]): T | undefined {
  const sorted = sortVersions(versions);
  return sorted.find((v) => v.lifecycle === "stable") ?? sorted.find((v) => v.lifecycle !== "retired");
}

function words(q: string): string[] {
  return q
    .toLowerCase()
    .split(/\s+/)
    .map((w) => w.trim())
    .filter(Boolean)
    .slice(0, 8);
}

export async function listTemplates(db: Db, q: Partial<ListTemplatesQuery> = {}): Promise<TemplateSummaryDto[]> {
  const where: Prisma.TemplateWhereInput = {};
  const and: Prisma.TemplateWhereInput[] = [];
  for (const w of words(q.q ?? "")) and.push({ searchText: { contains: w } });
  if (q.type) where.type = toDbType(q.type);
  if (q.tag) where.tags = { has: q.tag.toLowerCase() };
  if (q.owner) where.ownerTeam = q.owner;
  if (and.length) where.AND = and;
  const rows = await db.template.findMany({
    where,
    take: q.limit ?? 200,
    orderBy: q.sort === "updated" ? { updatedAt: "desc" } : q.sort === "usage" ? { instances: { _count: "desc" } } : { name: "asc" },
    include: {
      versions: { select: { version: true, lifecycle: true } },
      _count: { select: { instances: true } },
    },
  });
  const out = rows.map((t): TemplateSummaryDto => {
    const latest = t.latestVersion ? t.versions.find((v) => v.version === t.latestVersion) : undefined;
    return {
      name: t.name,
      title: t.title,
      description: t.description,
      type: fromDbType(t.type),
      tags: t.tags,
      owner: t.ownerTeam,
      latestVersion: t.latestVersion,
      latestLifecycle: latest?.lifecycle ?? null,
      versionCount: t.versions.length,
      instanceCount: t._count.instances,
      allowedTeams: t.allowedTeams,
      updatedAt: t.updatedAt.toISOString(),
    };
  });
  return q.lifecycle ? out.filter((t) => t.latestLifecycle === q.lifecycle) : out;
}

/** Distinct values for the catalog's filter menus. */
export async function catalogFacets(db: Db): Promise<{ tags: string[]; owners: string[] }> {
  const rows = await db.template.findMany({ select: { tags: true, ownerTeam: true } });
  return {
    tags: [...new Set(rows.flatMap((r) => r.tags))].sort(),
    owners: [...new Set(rows.map((r) => r.ownerTeam))].sort(),
  };
}

export async function getTemplateRowOrThrow(db: Db | Tx, name: string) {
  const template = await db.template.findUnique({ where: { name }, include: { versions: true, _count: { select: { instances: true } } } });
  if (!template) throw new NotFoundError("Template", name);
  return template;
}

export async function getTemplate(db: Db, name: string, version?: string): Promise<TemplateDetailDto> {
  const t = await getTemplateRowOrThrow(db, name);
  const versions = sortVersions(t.versions);
  const current = version ? versions.find((v) => v.version === version) : defaultVersion(versions);
  if (version && !current) throw new NotFoundError(`Version of template "${name}"`, version);
  const latest = t.latestVersion ? versions.find((v) => v.version === t.latestVersion) : undefined;
  return {
    name: t.name,
    title: t.title,
    description: t.description,
    type: fromDbType(t.type),
    tags: t.tags,
    owner: t.ownerTeam,
    latestVersion: t.latestVersion,
    latestLifecycle: latest?.lifecycle ?? null,
    versionCount: versions.length,
    instanceCount: t._count.instances,
    allowedTeams: t.allowedTeams,
    updatedAt: t.updatedAt.toISOString(),
    versions: versions.map(toVersionSummary),
    current: current ? toVersionDto(current) : null,
  };
}

/** The version a request names, or the default one; 404 for an unknown version. */
export function resolveVersion<T extends { version: string; lifecycle: Lifecycle }>(name: string, versions: T[], requested?: string): T {
  if (requested) {
    const found = versions.find((v) => v.version === requested);
    if (!found) throw new NotFoundError(`Version of template "${name}"`, requested);
    return found;
  }
  const found = defaultVersion(versions);
  if (!found) throw new NotFoundError(`A usable version of template "${name}"`);
  return found;
}
