// The long work of the catalog, run as jobs: writing an instance into a repository (a pull
// request, or a new repository), upgrade pull requests, and the adoption scan. Each handler is
// safe to run again: it finds what an earlier attempt already did (branch, commits, pull request)
// and continues from there, so a retried job never opens a second pull request.
import { createHash } from "node:crypto";
import { db, transaction } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import { SYSTEM_ACTOR } from "../core/auth/actor.ts";
import type { Logger } from "../core/logger.ts";
import { GitHostError, type GitHost, type RepoRef } from "../core/ports/git-host.ts";
import { gitHost } from "../integrations/git-host.ts";
import { canonicalJson } from "../core/audit/hash.ts";
import { bundleOf } from "./catalog.ts";
import { generateFiles, parseRepo } from "./generate.ts";

export interface RunContext {
  attempt: number;
  /** Attempts after the first that the queue will still make. */
  retriesLeft: number;
  log: Logger;
  host?: GitHost;
}

export function instanceBranch(template: string, version: string): string {
  return `paved/${template}-${version}`;
}

export function upgradeBranch(template: string, version: string): string {
  return `paved/upgrade-${template}-${version}`;
}

function describeError(e: unknown): string {
  if (e instanceof GitHostError) return e.message;
  return (e as Error).message ?? String(e);
}

/** Whether to let the queue try again (true), or to record the failure for good (false). */
function shouldRetry(e: unknown, ctx: RunContext): boolean {
  return e instanceof GitHostError && e.retryable && ctx.retriesLeft > 0;
}

function prBody(lines: string[]): string {
  return [...lines, "", "---", "Opened by [Paved](/) from the template catalog. Merge it to adopt the template; close it to decline."].join("\n");
}

function parameterTable(parameters: Record<string, unknown>): string[] {
  const entries = Object.entries(parameters);
  if (!entries.length) return [];
  return ["| parameter | value |", "|---|---|", ...entries.map(([k, v]) => `| \`${k}\` | \`${JSON.stringify(v)}\` |`)];
}

/** Opens (or finds) the pull request carrying `files` on `branch`; creates the branch if needed. */
async function ensurePullRequest(
  host: GitHost,
  repo: RepoRef,
  branch: string,
  files: { path: string; content: string }[],
  message: string,
  pr: { title: string; body: string },
): Promise<{ number: number; webUrl: string; createdBranch: boolean } | { upToDate: true }> {
  const info = await host.getRepo(repo);
  if (!info) throw new GitHostError(`Repository ${repo.owner}/${repo.name} does not exist (any more).`, "not_found", false);
  let createdBranch = false;
  if (!(await host.getBranch(repo, branch))) {
    await host.createBranch(repo, branch, info.defaultBranch);
    createdBranch = true;
  }
  await host.commitFiles(repo, branch, files.map((f) => ({ path: f.path, content: f.content })), message);
  const existing = await host.findPullRequest(repo, branch, "open");
  if (existing) return { number: existing.number, webUrl: existing.webUrl, createdBranch };
  try {
    const opened = await host.openPullRequest(repo, { head: branch, base: info.defaultBranch, title: pr.title, body: pr.body });
    return { number: opened.number, webUrl: opened.webUrl, createdBranch };
  } catch (e) {
    // "No commits between main and the branch": the repository already has exactly these files.
    if (e instanceof GitHostError && e.kind === "invalid" && (await host.findPullRequest(repo, branch, "open")) === null) {
      if (createdBranch) await host.deleteBranch(repo, branch);
      return { upToDate: true };
    }
    throw e;
  }
}

export async function runInstantiation(instanceId: string, ctx: RunContext): Promise<{ status: string; pullRequestUrl?: string | null }> {
  const host = ctx.host ?? gitHost();
  const instance = await db().templateInstance.findUnique({ where: { id: instanceId }, include: { version: true, template: true, team: true } });
  if (!instance) return { status: "missing" };
  if (instance.status === "completed" || instance.status === "pull_request_open") return { status: instance.status, pullRequestUrl: instance.pullRequestUrl };
  await db().templateInstance.update({ where: { id: instanceId }, data: { status: "running", error: null } });

  const bundle = bundleOf(instance.version);
  const repo = parseRepo(instance.repo);
  const generated = generateFiles(bundle, instance.parameters as Record<string, unknown>, instance.repo);
  if (!generated.ok) {
    // Validated when requested; only a changed schema could get here.
    await failInstance(instanceId, `The parameters no longer validate: ${generated.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    return { status: "failed" };
  }
  const files = generated.files.map((f) => ({ path: f.path, content: f.content }));
  const title = `${instance.template.title} ${instance.version.version}`;
  const branch = instanceBranch(instance.template.name, instance.version.version);
  let createdBranch = false;
  try {
    if (instance.createdRepo) {
      const existing = await host.getRepo(repo);
      const info = existing ?? (await host.createRepo(repo, { description: `${instance.template.title} (made with Paved)`, private: true }));
      await host.commitFiles(repo, info.defaultBranch, files, `Add ${title} from the Paved catalog`);
      await transaction(async (tx) => {
        await tx.templateInstance.update({
          where: { id: instanceId },
          data: { status: "completed", repoUrl: info.webUrl, files, completedAt: new Date(), branch: info.defaultBranch, error: null },
        });
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "template.instantiated",
          target: { type: "template_instance", id: instanceId, label: `${instance.template.name}@${instance.version.version} → ${instance.repo}` },
          teamId: instance.teamId,
          payload: { template: instance.template.name, version: instance.version.version, repo: instance.repo, createdRepo: true, requestedBy: instance.createdBy },
        });
      });
      return { status: "completed" };
    }
    const pr = await ensurePullRequest(host, repo, branch, files, `Add ${title} from the Paved catalog`, {
      title: `Add ${title} (Paved template)`,
      body: prBody([
        `This pull request adds **${instance.template.title}** version **${instance.version.version}** from the Paved template catalog, requested by @${instance.createdBy} for team ${instance.team.slug}.`,
        "",
        ...parameterTable(generated.parameters),
        "",
        "Files:",
        ...files.map((f) => `- \`${f.path}\``),
      ]),
    });
    const info = await host.getRepo(repo);
    if ("upToDate" in pr) {
      await transaction(async (tx) => {
        await tx.templateInstance.update({
          where: { id: instanceId },
          data: { status: "completed", branch: null, repoUrl: info?.webUrl ?? null, files, error: null, completedAt: new Date() },
        });
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "template.instantiated",
          target: { type: "template_instance", id: instanceId, label: `${instance.template.name}@${instance.version.version} → ${instance.repo}` },
          teamId: instance.teamId,
          payload: { template: instance.template.name, version: instance.version.version, repo: instance.repo, upToDate: true, requestedBy: instance.createdBy },
        });
      });
      return { status: "completed" };
    }
    createdBranch = pr.createdBranch;
    await transaction(async (tx) => {
      await tx.templateInstance.update({
        where: { id: instanceId },
        data: { status: "pull_request_open", branch, pullRequestNumber: pr.number, pullRequestUrl: pr.webUrl, repoUrl: info?.webUrl ?? null, files, error: null },
      });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "template.instantiated",
        target: { type: "template_instance", id: instanceId, label: `${instance.template.name}@${instance.version.version} → ${instance.repo}` },
        teamId: instance.teamId,
        payload: { template: instance.template.name, version: instance.version.version, repo: instance.repo, pullRequest: pr.webUrl, requestedBy: instance.createdBy },
      });
    });
    return { status: "pull_request_open", pullRequestUrl: pr.webUrl };
  } catch (e) {
    if (shouldRetry(e, ctx)) {
      await db().templateInstance.update({ where: { id: instanceId }, data: { error: `Retrying after: ${describeError(e)}` } });
      throw e;
    }
    // No orphan branch: remove the branch this run created when no pull request came of it.
    if (!instance.createdRepo) {
      const pr = await host.findPullRequest(repo, branch, "all").catch(() => null);
      if (!pr && (createdBranch || (await host.getBranch(repo, branch).catch(() => null)))) await host.deleteBranch(repo, branch).catch(() => {});
    }
    await failInstance(instanceId, describeError(e));
    ctx.log.warn({ err: e, instanceId }, "instantiation failed");
    return { status: "failed" };
  }
}

async function failInstance(instanceId: string, error: string): Promise<void> {
  await transaction(async (tx) => {
    const instance = await tx.templateInstance.update({ where: { id: instanceId }, data: { status: "failed", error }, include: { template: true, version: true } });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "template.instantiation_failed",
      target: { type: "template_instance", id: instanceId, label: `${instance.template.name}@${instance.version.version} → ${instance.repo}` },
      teamId: instance.teamId,
      payload: { error },
    });
  });
}

export async function runUpgrade(upgradeId: string, ctx: RunContext): Promise<{ status: string; pullRequestUrl?: string | null }> {
  const host = ctx.host ?? gitHost();
  const upgrade = await db().templateUpgrade.findUnique({
    where: { id: upgradeId },
    include: { instance: { include: { template: true, team: true } }, fromVersion: true, toVersion: true },
  });
  if (!upgrade) return { status: "missing" };
  if (upgrade.status === "pull_request_open" || upgrade.status === "completed") return { status: upgrade.status, pullRequestUrl: upgrade.pullRequestUrl };
  await db().templateUpgrade.update({ where: { id: upgradeId }, data: { status: "running", error: null } });
  const { instance } = upgrade;
  const repo = parseRepo(instance.repo);
  const bundle = bundleOf(upgrade.toVersion);
  const branch = upgradeBranch(instance.template.name, upgrade.toVersion.version);
  const generated = generateFiles(bundle, instance.parameters as Record<string, unknown>, instance.repo);
  const fail = async (error: string) =>
    transaction(async (tx) => {
      await tx.templateUpgrade.update({ where: { id: upgradeId }, data: { status: "failed", error } });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "template.upgrade_failed",
        target: { type: "template_instance", id: instance.id, label: `${instance.template.name} → ${upgrade.toVersion.version} in ${instance.repo}` },
        teamId: instance.teamId,
        payload: { error, from: upgrade.fromVersion.version, to: upgrade.toVersion.version },
      });
    });
  if (!generated.ok) {
    await fail(
      `The instance's parameters do not fit version ${upgrade.toVersion.version}: ${generated.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}. Instantiate the new version with new parameters instead.`,
    );
    return { status: "failed" };
  }
  // Files the old version wrote that the new one no longer does are removed.
  const newPaths = new Set(generated.files.map((f) => f.path));
  const oldFiles = ((instance.files as { path: string }[] | null) ?? []).map((f) => f.path);
  const changes = [
    ...generated.files.map((f) => ({ path: f.path, content: f.content })),
    ...oldFiles.filter((p) => !newPaths.has(p)).map((p) => ({ path: p, content: null })),
  ];
  const changelog = bundleOf(upgrade.toVersion).changelog;
  const migration = bundle.manifest.spec.migration;
  try {
    const info = await host.getRepo(repo);
    if (!info) throw new GitHostError(`Repository ${instance.repo} does not exist (any more).`, "not_found", false);
    if (!(await host.getBranch(repo, branch))) await host.createBranch(repo, branch, info.defaultBranch);
    await host.commitFiles(repo, branch, changes, `Upgrade ${instance.template.title} ${upgrade.fromVersion.version} → ${upgrade.toVersion.version}`);
    const existing = await host.findPullRequest(repo, branch, "open");
    const pr =
      existing ??
      (await host.openPullRequest(repo, {
        head: branch,
        base: info.defaultBranch,
        title: `Upgrade ${instance.template.title} to ${upgrade.toVersion.version} (Paved template)`,
        body: prBody([
          `Moves this repository's **${instance.template.title}** from ${upgrade.fromVersion.version} to **${upgrade.toVersion.version}**, re-rendered with the same parameters.`,
          ...(migration ? ["", "### Migration", "", migration] : []),
          "",
          "### Changelog",
          "",
          changelog,
        ]),
      }));
    await transaction(async (tx) => {
      await tx.templateUpgrade.update({ where: { id: upgradeId }, data: { status: "pull_request_open", branch, pullRequestNumber: pr.number, pullRequestUrl: pr.webUrl, error: null } });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "template.upgrade_opened",
        target: { type: "template_instance", id: instance.id, label: `${instance.template.name} → ${upgrade.toVersion.version} in ${instance.repo}` },
        teamId: instance.teamId,
        payload: { from: upgrade.fromVersion.version, to: upgrade.toVersion.version, pullRequest: pr.webUrl, requestedBy: upgrade.requestedBy },
      });
    });
    return { status: "pull_request_open", pullRequestUrl: pr.webUrl };
  } catch (e) {
    if (shouldRetry(e, ctx)) {
      await db().templateUpgrade.update({ where: { id: upgradeId }, data: { error: `Retrying after: ${describeError(e)}` } });
      throw e;
    }
    const pr = await host.findPullRequest(repo, branch, "all").catch(() => null);
    if (!pr) await host.deleteBranch(repo, branch).catch(() => {});
    await fail(describeError(e));
    return { status: "failed" };
  }
}

const USES = /^\s*-?\s*uses:\s*["']?([^\s"'#]+)["']?/gm;

/** `owner/repo/.github/workflows/<template>.yml@<ref>` references to catalog workflows in a file. */
export function findTemplateReferences(content: string, templateNames: Set<string>): { template: string; ref: string | null }[] {
  const out: { template: string; ref: string | null }[] = [];
  for (const match of content.matchAll(USES)) {
    const uses = match[1] ?? "";
    const m = /^[^/\s]+\/[^/\s]+\/\.github\/workflows\/([^@/\s]+)\.ya?ml(?:@(\S+))?$/.exec(uses) ?? /^[^/\s]+\/([^@/\s]+)(?:@(\S+))?$/.exec(uses);
    if (!m) continue;
    const template = m[1] ?? "";
    if (templateNames.has(template)) out.push({ template, ref: m[2] ?? null });
  }
  return out;
}

/**
 * Brings open pull requests up to date: a merged instance pull request completes the instance; a
 * merged upgrade moves the instance to its new version; one closed without merging is recorded
 * as declined.
 */
export async function refreshPullRequests(host: GitHost): Promise<{ merged: number; closed: number }> {
  const client = db();
  let merged = 0;
  let closed = 0;
  const open = await client.templateInstance.findMany({ where: { status: "pull_request_open", pullRequestNumber: { not: null } }, include: { template: true, version: true } });
  for (const i of open) {
    const pr = await host.getPullRequest(parseRepo(i.repo), i.pullRequestNumber as number);
    if (!pr || pr.state === "open") continue;
    const wasMerged = pr.state === "merged";
    await transaction(async (tx) => {
      await tx.templateInstance.update({
        where: { id: i.id },
        data: wasMerged ? { status: "completed", completedAt: new Date() } : { status: "failed", error: "The pull request was closed without merging." },
      });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: wasMerged ? "template.pull_request_merged" : "template.pull_request_closed",
        target: { type: "template_instance", id: i.id, label: `${i.template.name}@${i.version.version} → ${i.repo}` },
        teamId: i.teamId,
        payload: { pullRequest: i.pullRequestUrl },
      });
    });
    if (wasMerged) merged++;
    else closed++;
  }
  const upgrades = await client.templateUpgrade.findMany({
    where: { status: "pull_request_open", pullRequestNumber: { not: null } },
    include: { instance: { include: { template: true } }, toVersion: true },
  });
  for (const u of upgrades) {
    const pr = await host.getPullRequest(parseRepo(u.instance.repo), u.pullRequestNumber as number);
    if (!pr || pr.state === "open") continue;
    const wasMerged = pr.state === "merged";
    await transaction(async (tx) => {
      await tx.templateUpgrade.update({ where: { id: u.id }, data: wasMerged ? { status: "completed" } : { status: "failed", error: "The pull request was closed without merging." } });
      if (wasMerged) await tx.templateInstance.update({ where: { id: u.instanceId }, data: { versionId: u.toVersionId } });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: wasMerged ? "template.upgrade_merged" : "template.upgrade_closed",
        target: { type: "template_instance", id: u.instanceId, label: `${u.instance.template.name} → ${u.toVersion.version} in ${u.instance.repo}` },
        teamId: u.instance.teamId,
        payload: { pullRequest: u.pullRequestUrl, version: u.toVersion.version },
      });
    });
    if (wasMerged) merged++;
    else closed++;
  }
  return { merged, closed };
}

/**
 * Scans every repository of the organisation (or the sandbox) for workflows that use catalog
 * templates, and records Paved's own instances, so adoption and version spread can be shown.
 */
export async function runAdoptionScan(ctx: RunContext): Promise<{ repositories: number; adopting: number; records: number }> {
  const host = ctx.host ?? gitHost();
  const client = db();
  await refreshPullRequests(host);
  const scan = await client.adoptionScan.create({ data: {} });
  try {
    const templates = await client.template.findMany({ select: { name: true } });
    const names = new Set(templates.map((t) => t.name));
    const repos = await host.listRepos(host.defaultOwner);
    const services = await client.service.findMany({ where: { repository: { not: null } }, select: { repository: true, teamId: true } });
    const teamOfRepo = new Map(services.map((s) => [s.repository as string, s.teamId]));
    const instances = await client.templateInstance.findMany({
      where: { status: { in: ["pull_request_open", "completed"] } },
      include: { template: true, version: true },
    });
    for (const i of instances) if (!teamOfRepo.has(i.repo)) teamOfRepo.set(i.repo, i.teamId);

    const scannedAt = new Date();
    const records: { repo: string; teamId: string | null; templateName: string; version: string | null; source: string; path: string; scanId: string; scannedAt: Date }[] = [];
    for (const repo of repos) {
      const files = await host.listFiles(repo);
      const workflows = files.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f));
      for (const path of workflows) {
        const content = await host.readFile(repo, path);
        if (!content) continue;
        for (const ref of findTemplateReferences(content, names)) {
          records.push({ repo: repo.fullName, teamId: teamOfRepo.get(repo.fullName) ?? null, templateName: ref.template, version: ref.ref, source: "workflow", path, scanId: scan.id, scannedAt });
        }
      }
    }
    for (const i of instances) {
      records.push({ repo: i.repo, teamId: i.teamId, templateName: i.template.name, version: i.version.version, source: "instance", path: "", scanId: scan.id, scannedAt });
    }
    // One record per (repo, template, source, path): the last one found wins.
    const unique = new Map(records.map((r) => [`${r.repo}|${r.templateName}|${r.source}|${r.path}`, r]));
    const adopting = new Set([...unique.values()].map((r) => r.repo)).size;
    await transaction(async (tx) => {
      await tx.adoptionRecord.deleteMany({});
      await tx.adoptionRecord.createMany({ data: [...unique.values()] });
      await tx.adoptionScan.update({ where: { id: scan.id }, data: { finishedAt: new Date(), repositories: repos.length, adopting } });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "adoption.scanned",
        target: { type: "adoption_scan", id: scan.id, label: `${repos.length} repositories` },
        payload: { repositories: repos.length, adopting, records: unique.size },
      });
    });
    return { repositories: repos.length, adopting, records: unique.size };
  } catch (e) {
    await client.adoptionScan.update({ where: { id: scan.id }, data: { finishedAt: new Date(), error: describeError(e) } });
    throw e;
  }
}

/** For idempotent requests: same template, version, repository, mode and parameters → same key. */
export function requestKeyOf(input: { template: string; version: string; repo: string; create: boolean; parameters: Record<string, unknown> }): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}
