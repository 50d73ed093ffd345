// Creating the GitOps repository from the catalog's `gitops-app` template: the layout delivery
// reads and writes (see repository.ts), for every service of the organisation in the environments
// it deploys to. The published template (its newest stable version, from the database, as every
// instantiation uses it) renders each service's kustomize base, its overlay per environment
// (namespace, image tag, replicas) and its Argo CD Application per environment; the Applications
// go to argocd/<service>-<environment>.yaml, where the engine and the compliance scan look for
// them, and follow the environment's branch in branch-per-environment repositories. README files
// for the repository, infrastructure/ and policies/ complete the layout.
//
//   POST /api/v1/gitops/repository   checks, then queues `gitops.create-repository` (202)
//   GET  /api/v1/gitops/repository   what exists: the repository, its services and branches, the job
//
// Creating hundreds of files takes minutes on GitHub (one paced write per file), so it is a job,
// safe to retry: the repository is created unless it exists, the files committed on top of what
// is there (unchanged files are not written again) and the environments' branches made from the
// default branch unless they exist.
import { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { SYSTEM_ACTOR } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { db, transaction, type Db } from "../core/db/client.ts";
import { ConflictError, RuleViolationError } from "../core/errors.ts";
import { defineContract } from "../core/http/contract.ts";
import { defineJob } from "../core/jobs/define.ts";
import { listJobs } from "../core/jobs/inspect.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import type { FileChange, GitHost, RepoRef } from "../core/ports/git-host.ts";
import { bundleOf, defaultVersion } from "../templates/catalog.ts";
import type { TemplateBundle } from "../templates/bundle.ts";
import { generateFiles } from "../templates/generate.ts";
import { gitHost } from "../integrations/git-host.ts";
import { APPS_DIR, IMAGE_TAG, argoApplicationPath, gitOpsRepositoryOf, listApps } from "./repository.ts";

export const GITOPS_APP_TEMPLATE = "gitops-app";

const Registry = z
  .string()
  .max(200)
  .regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, "An image registry and path without a tag, such as ghcr.io/acme.");

export const CreateGitOpsRepositoryBody = z
  .object({
    registry: Registry.optional().meta({ description: "Where the services' images are: each service runs <registry>/<service> (default: ghcr.io/<owner>)." }),
    imageTag: z.string().regex(IMAGE_TAG, "An image tag: letters, digits, '_', '.' and '-'.").default("latest").meta({ description: "The tag every overlay starts with; promotions then change it per environment." }),
  })
  .strict();
export type CreateGitOpsRepositoryBody = z.output<typeof CreateGitOpsRepositoryBody>;

export const GitOpsRepositoryPlanDto = z
  .object({
    repository: z.string(),
    template: z.object({ name: z.string(), version: z.string() }),
    jobId: z.string().nullable(),
    registry: z.string(),
    imageTag: z.string(),
    services: z.array(z.string()).meta({ description: "Services laid out, each in the environments it deploys to." }),
    skipped: z.array(z.object({ service: z.string(), reason: z.string() })).meta({ description: "Services (or environments of a service) the template cannot lay out, and why." }),
    environments: z.array(z.object({ name: z.string(), branch: z.string() })),
    files: z.number().int(),
  })
  .meta({ id: "GitOpsRepositoryPlan" });
export type GitOpsRepositoryPlanDto = z.infer<typeof GitOpsRepositoryPlanDto>;

export const GitOpsRepositoryDto = z
  .object({
    repository: z.string(),
    exists: z.boolean(),
    webUrl: z.string().nullable(),
    defaultBranch: z.string().nullable(),
    revision: z.string().nullable(),
    environments: z.array(z.object({ name: z.string(), branch: z.string().nullable(), exists: z.boolean() })).meta({ description: "Each environment's branch (null: the default one) and whether the repository has it." }),
    services: z.array(z.object({ name: z.string(), inRepository: z.boolean() })),
    job: z.object({ id: z.string(), state: z.string(), createdAt: z.string(), completedAt: z.string().nullable(), output: z.unknown() }).nullable().meta({ description: "The latest creation job." }),
  })
  .meta({ id: "GitOpsRepository" });
export type GitOpsRepositoryDto = z.infer<typeof GitOpsRepositoryDto>;

// ---------------------------------------------------------------------------------------------
// The plan: what the repository will hold, as a pure function of the template and the organisation

export interface PlanInput {
  repo: RepoRef;
  defaultBranch: string;
  registry: string;
  imageTag: string;
  services: readonly { name: string; team: string; healthCheckPath: string; environments: readonly string[] }[];
  /** In promotion order; a null branch is the default one. */
  environments: readonly { name: string; branch: string | null }[];
}

export interface RepositoryPlan {
  files: Record<string, string>;
  services: string[];
  skipped: { service: string; reason: string }[];
  environments: { name: string; branch: string }[];
}

/** A file of an overlay: apps/<service>/overlays/<environment>/… */
const OVERLAY_FILE = new RegExp(`^${APPS_DIR}/([^/]+)/overlays/([^/]+)/`);
/** Where the template puts a service's Application for an environment (moved to argocd/<service>-<environment>.yaml). */
const TEMPLATE_APPLICATION = new RegExp(`^${APPS_DIR}/([^/]+)/argocd/([^/]+)\\.yaml$`);

export function planGitOpsRepository(bundle: TemplateBundle, input: PlanInput): RepositoryPlan {
  const repoName = `${input.repo.owner}/${input.repo.name}`;
  const environments = input.environments.map((e) => ({ name: e.name, branch: e.branch ?? input.defaultBranch }));
  const branches = [...new Set(environments.map((e) => e.branch))];
  const files: Record<string, string> = {};
  const services: string[] = [];
  const skipped: { service: string; reason: string }[] = [];
  for (const service of input.services) {
    const parameters = (branch: string) => ({
      service: service.name,
      team: service.team,
      image: `${input.registry}/${service.name}`,
      "image-tag": input.imageTag,
      "health-path": service.healthCheckPath,
      "target-revision": branch,
    });
    // One render per branch the environments follow: only the Applications' targetRevision differs.
    const renders = new Map<string, Record<string, string>>();
    let problem: string | null = null;
    for (const branch of branches) {
      const result = generateFiles(bundle, parameters(branch), repoName);
      if (!result.ok) {
        problem = `the ${GITOPS_APP_TEMPLATE} template refuses its parameters: ${result.issues.map((i) => `${i.path.at(-1) ?? "parameters"} ${i.message}`).join("; ")}`;
        break;
      }
      renders.set(branch, Object.fromEntries(result.files.map((f) => [f.path, f.content])));
    }
    if (problem) {
      skipped.push({ service: service.name, reason: problem });
      continue;
    }
    const any = renders.get(branches[0]!)!;
    const templateEnvironments = new Set(Object.keys(any).flatMap((p) => (OVERLAY_FILE.exec(p)?.[1] === service.name ? [OVERLAY_FILE.exec(p)![2]!] : [])));
    const wanted = environments.filter((e) => service.environments.includes(e.name));
    const missing = wanted.filter((e) => !templateEnvironments.has(e.name));
    for (const e of missing) skipped.push({ service: service.name, reason: `the ${GITOPS_APP_TEMPLATE} template has no ${e.name} overlay (it has ${[...templateEnvironments].sort().join(", ")})` });
    const laid = wanted.filter((e) => templateEnvironments.has(e.name));
    if (!laid.length) {
      if (!missing.length) skipped.push({ service: service.name, reason: "it deploys to none of the organisation's environments" });
      continue;
    }
    for (const [path, content] of Object.entries(any)) {
      if (TEMPLATE_APPLICATION.test(path)) continue;
      const environment = OVERLAY_FILE.exec(path)?.[2];
      if (environment !== undefined && !laid.some((e) => e.name === environment)) continue;
      files[path] = content;
    }
    for (const e of laid) {
      const from = `${APPS_DIR}/${service.name}/argocd/${e.name}.yaml`;
      const content = renders.get(e.branch)![from];
      if (content === undefined) continue;
      const to = argoApplicationPath(service.name, e.name);
      files[to] = content.split(from).join(to);
    }
    services.push(service.name);
  }
  Object.assign(files, layoutReadmes(input, services, environments));
  return { files, services, skipped, environments };
}

function layoutReadmes(input: PlanInput, services: readonly string[], environments: readonly { name: string; branch: string }[]): Record<string, string> {
  const perBranch = environments.some((e) => e.branch !== input.defaultBranch);
  const example = services[0] ?? "checkout";
  const readme = `# ${input.repo.name}

The desired state of ${services.length} service${services.length === 1 ? "" : "s"} in ${environments.map((e) => e.name).join(", ")}: Argo CD
syncs it, Paved promotes releases by committing to it. Created by Paved from the
\`${GITOPS_APP_TEMPLATE}\` template.

## Layout

\`\`\`
${APPS_DIR}/<service>/base/                     kustomize base: Deployment, Service (the same everywhere)
${APPS_DIR}/<service>/overlays/<environment>/   kustomization.yaml: namespace, image tag, replicas
argocd/<service>-<environment>.yaml      Argo CD Application syncing that overlay (auto-sync, prune, self-heal)
infrastructure/                          cloud resources around the clusters (Terraform)
policies/                                what Paved checks here
\`\`\`
${
  perBranch
    ? `
## Branches

Each environment lives on its own branch; its Applications follow it:

${environments.map((e) => `- \`${e.name}\`: \`${e.branch}\``).join("\n")}
`
    : ""
}
## Promoting a release

A promotion changes one line: the \`newTag\` of the service's image in the target environment's
overlay, e.g. \`${APPS_DIR}/${example}/overlays/${environments.at(-1)?.name ?? "production"}/kustomization.yaml\`. Images come from
\`${input.registry}/<service>\`; every overlay starts at \`${input.imageTag}\`.

Register the Applications once: \`kubectl apply -n argocd -f argocd/\`.
`;
  return {
    "README.md": readme,
    "infrastructure/README.md": `# Infrastructure

Cloud resources around each environment's cluster, as Terraform:

- \`terraform/environments/<environment>/\`: the sources;
- \`terraform/plans/<environment>.json\`: \`terraform show -json\` of CI's latest plan, which
  Paved's compliance scan checks against the policies.
`,
    "policies/README.md": `# Policies

Paved evaluates the organisation's policies against every overlay of this repository as
kustomize renders it, and against the Terraform plans in \`infrastructure/terraform/plans/\`: in
the compliance scan, and as a gate on every promotion. Exceptions (waivers, with an expiry date)
are granted in Paved, not in this repository.
`,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading what it is made from

/** The published gitops-app template's version Paved uses (its newest stable one). */
export async function publishedGitOpsApp(client: Db): Promise<{ version: string; bundle: TemplateBundle }> {
  const template = await client.template.findUnique({ where: { name: GITOPS_APP_TEMPLATE }, include: { versions: true } });
  const version = template ? defaultVersion(template.versions) : undefined;
  if (!version) throw new RuleViolationError(`The ${GITOPS_APP_TEMPLATE} template is not in the catalog: publish the catalog first (it is published at every start from templates-catalog/).`);
  return { version: version.version, bundle: bundleOf(version) };
}

async function planInputs(client: Db, host: GitHost, repo: RepoRef, defaultBranch: string, body: CreateGitOpsRepositoryBody): Promise<PlanInput> {
  const [services, environments] = await Promise.all([
    client.service.findMany({ orderBy: { name: "asc" }, select: { name: true, healthCheckPath: true, environments: true, team: { select: { slug: true } } } }),
    client.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, branch: true } }),
  ]);
  return {
    repo,
    defaultBranch,
    registry: body.registry ?? `ghcr.io/${host.defaultOwner.toLowerCase()}`,
    imageTag: body.imageTag,
    services: services.map((s) => ({ name: s.name, team: s.team.slug, healthCheckPath: s.healthCheckPath, environments: s.environments })),
    environments,
  };
}

// ---------------------------------------------------------------------------------------------
// The request and the job

export const createGitOpsRepositoryJob = defineJob({
  name: "gitops.create-repository",
  description: "Creates the GitOps repository from the gitops-app template for the organisation's services (safe to retry).",
  schema: z.object({ registry: Registry.optional(), imageTag: z.string().regex(IMAGE_TAG), requestedBy: z.string() }),
  retryLimit: 4,
  retryDelaySeconds: 10,
  retryBackoff: true,
  expireInSeconds: 60 * 60,
  handler: (data) => createGitOpsRepository(db(), gitHost(), data),
});

/** Checks that the repository can be created from the template, and queues the job that does it. */
export async function requestGitOpsRepository(client: Db, actor: Actor, body: CreateGitOpsRepositoryBody, requestId?: string, host: GitHost = gitHost()): Promise<GitOpsRepositoryPlanDto> {
  const repo = gitOpsRepositoryOf(host);
  const fullName = `${repo.owner}/${repo.name}`;
  const existing = await host.getRepo(repo);
  if (existing) throw new ConflictError(`The GitOps repository ${fullName} already exists; Paved promotes in it as it is.`, { repository: fullName, webUrl: existing.webUrl });
  const template = await publishedGitOpsApp(client);
  const input = await planInputs(client, host, repo, "main", body);
  const plan = planGitOpsRepository(template.bundle, input);
  if (!plan.services.length) {
    throw new RuleViolationError(`No service can be laid out from the ${GITOPS_APP_TEMPLATE} template${plan.skipped.length ? `: ${plan.skipped.map((s) => `${s.service}: ${s.reason}`).join("; ")}` : " (the organisation has no services yet)"}.`, { skipped: plan.skipped });
  }
  await prepareJob(createGitOpsRepositoryJob);
  const jobId = await transaction(async (tx) => {
    const id = await sendJob(createGitOpsRepositoryJob, { ...(body.registry ? { registry: body.registry } : {}), imageTag: body.imageTag, requestedBy: actor.login }, { tx });
    await recordAudit(tx, actor, {
      action: "gitops.repository_requested",
      target: { type: "repository", id: fullName, label: fullName },
      payload: { template: { name: GITOPS_APP_TEMPLATE, version: template.version }, registry: input.registry, imageTag: input.imageTag, services: plan.services, skipped: plan.skipped, jobId: id },
      requestId,
    });
    return id;
  });
  return {
    repository: fullName,
    template: { name: GITOPS_APP_TEMPLATE, version: template.version },
    jobId,
    registry: input.registry,
    imageTag: input.imageTag,
    services: plan.services,
    skipped: plan.skipped,
    environments: plan.environments,
    files: Object.keys(plan.files).length,
  };
}

/** The job: creates the repository (unless it exists), commits the template's layout, makes the environments' branches. */
export async function createGitOpsRepository(
  client: Db,
  host: GitHost,
  data: { registry?: string; imageTag: string; requestedBy: string },
): Promise<{ repository: string; sha: string; services: string[]; skipped: { service: string; reason: string }[]; files: number; branches: string[] }> {
  const repo = gitOpsRepositoryOf(host);
  const fullName = `${repo.owner}/${repo.name}`;
  const template = await publishedGitOpsApp(client);
  let info = await host.getRepo(repo);
  if (!info) {
    try {
      info = await host.createRepo(repo, { description: "Desired state of every service per environment: kustomize bases and overlays, Argo CD Applications. Created by Paved.", private: true });
    } catch (e) {
      // Created by an attempt that died before it could say so.
      info = await host.getRepo(repo);
      if (!info) throw e;
    }
  }
  const input = await planInputs(client, host, repo, info.defaultBranch, { imageTag: data.imageTag, ...(data.registry ? { registry: data.registry } : {}) });
  const plan = planGitOpsRepository(template.bundle, input);
  const changes: FileChange[] = Object.entries(plan.files).map(([path, content]) => ({ path, content }));
  const sha = await host.commitFiles(
    repo,
    info.defaultBranch,
    changes,
    `Lay out the GitOps repository from ${GITOPS_APP_TEMPLATE} ${template.version}\n\n${plan.services.length} services in ${plan.environments.map((e) => e.name).join(", ")}, for ${data.requestedBy}.`,
  );
  const branches = [...new Set(plan.environments.map((e) => e.branch))].filter((b) => b !== info.defaultBranch);
  for (const branch of branches) await host.createBranch(repo, branch, info.defaultBranch);
  await transaction((tx) =>
    recordAudit(tx, SYSTEM_ACTOR, {
      action: "gitops.repository_created",
      target: { type: "repository", id: fullName, label: fullName },
      payload: { template: { name: GITOPS_APP_TEMPLATE, version: template.version }, sha, services: plan.services, skipped: plan.skipped, branches, requestedBy: data.requestedBy },
    }),
  );
  return { repository: fullName, sha, services: plan.services, skipped: plan.skipped, files: changes.length, branches };
}

/** The repository as it is: whether it exists, which services and environment branches it has, and the latest creation job. */
export async function getGitOpsRepository(client: Db, host: GitHost = gitHost()): Promise<GitOpsRepositoryDto> {
  const repo = gitOpsRepositoryOf(host);
  const [info, services, environments, jobs] = await Promise.all([
    host.getRepo(repo),
    client.service.findMany({ orderBy: { name: "asc" }, select: { name: true } }),
    client.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, branch: true } }),
    listJobs({ name: createGitOpsRepositoryJob.name, limit: 1 }),
  ]);
  const job = jobs.items[0] ?? null;
  const revision = info?.hasCommits ? await host.getBranch(repo, info.defaultBranch) : null;
  const present = new Set(revision ? listApps(Object.fromEntries((await host.listFiles(repo, revision)).map((p) => [p, ""]))).map((a) => a.service) : []);
  return {
    repository: `${repo.owner}/${repo.name}`,
    exists: info !== null,
    webUrl: info?.webUrl ?? null,
    defaultBranch: info?.defaultBranch ?? null,
    revision,
    environments: await Promise.all(environments.map(async (e) => ({ name: e.name, branch: e.branch, exists: info ? (await host.getBranch(repo, e.branch ?? info.defaultBranch)) !== null : false }))),
    services: services.map((s) => ({ name: s.name, inRepository: present.has(s.name) })),
    job: job ? { id: job.id, state: job.state, createdAt: job.createdAt, completedAt: job.completedAt, output: job.output } : null,
  };
}

export const createGitOpsRepositoryContract = defineContract({
  method: "POST",
  path: "/api/v1/gitops/repository",
  tag: "Delivery",
  summary: "Create the GitOps repository from the gitops-app template for the organisation's services (a job; answers the plan)",
  access: "environments.manage",
  body: CreateGitOpsRepositoryBody,
  response: GitOpsRepositoryPlanDto,
  status: 202,
  errors: ["conflict", "rule_violation"],
});

export const getGitOpsRepositoryContract = defineContract({
  method: "GET",
  path: "/api/v1/gitops/repository",
  tag: "Delivery",
  summary: "The GitOps repository: whether it exists, its services and environment branches, and the latest creation job",
  access: "delivery.read",
  response: GitOpsRepositoryDto,
});

export const repositoryContracts = [createGitOpsRepositoryContract, getGitOpsRepositoryContract];
