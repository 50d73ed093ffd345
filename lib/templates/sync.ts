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
      const existingTemplates = new Map((await tx.template.findMany({ select: { id: true, name: true } })).map((t) => [t.name, t.id]));
      const existingVersions = new Map(
        (await tx.templateVersion.findMany({ select: { templateId: true, version: true, digest: true } })).map((v) => [`${v.templateId}@${v.version}`, v.digest]),
      );
      for (const [name, bundles] of byTemplate) {
        report.templates++;
        // Template metadata follows its newest version.
        const newest = [...bundles].sort((a, b) => semver.rcompare(a.bundle.manifest.spec.version, b.bundle.manifest.spec.version))[0];
        if (!newest) continue;
        const m = newest.bundle.manifest;
        const data = {
          title: m.metadata.title,
          description: m.metadata.description,
          type: toDbType(m.spec.type),
          tags: m.metadata.tags,
          ownerTeam: m.metadata.owner,
          allowedTeams: m.spec.allowedTeams,
          searchText: searchTextOf(m),
        };
        let templateId = existingTemplates.get(name);
        if (templateId) await tx.template.update({ where: { id: templateId }, data });
        else templateId = (await tx.template.create({ data: { name, ...data } })).id;

        const fresh: { templateId: string; version: string; major: number; minor: number; patch: number; prerelease: string | null; lifecycle: Lifecycle; digest: string; bundle: object; publishedBy: string }[] = [];
        for (const l of bundles) {
          const version = l.bundle.manifest.spec.version;
          const digest = existingVersions.get(`${templateId}@${version}`);
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
          fresh.push({
            templateId,
            version,
            ...parseSemver(version),
            lifecycle: l.bundle.manifest.spec.lifecycle,
            digest: l.digest,
            bundle: l.bundle as unknown as object,
            publishedBy: actor.login,
          });
          report.published.push(`${name}@${version}`);
        }
        if (fresh.length) {
          await tx.templateVersion.createMany({ data: fresh });
          await refreshLatest(tx, templateId);
        }
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
