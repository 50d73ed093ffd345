// Publishing the catalog: every template version found in templates-catalog/ becomes a published,
// immutable version in the database. A version already published with the same content (digest)
// is left alone; the same version with different content is refused — publish a new version
// instead. Lifecycle changes after publishing belong to Paved (platform admins), not the folder.
import semver from "semver";
import type { Db, Tx } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import type { LoadedBundle, TemplateBundle } from "./bundle.ts";
import type { Lifecycle, TemplateType } from "./manifest.ts";
import { parseSemver } from "./manifest.ts";

export interface SyncReport {
  published: string[];
  unchanged: number;
  refused: { template: string; version: string; reason: string }[];
  templates: number;
}

export const toDbType = (t: TemplateType) => t.replace(/-/g, "_") as "github_workflow" | "github_action" | "azure_pipeline" | "terraform" | "gitops_app";
export const fromDbType = (t: string) => t.replace(/_/g, "-") as TemplateType;

export function searchTextOf(m: TemplateBundle["manifest"]): string {
  return [m.metadata.name, m.metadata.title, m.metadata.description, ...m.metadata.tags, m.spec.type].join(" ").toLowerCase();
}

/** The newest version that is not retired: what lists show and what upgrades move to. */
export function latestOf(versions: { version: string; lifecycle: Lifecycle }[]): string | null {
  const live = versions.filter((v) => v.lifecycle !== "retired").map((v) => v.version);
  return live.sort(semver.rcompare)[0] ?? null;
}

/** Recomputes a template's denormalised latest version after its versions changed. */
export async function refreshLatest(tx: Tx, templateId: string): Promise<void> {
  const versions = await tx.templateVersion.findMany({ where: { templateId }, select: { version: true, lifecycle: true } });
  await tx.template.update({ where: { id: templateId }, data: { latestVersion: latestOf(versions) } });
}

type TemplateData = { title: string; description: string; type: ReturnType<typeof toDbType>; tags: string[]; ownerTeam: string; allowedTeams: string[]; searchText: string };
type FreshVersion = { templateId: string; version: string; major: number; minor: number; patch: number; prerelease: string | null; lifecycle: Lifecycle; digest: string; bundle: object; publishedBy: string };

const sameData = (a: TemplateData, b: TemplateData) =>
  a.title === b.title &&
  a.description === b.description &&
  a.type === b.type &&
  a.ownerTeam === b.ownerTeam &&
  a.searchText === b.searchText &&
  a.tags.join("\u0000") === b.tags.join("\u0000") &&
  a.allowedTeams.join("\u0000") === b.allowedTeams.join("\u0000");

/** Rows per INSERT of versions: bundles are tens of kB each, so a statement stays a few MB. */
const VERSION_BATCH = 100;

export async function syncCatalog(db: Db, loaded: LoadedBundle[], actor: Actor): Promise<SyncReport> {
  const report: SyncReport = { published: [], unchanged: 0, refused: [], templates: 0 };
  const byTemplate = new Map<string, LoadedBundle[]>();
  for (const l of loaded) {
    const name = l.bundle.manifest.metadata.name;
    byTemplate.set(name, [...(byTemplate.get(name) ?? []), l]);
  }
  await db.$transaction(
    async (tx) => {
      // Several instances starting at once publish one after the other.
      await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(72707370)");
      // Everything is read once and written in batches: a catalog of thousands of versions is a
      // handful of statements, not several per template.
      const existing = new Map(
        (await tx.template.findMany({ select: { id: true, name: true, title: true, description: true, type: true, tags: true, ownerTeam: true, allowedTeams: true, searchText: true, latestVersion: true } })).map((t) => [t.name, t]),
      );
      const versionsOf = new Map<string, { version: string; digest: string; lifecycle: Lifecycle }[]>();
      for (const v of await tx.templateVersion.findMany({ select: { templateId: true, version: true, digest: true, lifecycle: true } })) {
        versionsOf.set(v.templateId, [...(versionsOf.get(v.templateId) ?? []), v]);
      }

      const wanted = new Map<string, TemplateData>();
      for (const [name, bundles] of byTemplate) {
        report.templates++;
        // Template metadata follows its newest version.
        const newest = [...bundles].sort((a, b) => semver.rcompare(a.bundle.manifest.spec.version, b.bundle.manifest.spec.version))[0];
        if (!newest) continue;
        const m = newest.bundle.manifest;
        wanted.set(name, { title: m.metadata.title, description: m.metadata.description, type: toDbType(m.spec.type), tags: m.metadata.tags, ownerTeam: m.metadata.owner, allowedTeams: m.spec.allowedTeams, searchText: searchTextOf(m) });
      }

      const missing = [...wanted].filter(([name]) => !existing.has(name));
      const ids = new Map([...existing].map(([name, t]) => [name, t.id]));
      if (missing.length) {
        // A new template's latest version follows from its bundles alone.
        const rows = missing.map(([name, data]) => ({
          name,
          ...data,
          latestVersion: latestOf((byTemplate.get(name) ?? []).map((l) => ({ version: l.bundle.manifest.spec.version, lifecycle: l.bundle.manifest.spec.lifecycle }))),
        }));
        const created = await tx.template.createManyAndReturn({ data: rows, select: { id: true, name: true } });
        const byName = new Map(rows.map((r) => [r.name, r]));
        for (const t of created) {
          ids.set(t.name, t.id);
          const row = byName.get(t.name);
          if (row) existing.set(t.name, { ...row, id: t.id });
        }
      }

      const fresh: FreshVersion[] = [];
      const latest = new Map<string, string | null>();
      for (const [name, bundles] of byTemplate) {
        const templateId = ids.get(name);
        if (!templateId) continue;
        const known = new Map((versionsOf.get(templateId) ?? []).map((v) => [v.version, v]));
        let added = false;
        for (const l of bundles) {
          const version = l.bundle.manifest.spec.version;
          const digest = known.get(version)?.digest;
          if (digest === l.digest) {
            report.unchanged++;
            continue;
          }
          if (digest !== undefined) {
            report.refused.push({
              template: name,
              version,
              reason: `version ${version} is already published with other content (digest ${digest.slice(0, 12)}…); published versions are immutable: bump the version`,
            });
            continue;
          }
          const lifecycle = l.bundle.manifest.spec.lifecycle;
          fresh.push({ templateId, version, ...parseSemver(version), lifecycle, digest: l.digest, bundle: l.bundle as unknown as object, publishedBy: actor.login });
          known.set(version, { version, digest: l.digest, lifecycle });
          report.published.push(`${name}@${version}`);
          added = true;
        }
        if (added) latest.set(templateId, latestOf([...known.values()]));
      }
      for (let i = 0; i < fresh.length; i += VERSION_BATCH) await tx.templateVersion.createMany({ data: fresh.slice(i, i + VERSION_BATCH) });

      // Templates whose metadata or latest version changed: one UPDATE each, usually none.
      for (const [name, data] of wanted) {
        const id = ids.get(name);
        if (!id) continue;
        const before = existing.get(name);
        const latestVersion = latest.has(id) ? (latest.get(id) ?? null) : (before?.latestVersion ?? null);
        if (before && sameData(before as TemplateData, data) && before.latestVersion === latestVersion) continue;
        await tx.template.update({ where: { id }, data: { ...data, latestVersion } });
      }

      if (report.published.length || report.refused.length) {
        await recordAudit(tx, actor, {
          action: "catalog.synced",
          target: { type: "catalog", id: "templates-catalog", label: "Template catalog" },
          payload: { published: report.published, refused: report.refused, unchanged: report.unchanged },
        });
      }
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  return report;
}
