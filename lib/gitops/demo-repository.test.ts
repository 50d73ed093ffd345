// The sandbox's GitOps repository (lib/integrations/localgit/gitops-seed.ts) as Paved reads it:
// every overlay renders, versions line up production ≤ staging ≤ dev, promotions can be made,
// and the policy violations it shows are exactly the ones its README documents. The rules below
// restate the shipped policies (policies/*.yaml) in a few lines each, so that this test does not
// depend on the policy engine; the engine's own tests cover the engine.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import semver from "semver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "../../prisma/seed/demo-organisation.ts";
import { LocalGitHost } from "../integrations/localgit/git-host.ts";
import { DEMO_KNOWN_ISSUES, demoGitOpsFiles, demoGitOpsRepo, seedGitOpsRepo } from "../integrations/localgit/gitops-seed.ts";
import { seedSandboxRepos } from "../integrations/localgit/seed.ts";
import { splitImage, type KubernetesObject } from "./kustomize.ts";
import {
  SANDBOX_GITOPS_REPOSITORY,
  argoApplicationPath,
  imageTagOf,
  isGitOpsPath,
  listApplications,
  listApps,
  overlayKustomizationPath,
  parseRepositoryName,
  readGitOpsFiles,
  renderEnvironment,
  setImageTag,
  terraformPlans,
} from "./repository.ts";

const ENVS = DEMO_ENVIRONMENTS.map((e) => e.name);
const files = demoGitOpsFiles(DEMO_SERVICES, ENVS);

// ---------------------------------------------------------------------------------------------
// The shipped policies' rules, restated

type Pod = { securityContext?: { runAsNonRoot?: boolean }; containers: Container[]; initContainers?: Container[] };
type Container = { name: string; image: string; securityContext?: { runAsNonRoot?: boolean }; resources?: { limits?: Record<string, string> } };

const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]);

function podOf(o: KubernetesObject): Pod {
  const spec = o.spec as { template: { spec: Pod }; jobTemplate?: { spec: { template: { spec: Pod } } } };
  return o.kind === "CronJob" ? spec.jobTemplate!.spec.template.spec : spec.template.spec;
}

/** Docker's reading of an image reference (a first segment is a registry only with a '.' or ':' or as localhost). */
function dockerRef(image: string): string {
  const parts = image.split("/");
  if (parts.length === 1) return `docker.io/library/${image}`;
  if (parts[0] === "docker.io") return parts.length === 2 ? `docker.io/library/${parts[1]}` : image;
  return /[.:]/.test(parts[0]!) || parts[0] === "localhost" ? image : `docker.io/${image}`;
}

const APPROVED = ["ghcr.io/acme/", "registry.acme.io/", "docker.io/library/"];
const OPEN_PORTS_ALLOWED = [80, 443];

function manifestViolations(o: KubernetesObject): string[] {
  const out: string[] = [];
  if (WORKLOADS.has(o.kind)) {
    const pod = podOf(o);
    const containers = [...pod.containers, ...(pod.initContainers ?? [])];
    if (!containers.every((c) => (c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true)) out.push("require-run-as-non-root");
    if (!containers.every((c) => APPROVED.some((r) => dockerRef(c.image).startsWith(r)))) out.push("restrict-image-registries");
    if (!containers.every((c) => c.resources?.limits?.cpu && c.resources.limits.memory)) out.push("require-resource-limits");
    if (!containers.every((c) => c.image.includes("@") || (splitImage(c.image).tag !== null && splitImage(c.image).tag !== "latest"))) out.push("disallow-latest-tag");
    if (!["team", "service"].every((l) => o.metadata.labels?.[l])) out.push("require-workload-labels");
  }
  if (o.kind === "Service" && (o.spec as { type?: string }).type === "LoadBalancer" && o.metadata.annotations?.["service.beta.kubernetes.io/azure-load-balancer-internal"] !== "true") {
    out.push("require-internal-load-balancer");
  }
  if (o.kind === "Secret") out.push("disallow-plain-secrets");
  return out;
}

type Change = { type: string; address: string; change: { after: Record<string, unknown> | null } };
type Rule = { from_port: number; to_port: number; protocol: string; cidr_blocks?: string[] };

function planViolations(plan: Record<string, unknown>): string[] {
  const changes = (plan.resource_changes as Change[]).filter((c) => c.change.after !== null);
  const out: string[] = [];
  const isPublic = (c: Change) =>
    ((c.type === "aws_s3_bucket" || c.type === "aws_s3_bucket_acl") && ["public-read", "public-read-write"].includes(c.change.after!.acl as string)) ||
    (c.type === "aws_s3_bucket_public_access_block" && ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].some((k) => c.change.after![k] === false));
  if (changes.some(isPublic)) out.push("terraform-no-public-buckets");
  const open = (r: Rule) => r.cidr_blocks?.includes("0.0.0.0/0") && !(r.protocol !== "-1" && r.from_port === r.to_port && OPEN_PORTS_ALLOWED.includes(r.from_port));
  if (changes.some((c) => c.type === "aws_security_group" && ((c.change.after!.ingress as Rule[] | undefined) ?? []).some(open))) out.push("terraform-no-open-ingress");
  const taggable = changes.filter((c) => "tags" in c.change.after! || "tags_all" in c.change.after!);
  if (taggable.some((c) => !["team", "cost-center"].every((t) => (c.change.after!.tags_all as Record<string, string>)?.[t]))) out.push("terraform-required-tags");
  return out;
}

// ---------------------------------------------------------------------------------------------

describe("the demo GitOps repository", () => {
  it("has an app per demo service, with a base and an overlay per environment, and an Application for each", () => {
    expect(listApps(files)).toEqual(
      DEMO_SERVICES.map((s) => ({ service: s.name, hasBase: true, environments: [...ENVS].sort() })).sort((a, b) => a.service.localeCompare(b.service)),
    );
    const { applications, problems } = listApplications(files);
    expect(problems).toEqual([]);
    expect(applications).toHaveLength(DEMO_SERVICES.length * ENVS.length);
    for (const s of DEMO_SERVICES) {
      for (const env of ENVS) {
        expect(applications.find((a) => a.file === argoApplicationPath(s.name, env))).toMatchObject({
          name: `${s.name}-${env}`,
          project: s.team,
          path: `apps/${s.name}/overlays/${env}`,
          destinationNamespace: `${s.name}-${env}`,
          targetRevision: "main",
          repoURL: "https://github.com/demo/gitops.git",
          automated: true,
          service: s.name,
          environment: env,
        });
      }
    }
    expect(Object.keys(files).filter((f) => f.startsWith("argocd/projects/")).sort()).toEqual(["argocd/projects/payments.yaml", "argocd/projects/platform.yaml", "argocd/projects/storefront.yaml"]);
  });

  it("renders every environment without a problem: namespaces, labels, probes on the health check path, images from ghcr.io/acme", () => {
    for (const env of ENVS) {
      const { apps, problems } = renderEnvironment(files, env);
      expect(problems).toEqual([]);
      expect(apps.map((a) => a.service).sort()).toEqual(DEMO_SERVICES.map((s) => s.name).sort());
      for (const app of apps) {
        const svc = DEMO_SERVICES.find((s) => s.name === app.service)!;
        expect(app.objects.every((r) => r.object.metadata.namespace === `${svc.name}-${env}`)).toBe(true);
        expect(app.objects.every((r) => r.object.metadata.labels?.environment === env)).toBe(true);
        const deployment = app.objects.find((r) => r.object.kind === "Deployment" && r.object.metadata.name === svc.name)!;
        expect(deployment.source).toMatchObject({ file: `apps/${svc.name}/base/deployment.yaml`, document: 0, line: 3 });
        expect(deployment.object.metadata.labels?.team).toBe(svc.team);
        const main = podOf(deployment.object).containers[0] as Container & { readinessProbe: { httpGet: { path: string } }; livenessProbe: { httpGet: { path: string } } };
        expect(main.readinessProbe.httpGet.path).toBe(svc.healthCheckPath);
        expect(main.livenessProbe.httpGet.path).toBe(svc.healthCheckPath);
        expect(splitImage(main.image).name).toBe(`ghcr.io/acme/${svc.name}`);
      }
    }
  });

  it("runs production behind staging behind dev, with more replicas in production", () => {
    for (const s of DEMO_SERVICES) {
      const [dev, staging, production] = ["dev", "staging", "production"].map((env) => imageTagOf(files, s.name, env)!);
      expect(semver.lte(production!, staging!), `${s.name}: production ${production} ≤ staging ${staging}`).toBe(true);
      if (dev !== "latest") expect(semver.lte(staging!, dev!), `${s.name}: staging ${staging} ≤ dev ${dev}`).toBe(true);
      const replicas = (env: string) => (renderEnvironment(files, env).apps.find((a) => a.service === s.name)!.objects.find((r) => r.object.kind === "Deployment" && r.object.metadata.name === s.name)!.object.spec as { replicas: number }).replicas;
      expect(replicas("production")).toBeGreaterThanOrEqual(replicas("dev"));
    }
    // The release managers' demo promotes these two from staging to production.
    expect([imageTagOf(files, "backend-api", "staging"), imageTagOf(files, "backend-api", "production")]).toEqual(["1.5.0", "1.4.0"]);
    expect(imageTagOf(files, "frontend", "staging")).not.toBe(imageTagOf(files, "frontend", "production"));
  });

  it("can promote any service in any environment by changing one line", () => {
    for (const s of DEMO_SERVICES) {
      for (const env of ENVS) {
        const file = overlayKustomizationPath(s.name, env);
        const next = setImageTag(files, s.name, env, "9.9.9");
        const changed = next.split("\n").filter((line, i) => line !== files[file]!.split("\n")[i]);
        expect(changed).toEqual(["    newTag: 9.9.9"]);
        expect(imageTagOf({ ...files, [file]: next }, s.name, env)).toBe("9.9.9");
      }
    }
  });

  it("has realistic Terraform plans, one per environment, each change with its line", () => {
    const { plans, problems } = terraformPlans(files);
    expect(problems).toEqual([]);
    expect(plans.map((p) => p.environment)).toEqual(["dev", "production", "staging"]);
    for (const p of plans) {
      expect(p.plan).toMatchObject({ format_version: "1.2", terraform_version: expect.stringMatching(/^1\.\d+\.\d+$/), errored: false });
      const changes = p.plan.resource_changes as { address: string; change: { actions: string[] } }[];
      expect(Object.keys(p.resourceLines)).toEqual(changes.map((c) => c.address));
      expect(files[`infrastructure/terraform/environments/${p.environment}/main.tf`]).toContain(`resource "aws_s3_bucket" "assets"`);
      for (const c of changes) expect(files[`infrastructure/terraform/environments/${p.environment}/main.tf`]).toContain(`resource "${c.address.split(".")[0]}" "${c.address.split(".")[1]}"`);
    }
    const actions = (env: string) => Object.fromEntries((plans.find((p) => p.environment === env)!.plan.resource_changes as { address: string; change: { actions: string[] } }[]).map((c) => [c.address, c.change.actions.join(",")]));
    expect(actions("dev")).toMatchObject({ "aws_sqs_queue.notifications": "create", "aws_s3_bucket_acl.assets": "update", "aws_s3_bucket.assets": "no-op" });
    expect(actions("staging")).toMatchObject({ "aws_security_group.bastion": "update", "aws_security_group.edge": "no-op" });
    expect(actions("production")).toMatchObject({ "aws_db_instance.primary": "update", "aws_s3_bucket_acl.assets": "no-op" });
  });

  it("shows exactly the violations its README documents, and nothing else", () => {
    const found = new Set<string>();
    for (const env of ENVS) {
      for (const app of renderEnvironment(files, env).apps) {
        for (const r of app.objects) for (const policy of manifestViolations(r.object)) found.add(`${policy} | ${r.object.kind} ${r.object.metadata.name} | ${env}`);
      }
    }
    for (const p of terraformPlans(files).plans) for (const policy of planViolations(p.plan)) found.add(`${policy} | Terraform plan ${p.environment} | ${p.environment}`);
    const documented = DEMO_KNOWN_ISSUES.flatMap((i) => i.environments.map((env) => `${i.policy} | ${i.subject} | ${env}`));
    expect([...found].sort()).toEqual([...documented].sort());

    const readme = files["README.md"]!;
    for (const i of DEMO_KNOWN_ISSUES) {
      expect(readme).toContain(`| \`${i.policy}\` | ${i.subject} |`);
      expect(Object.hasOwn(files, i.file), i.file).toBe(true);
    }
  });

  it("points each manifest violation at the file that causes it", () => {
    const byKind = (env: string, kind: string, name: string) => renderEnvironment(files, env).apps.flatMap((a) => a.objects).find((r) => r.object.kind === kind && r.object.metadata.name === name)!;
    expect(byKind("dev", "StatefulSet", "search-index").source).toEqual({ file: "apps/search-service/base/elasticsearch.yaml", document: 0, line: 2 });
    expect(byKind("dev", "Service", "api-gateway").source.file).toBe("apps/api-gateway/base/service.yaml");
    // :latest comes from the dev overlay's images entry, and the rendered object says so.
    const checkout = byKind("dev", "Deployment", "checkout-web");
    expect(checkout.transformedBy).toContainEqual({ file: "apps/checkout-web/overlays/dev/kustomization.yaml", field: "images[0]", line: 11 });
    expect(files["apps/checkout-web/overlays/dev/kustomization.yaml"]!.split("\n")[11]).toBe("    newTag: latest");
  });
});

describe("seeding demo/gitops", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "paved-gitops-seed-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("creates the repository once, quickly, and leaves it alone afterwards", async () => {
    const started = performance.now();
    expect(await seedGitOpsRepo(dataDir, DEMO_SERVICES, DEMO_ENVIRONMENTS)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);

    const host = new LocalGitHost({ dataDir });
    const repo = parseRepositoryName(SANDBOX_GITOPS_REPOSITORY);
    const info = await host.getRepo(repo);
    expect(info).toMatchObject({ fullName: "demo/gitops", defaultBranch: "main", hasCommits: true });
    expect((await host.listFiles(repo)).sort()).toEqual(Object.keys(files).sort());

    // What Paved reads back through the GitHost port is what was generated.
    const read = await readGitOpsFiles(host, repo);
    expect(read).toEqual(Object.fromEntries(Object.entries(files).filter(([p]) => isGitOpsPath(p))));

    // A promotion commits to it; seeding again changes nothing.
    const file = overlayKustomizationPath("backend-api", "production");
    await host.commitFiles(repo, "main", [{ path: file, content: setImageTag(read, "backend-api", "production", "1.5.0") }], "Promote backend-api 1.5.0 to production");
    const tip = await host.getBranch(repo, "main");
    expect(await seedGitOpsRepo(dataDir, DEMO_SERVICES, DEMO_ENVIRONMENTS)).toBe(false);
    expect(await host.getBranch(repo, "main")).toBe(tip);
    expect(imageTagOf(await readGitOpsFiles(host, repo), "backend-api", "production")).toBe("1.5.0");
  });

  it("goes alongside the service repositories in one seeding, as npm start does", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "paved-gitops-seed-"));
    try {
      const created = await seedSandboxRepos(dir, [...DEMO_SERVICES.map((s) => s.name), demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS)]);
      expect(created).toContain("demo/gitops");
      expect(created).toHaveLength(DEMO_SERVICES.length + 1);
      expect((await readdir(path.join(dir, "git", "demo"))).filter((n) => n.startsWith("."))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
