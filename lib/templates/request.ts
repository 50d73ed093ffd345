// What people ask of the catalog: preview files, instantiate into a repository, move a version
// through its lifecycle, upgrade instances, scan adoption. Requests are checked here (permission
// on the team, lifecycle, parameters, target repository) and the work is queued as a job in the
// same transaction as the record and its audit event.
import { createTwoFilesPatch } from "diff";
import semver from "semver";
import { db, transaction, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import { canOnTeam, type Actor } from "../core/auth/actor.ts";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from "../core/errors.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { ROLE_DEFINITIONS } from "../core/permissions.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { gitHost } from "../integrations/git-host.ts";
import { bundleOf, getTemplateRowOrThrow, resolveVersion, sortVersions } from "./catalog.ts";
import { generateFiles, parseRepo } from "./generate.ts";
import { instantiateTemplateJob, scanAdoptionJob, upgradeTemplateJob } from "./jobs.ts";
import type { Lifecycle } from "./manifest.ts";
import { requestKeyOf } from "./run.ts";
import type { InstanceDto, InstantiateBody, PreviewBody, PreviewDto } from "./schemas.ts";
import { refreshLatest, fromDbType } from "./sync.ts";
import { evaluate } from "../policies/service.ts";
import { templateInstantiationSubject } from "../policies/subjects.ts";
import type { Evaluation } from "../policies/engine.ts";
import type { ParameterIssue } from "./parameters.ts";

function parameterError(issues: ParameterIssue[]): ValidationError {
  return new ValidationError(
    `Invalid parameters: ${issues.map((i) => `${i.path || "(parameters)"}: ${i.message}`).join("; ")}`,
    issues.map((i) => ({ path: ["parameters", ...(i.path ? i.path.split(".") : [])], message: i.message })),
  );
}

function lifecycleWarnings(name: string, version: { version: string; lifecycle: Lifecycle; lifecycleNote: string | null }, migration: string | undefined, latest: string | null): string[] {
  if (version.lifecycle === "deprecated") {
    return [
      `${name} ${version.version} is deprecated${latest && latest !== version.version ? `: use ${latest}` : ""}.${version.lifecycleNote ? ` ${version.lifecycleNote}` : ""}${migration ? ` Migration: ${migration}` : ""}`,
    ];
  }
  if (version.lifecycle === "experimental") return [`${name} ${version.version} is experimental: it may change without a migration path.`];
  if (version.lifecycle === "retired") return [`${name} ${version.version} is retired and can no longer be instantiated.`];
  return [];
}

export async function previewTemplate(actor: Actor, name: string, body: PreviewBody, host: GitHost = gitHost()): Promise<PreviewDto> {
  const t = await getTemplateRowOrThrow(db(), name);
  const v = resolveVersion(name, t.versions, body.version);
  const bundle = bundleOf(v);
  const repo = body.target?.repo ?? `${host.defaultOwner}/example`;
  const generated = generateFiles(bundle, body.parameters, repo);
  if (!generated.ok) throw parameterError(generated.issues);
  const ref = parseRepo(repo);
  const info = body.target ? await host.getRepo(ref) : null;
  const compare = info && !body.target?.create;
  const files = await Promise.all(
    generated.files.map(async (f) => {
      const existing = compare ? await host.readFile(ref, f.path) : null;
      if (existing === null) return { ...f, status: "added" as const, diff: null };
      if (existing === f.content) return { ...f, status: "unchanged" as const, diff: null };
      return { ...f, status: "modified" as const, diff: createTwoFilesPatch(`a/${f.path}`, `b/${f.path}`, existing, f.content, "", "", { context: 3 }) };
    }),
  );
  const evaluation = await evaluate(
    db(),
    templateInstantiationSubject({
      template: name,
      version: v.version,
      lifecycle: v.lifecycle,
      templateType: fromDbType(t.type),
      team: actor.grants[0]?.teamSlug ?? "",
      repo,
      requester: actor.login,
      createRepo: body.target?.create ?? false,
    }),
  );
  const policyWarnings = evaluation.results
    .filter((r) => !r.exception && r.action !== "Audit")
    .map((r) => `${r.action === "Deny" ? "Will be refused" : "Policy warning"}: ${r.message} (${r.policy})`);
  return {
    template: name,
    version: v.version,
    lifecycle: v.lifecycle,
    parameters: generated.parameters,
    files,
    warnings: [...lifecycleWarnings(name, v, bundle.manifest.spec.migration, t.latestVersion), ...policyWarnings],
    target: body.target ? { repo, exists: Boolean(info), defaultBranch: info?.defaultBranch ?? null } : null,
  };
}

/** A policy that denies refuses the request (422), naming each policy and its message. */
function refuseIfDenied(evaluation: Evaluation): void {
  if (evaluation.decision !== "deny") return;
  const denials = evaluation.results.filter((r) => r.action === "Deny" && !r.exception);
  throw new RuleViolationError(`Refused by policy: ${denials.map((d) => `${d.message} (${d.policy})`).join("; ")}`, {
    policies: denials.map((d) => ({ policy: d.policy, message: d.message })),
  });
}

/** The team an instance is made for: the one asked for, else the actor's own. */
async function resolveTeam(actor: Actor, requested: string | undefined) {
  const slug =
    requested ??
    actor.grants.find((g) => ROLE_DEFINITIONS[g.role].scope === "team" && (ROLE_DEFINITIONS[g.role].permissions as readonly string[]).includes("templates.instantiate"))?.teamSlug ??
    actor.grants[0]?.teamSlug;
  if (!slug) throw new ForbiddenError("You belong to no team, so there is no team to instantiate templates for.");
  const team = await db().team.findUnique({ where: { slug } });
  if (!team) throw new NotFoundError("Team", slug);
  if (!canOnTeam(actor, "templates.instantiate", team.id)) {
    throw new ForbiddenError(`You cannot instantiate templates for team "${slug}": your roles allow it only for your own team.`, { team: slug });
  }
  return team;
}

const instanceInclude = {
  template: { select: { name: true, title: true, latestVersion: true } },
  version: { select: { version: true, lifecycle: true } },
  team: { select: { slug: true } },
  upgrades: { include: { fromVersion: { select: { version: true } }, toVersion: { select: { version: true } } }, orderBy: { createdAt: "desc" as const } },
} as const;

type InstanceRow = NonNullable<Awaited<ReturnType<typeof loadInstance>>>;

function loadInstance(client: Db, id: string) {
  return client.templateInstance.findUnique({ where: { id }, include: instanceInclude });
}

export function toInstanceDto(i: InstanceRow): InstanceDto {
  const latest = i.template.latestVersion;
  return {
    id: i.id,
    template: i.template.name,
    templateTitle: i.template.title,
    version: i.version.version,
    lifecycle: i.version.lifecycle,
    repo: i.repo,
    team: i.team.slug,
    parameters: i.parameters as Record<string, unknown>,
    createdRepo: i.createdRepo,
    status: i.status,
    branch: i.branch,
    pullRequestNumber: i.pullRequestNumber,
    pullRequestUrl: i.pullRequestUrl,
    repoUrl: i.repoUrl,
    error: i.error,
    createdBy: i.createdBy,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
    completedAt: i.completedAt?.toISOString() ?? null,
    upgradeAvailable: latest && semver.gt(latest, i.version.version) ? latest : null,
    upgrades: i.upgrades.map((u) => ({
      id: u.id,
      fromVersion: u.fromVersion.version,
      toVersion: u.toVersion.version,
      status: u.status,
      pullRequestUrl: u.pullRequestUrl,
      pullRequestNumber: u.pullRequestNumber,
      error: u.error,
      createdAt: u.createdAt.toISOString(),
    })),
  };
}

export async function getInstanceOrThrow(client: Db, id: string): Promise<InstanceDto> {
  const row = await loadInstance(client, id);
  if (!row) throw new NotFoundError("Template instance", id);
  return toInstanceDto(row);
}

export async function listInstances(
  client: Db,
  q: { template?: string; repo?: string; team?: string; status?: InstanceDto["status"]; limit?: number },
): Promise<InstanceDto[]> {
  const rows = await client.templateInstance.findMany({
    where: {
      ...(q.template ? { template: { name: q.template } } : {}),
      ...(q.repo ? { repo: q.repo } : {}),
      ...(q.team ? { team: { slug: q.team } } : {}),
      ...(q.status ? { status: q.status } : {}),
    },
    include: instanceInclude,
    orderBy: { createdAt: "desc" },
    take: q.limit ?? 100,
  });
  return rows.map(toInstanceDto);
}

/**
 * Requests an instance. The same request twice (template, version, repository, mode and
 * parameters) answers the same instance, and so the same pull request; a failed one is retried.
 */
export async function requestInstantiation(
  actor: Actor,
  name: string,
  body: InstantiateBody,
  requestId?: string,
  host: GitHost = gitHost(),
): Promise<{ instance: InstanceDto; created: boolean }> {
  const client = db();
  const t = await getTemplateRowOrThrow(client, name);
  const v = resolveVersion(name, t.versions, body.version);
  const team = await resolveTeam(actor, body.team);
  if (t.allowedTeams.length && !t.allowedTeams.includes(team.slug)) {
    throw new ForbiddenError(`Only these teams may instantiate ${name}: ${t.allowedTeams.join(", ")}.`, { allowedTeams: t.allowedTeams });
  }
  const generated = generateFiles(bundleOf(v), body.parameters, body.target.repo);
  if (!generated.ok) throw parameterError(generated.issues);

  // Policy as code decides (retired versions, and whatever else the organisation's policies say).
  const evaluation = await evaluate(
    client,
    templateInstantiationSubject({
      template: name,
      version: v.version,
      lifecycle: v.lifecycle,
      templateType: fromDbType(t.type),
      team: team.slug,
      repo: body.target.repo,
      requester: actor.login,
      createRepo: body.target.create,
    }),
    { request: { operation: "CREATE", username: actor.login } },
  );
  refuseIfDenied(evaluation);
  if (v.lifecycle === "retired") {
    // Defence in depth: refused even if the policy that says so has been removed.
    throw new RuleViolationError(`${name} ${v.version} is retired and can no longer be instantiated${t.latestVersion ? `; use ${t.latestVersion}` : ""}.`, {
      template: name,
      version: v.version,
      lifecycle: v.lifecycle,
      latest: t.latestVersion,
    });
  }

  const ref = parseRepo(body.target.repo);
  if (host.kind === "sandbox" && ref.owner !== host.defaultOwner) {
    throw new RuleViolationError(`In the sandbox, repositories belong to "${host.defaultOwner}": use ${host.defaultOwner}/${ref.name}.`);
  }
  const requestKey = requestKeyOf({ template: name, version: v.version, repo: body.target.repo, create: body.target.create, parameters: generated.parameters });
  const existing = await client.templateInstance.findUnique({ where: { requestKey } });
  if (!existing) {
    const info = await host.getRepo(ref);
    if (body.target.create && info) throw new ConflictError(`Repository ${body.target.repo} already exists: instantiate into it as a pull request instead.`);
    if (!body.target.create && !info) throw new NotFoundError("Repository", body.target.repo);
  }

  await prepareJob(instantiateTemplateJob);
  const result = await transaction(async (tx) => {
    const again = await tx.templateInstance.findUnique({ where: { requestKey } });
    if (again && again.status !== "failed") return { id: again.id, created: false };
    const row = again
      ? await tx.templateInstance.update({ where: { id: again.id }, data: { status: "queued", error: null } })
      : await tx.templateInstance.create({
          data: {
            templateId: t.id,
            versionId: v.id,
            repo: body.target.repo,
            teamId: team.id,
            parameters: generated.parameters as object,
            createdRepo: body.target.create,
            requestKey,
            createdBy: actor.login,
          },
        });
    const jobId = await sendJob(instantiateTemplateJob, { instanceId: row.id }, { tx });
    await tx.templateInstance.update({ where: { id: row.id }, data: { jobId } });
    await recordAudit(tx, actor, {
      action: again ? "template.instantiation_retried" : "template.instantiation_requested",
      target: { type: "template_instance", id: row.id, label: `${name}@${v.version} → ${body.target.repo}` },
      teamId: team.id,
      payload: { template: name, version: v.version, repo: body.target.repo, create: body.target.create, parameters: generated.parameters },
      requestId,
    });
    return { id: row.id, created: true };
  });
  return { instance: await getInstanceOrThrow(client, result.id), created: result.created };
}

export async function setVersionLifecycle(
  actor: Actor,
  name: string,
  version: string,
  body: { lifecycle: Lifecycle; note?: string | undefined },
  requestId?: string,
) {
  return transaction(async (tx) => {
    const t = await getTemplateRowOrThrow(tx, name);
    const v = t.versions.find((x) => x.version === version);
    if (!v) throw new NotFoundError(`Version of template "${name}"`, version);
    if (v.lifecycle === body.lifecycle && (body.note ?? null) === v.lifecycleNote) return v;
    const updated = await tx.templateVersion.update({
      where: { id: v.id },
      data: { lifecycle: body.lifecycle, lifecycleNote: body.note ?? null, lifecycleChangedAt: new Date() },
    });
    await refreshLatest(tx, t.id);
    await recordAudit(tx, actor, {
      action: "template.lifecycle_changed",
      target: { type: "template_version", id: v.id, label: `${name}@${version}` },
      payload: { template: name, version, from: v.lifecycle, to: body.lifecycle, note: body.note ?? null },
      requestId,
    });
    return updated;
  });
}

async function queueUpgrade(actor: Actor, instanceId: string, toVersion: string | undefined, requestId?: string): Promise<{ upgradeId: string; created: boolean }> {
  const client = db();
  const instance = await client.templateInstance.findUnique({ where: { id: instanceId }, include: { template: { include: { versions: true } }, version: true, team: true } });
  if (!instance) throw new NotFoundError("Template instance", instanceId);
  if (!canOnTeam(actor, "templates.instantiate", instance.teamId)) {
    throw new ForbiddenError(`You cannot upgrade instances of team "${instance.team.slug}".`);
  }
  if (instance.status === "queued" || instance.status === "running" || instance.status === "failed") {
    throw new ConflictError(`This instance is ${instance.status.replace("_", " ")}: only an instance whose pull request is open or merged can be upgraded.`);
  }
  const live = sortVersions(instance.template.versions.filter((v) => v.lifecycle !== "retired"));
  const target = toVersion ? instance.template.versions.find((v) => v.version === toVersion) : live[0];
  if (!target) throw new NotFoundError(`Version of template "${instance.template.name}"`, toVersion ?? "(newer)");
  if (target.lifecycle === "retired") throw new RuleViolationError(`${instance.template.name} ${target.version} is retired: upgrade to a version that is not.`);
  if (!semver.gt(target.version, instance.version.version)) {
    throw new ConflictError(`This instance is on ${instance.version.version}; ${target.version} is not newer.`);
  }
  await prepareJob(upgradeTemplateJob);
  return transaction(async (tx) => {
    const existing = await tx.templateUpgrade.findUnique({ where: { instanceId_toVersionId: { instanceId, toVersionId: target.id } } });
    if (existing && existing.status !== "failed") return { upgradeId: existing.id, created: false };
    const upgrade = existing
      ? await tx.templateUpgrade.update({ where: { id: existing.id }, data: { status: "queued", error: null, requestedBy: actor.login } })
      : await tx.templateUpgrade.create({ data: { instanceId, fromVersionId: instance.versionId, toVersionId: target.id, requestedBy: actor.login } });
    const jobId = await sendJob(upgradeTemplateJob, { upgradeId: upgrade.id }, { tx });
    await tx.templateUpgrade.update({ where: { id: upgrade.id }, data: { jobId } });
    await recordAudit(tx, actor, {
      action: "template.upgrade_requested",
      target: { type: "template_instance", id: instanceId, label: `${instance.template.name} ${instance.version.version} → ${target.version} in ${instance.repo}` },
      teamId: instance.teamId,
      payload: { from: instance.version.version, to: target.version, repo: instance.repo },
      requestId,
    });
    return { upgradeId: upgrade.id, created: true };
  });
}

export async function requestUpgrade(actor: Actor, instanceId: string, toVersion: string | undefined, requestId?: string): Promise<InstanceDto> {
  await queueUpgrade(actor, instanceId, toVersion, requestId);
  return getInstanceOrThrow(db(), instanceId);
}

/** Platform admins: upgrade pull requests for every instance of a template on an older version. */
export async function requestBulkUpgrade(actor: Actor, name: string, toVersion: string | undefined, requestId?: string) {
  const t = await getTemplateRowOrThrow(db(), name);
  const target = toVersion ?? t.latestVersion;
  if (!target) throw new NotFoundError(`A usable version of template "${name}"`);
  resolveVersion(name, t.versions, target);
  const instances = await db().templateInstance.findMany({
    where: { templateId: t.id, status: { in: ["pull_request_open", "completed"] } },
    include: { version: true },
  });
  const upgrades: { instanceId: string; repo: string; upgradeId: string }[] = [];
  let skipped = 0;
  for (const i of instances) {
    if (!semver.gt(target, i.version.version)) {
      skipped++;
      continue;
    }
    const { upgradeId } = await queueUpgrade(actor, i.id, target, requestId);
    upgrades.push({ instanceId: i.id, repo: i.repo, upgradeId });
  }
  return { requested: upgrades.length, skipped, upgrades };
}

export async function requestAdoptionScan(actor: Actor, requestId?: string): Promise<{ jobId: string | null }> {
  await prepareJob(scanAdoptionJob);
  return transaction(async (tx) => {
    const jobId = await sendJob(scanAdoptionJob, {}, { tx, singletonKey: "adoption-scan" });
    await recordAudit(tx, actor, { action: "adoption.scan_requested", target: { type: "adoption_scan", id: jobId ?? "queued", label: "Adoption scan" }, payload: {}, requestId });
    return { jobId };
  });
}

export async function getAdoption(client: Db, filter: { template?: string } = {}) {
  const [scan, records, teams] = await Promise.all([
    client.adoptionScan.findFirst({ where: { finishedAt: { not: null }, error: null }, orderBy: { startedAt: "desc" } }),
    client.adoptionRecord.findMany({ where: filter.template ? { templateName: filter.template } : {}, orderBy: [{ templateName: "asc" }, { repo: "asc" }] }),
    client.team.findMany({ select: { id: true, slug: true } }),
  ]);
  const slug = new Map(teams.map((t) => [t.id, t.slug]));
  return {
    scannedAt: scan?.finishedAt?.toISOString() ?? null,
    repositories: scan?.repositories ?? 0,
    adopting: scan?.adopting ?? 0,
    records: records.map((r) => ({ repo: r.repo, team: r.teamId ? (slug.get(r.teamId) ?? null) : null, template: r.templateName, version: r.version, source: r.source, path: r.path })),
  };
}
