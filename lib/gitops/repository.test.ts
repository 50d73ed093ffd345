// The GitOps repository's layout and the helpers over it, against tests/fixtures/gitops/repository
// (web: two overlays and a sidecar; worker: an overlay without an images entry; broken: a missing
// file; Argo CD Applications; Terraform plans, one unreadable) and a real local git repository.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotFoundError, RuleViolationError, ValidationError } from "../core/errors.ts";
import { LocalGitHost } from "../integrations/localgit/git-host.ts";
import type { FileMap } from "./kustomize.ts";
import {
  SANDBOX_GITOPS_REPOSITORY,
  appBase,
  appOverlay,
  argoApplicationPath,
  imageTagOf,
  isGitOpsPath,
  listApplications,
  listApps,
  overlayKustomizationPath,
  parseRepositoryName,
  pinnedImage,
  readFileMap,
  readGitOpsFiles,
  renderEnvironment,
  setImageTag,
  terraformPlanPath,
  terraformPlans,
} from "./repository.ts";

const FIXTURE = path.resolve(import.meta.dirname, "../../tests/fixtures/gitops/repository");

let files: FileMap;
beforeAll(async () => {
  files = await readFileMap(FIXTURE);
});

/** The lines of `after` that differ from `before` (same line count assumed). */
function changedLines(before: string, after: string): { line: number; before: string; after: string }[] {
  const a = before.split("\n");
  const b = after.split("\n");
  return b.flatMap((text, i) => (a[i] === text ? [] : [{ line: i + 1, before: a[i] ?? "", after: text }]));
}

describe("layout", () => {
  it("puts every path in one place", () => {
    expect(SANDBOX_GITOPS_REPOSITORY).toBe("demo/gitops");
    expect(appBase("frontend")).toBe("apps/frontend/base");
    expect(appOverlay("frontend", "staging")).toBe("apps/frontend/overlays/staging");
    expect(overlayKustomizationPath("frontend", "production")).toBe("apps/frontend/overlays/production/kustomization.yaml");
    expect(argoApplicationPath("frontend", "dev")).toBe("argocd/frontend-dev.yaml");
    expect(terraformPlanPath("staging")).toBe("infrastructure/terraform/plans/staging.json");
  });

  it("refuses names that are not a single lower-case path segment", () => {
    for (const bad of ["../frontend", "Frontend", "front end", "", "a/b", "-x"]) {
      expect(() => appOverlay(bad, "dev")).toThrow(ValidationError);
      expect(() => appOverlay("frontend", bad)).toThrow(ValidationError);
    }
  });

  it("parses a configured repository name", () => {
    expect(parseRepositoryName("acme/gitops")).toEqual({ owner: "acme", name: "gitops" });
    expect(parseRepositoryName(SANDBOX_GITOPS_REPOSITORY)).toEqual({ owner: "demo", name: "gitops" });
    for (const bad of ["gitops", "acme/", "acme/gitops/extra", "acme/.."]) expect(() => parseRepositoryName(bad)).toThrow(ValidationError);
  });

  it("knows which paths Paved reads", () => {
    expect(["apps/web/base/deployment.yaml", "argocd/web-dev.yaml", "infrastructure/terraform/plans/dev.json"].every(isGitOpsPath)).toBe(true);
    expect(["README.md", "infrastructure/terraform/environments/dev/main.tf", "infrastructure/terraform/plans/README.md", "policies/README.md"].some(isGitOpsPath)).toBe(false);
  });

  it("lists the apps with their environments", () => {
    expect(listApps(files)).toEqual([
      { service: "broken", hasBase: false, environments: ["dev"] },
      { service: "web", hasBase: true, environments: ["dev", "production"] },
      { service: "worker", hasBase: true, environments: ["dev"] },
    ]);
  });
});

describe("renderEnvironment", () => {
  it("renders every app that has the environment, and reports a broken overlay without giving up on the others", () => {
    const dev = renderEnvironment(files, "dev");
    expect(dev.apps.map((a) => [a.service, a.dir, a.objects.map((o) => `${o.object.kind}/${o.object.metadata.namespace}/${o.object.metadata.name}`)])).toEqual([
      ["web", "apps/web/overlays/dev", ["Deployment/web-dev/web"]],
      ["worker", "apps/worker/overlays/dev", ["Deployment/worker-dev/worker"]],
    ]);
    expect(dev.problems).toEqual([
      {
        service: "broken",
        environment: "dev",
        file: "apps/broken/overlays/dev/kustomization.yaml",
        field: "resources[0]",
        line: 5,
        message: "apps/broken/overlays/dev/kustomization.yaml:5: resources[0]: deployment.yaml does not exist",
      },
    ]);
    // Each object says where it came from, for a violation's drill-down.
    expect(dev.apps[0]!.objects[0]!.source).toEqual({ file: "apps/web/base/deployment.yaml", document: 0, line: 1 });

    const production = renderEnvironment(files, "production");
    expect(production.apps.map((a) => a.service)).toEqual(["web"]);
    expect(production.problems).toEqual([]);
    expect(renderEnvironment(files, "staging")).toEqual({ environment: "staging", apps: [], problems: [] });
  });
});

describe("image tags", () => {
  it("reads the tag of the service's own container, not a sidecar's", () => {
    expect(imageTagOf(files, "web", "dev")).toBe("1.6.0-rc.1");
    expect(imageTagOf(files, "web", "production")).toBe("1.4.0");
    // No images entry: the base's tag.
    expect(imageTagOf(files, "worker", "dev")).toBe("3.2.0");
    expect(pinnedImage(files, "web", "dev")).toEqual({
      image: "ghcr.io/acme/web:1.6.0-rc.1",
      name: "ghcr.io/acme/web",
      tag: "1.6.0-rc.1",
      digest: null,
      workload: { kind: "Deployment", name: "web" },
      container: "web",
    });
  });

  it("answers 404 for an environment the service has no overlay in", () => {
    expect(() => imageTagOf(files, "web", "staging")).toThrow(NotFoundError);
    expect(() => setImageTag(files, "worker", "production", "1.0.0")).toThrow(NotFoundError);
  });

  it("changes exactly the tag's text, keeping its quotes, the comments and the other image", () => {
    const file = overlayKustomizationPath("web", "dev");
    const next = setImageTag(files, "web", "dev", "1.6.0");
    expect(changedLines(files[file]!, next)).toEqual([{ line: 12, before: '    newTag: "1.6.0-rc.1" # quoted by hand', after: '    newTag: "1.6.0" # quoted by hand' }]);
    expect(imageTagOf({ ...files, [file]: next }, "web", "dev")).toBe("1.6.0");
    expect(pinnedImage({ ...files, [file]: next }, "web", "dev")?.image).toBe("ghcr.io/acme/web:1.6.0");
  });

  it("writes a plain tag plainly, and quotes one YAML would read as a number", () => {
    const file = overlayKustomizationPath("web", "production");
    expect(changedLines(files[file]!, setImageTag(files, "web", "production", "1.5.0"))).toEqual([{ line: 8, before: "    newTag: 1.4.0", after: "    newTag: 1.5.0" }]);
    const numeric = setImageTag(files, "web", "production", "2.10");
    expect(changedLines(files[file]!, numeric)).toEqual([{ line: 8, before: "    newTag: 1.4.0", after: '    newTag: "2.10"' }]);
    expect(imageTagOf({ ...files, [file]: numeric }, "web", "production")).toBe("2.10");
  });

  it("adds an images entry to an overlay that has none", () => {
    const file = overlayKustomizationPath("worker", "dev");
    const next = setImageTag(files, "worker", "dev", "3.3.0");
    expect(next).toBe("namespace: worker-dev\nresources:\n  - ../../base\nimages:\n  - name: registry.acme.io/payments/worker\n    newTag: 3.3.0\n");
    expect(imageTagOf({ ...files, [file]: next }, "worker", "dev")).toBe("3.3.0");
  });

  it("drops a digest (it would win over the tag) and follows an entry's newName", () => {
    const file = overlayKustomizationPath("web", "production");
    const pinned = { ...files, [file]: files[file]!.replace("newTag: 1.4.0", "newTag: 1.4.0\n    digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") };
    expect(pinnedImage(pinned, "web", "production")?.digest).toMatch(/^sha256:/);
    const next = setImageTag(pinned, "web", "production", "1.5.0");
    expect(next).not.toContain("digest");
    expect(pinnedImage({ ...files, [file]: next }, "web", "production")).toMatchObject({ image: "ghcr.io/acme/web:1.5.0", digest: null });

    const renamed = { ...files, [file]: files[file]!.replace("  - name: ghcr.io/acme/web\n", "  - name: ghcr.io/acme/web\n    newName: registry.acme.io/storefront/web\n") };
    expect(pinnedImage(renamed, "web", "production")?.image).toBe("registry.acme.io/storefront/web:1.4.0");
    const moved = setImageTag(renamed, "web", "production", "1.5.0");
    expect(changedLines(renamed[file]!, moved)).toEqual([{ line: 9, before: "    newTag: 1.4.0", after: "    newTag: 1.5.0" }]);
  });

  it("edits the entry that decides the tag when two entries name the image", () => {
    const file = overlayKustomizationPath("web", "production");
    const twice = { ...files, [file]: files[file]!.replace("replicas:", "  - name: ghcr.io/acme/web\n    newTag: 1.4.1\nreplicas:") };
    expect(imageTagOf(twice, "web", "production")).toBe("1.4.1");
    const next = setImageTag(twice, "web", "production", "1.5.0");
    expect(changedLines(twice[file]!, next)).toEqual([{ line: 10, before: "    newTag: 1.4.1", after: "    newTag: 1.5.0" }]);
    expect(imageTagOf({ ...twice, [file]: next }, "web", "production")).toBe("1.5.0");
  });

  it("refuses an invalid tag, and an overlay without the service's workload", () => {
    expect(() => setImageTag(files, "web", "dev", "1.0 beta")).toThrow(ValidationError);
    expect(() => setImageTag(files, "web", "dev", "-x")).toThrow(ValidationError);
    const file = overlayKustomizationPath("web", "production");
    const other = { ...files, [file]: files[file]!.replace("  - ../../base\n", "  - ../../base\n  - ../../../worker/base\n").replace("replicas:\n  - name: web\n    count: 3\n", "") };
    const renamed = { ...other, "apps/web/base/deployment.yaml": files["apps/web/base/deployment.yaml"]!.replace("  name: web\n", "  name: storefront\n") };
    expect(() => setImageTag(renamed, "web", "production", "1.5.0")).toThrow(RuleViolationError);
    expect(pinnedImage(renamed, "web", "production")).toBeNull();
  });
});

describe("Argo CD Applications", () => {
  it("lists the Applications with the overlay each syncs, skipping AppProjects", () => {
    const { applications, problems } = listApplications(files);
    expect(problems).toEqual([]);
    expect(applications).toEqual([
      {
        name: "web-dev",
        file: "argocd/web-dev.yaml",
        line: 1,
        project: "storefront",
        repoURL: "https://github.com/acme/gitops.git",
        targetRevision: "main",
        path: "apps/web/overlays/dev",
        destinationNamespace: "web-dev",
        automated: true,
        service: "web",
        environment: "dev",
      },
      expect.objectContaining({ name: "web-production", line: 2, targetRevision: "production", automated: false, service: "web", environment: "production" }),
    ]);
  });
});

describe("terraformPlans", () => {
  it("reads each environment's plan with the line of every resource change, and reports the unreadable ones", () => {
    const { plans, problems } = terraformPlans(files);
    expect(plans.map((p) => [p.environment, p.file])).toEqual([["dev", "infrastructure/terraform/plans/dev.json"]]);
    expect(plans[0]!.resourceLines).toEqual({ "aws_s3_bucket.assets": 21, "aws_s3_bucket_acl.assets": 36 });
    expect((plans[0]!.plan.resource_changes as unknown[]).length).toBe(2);
    expect(problems.map((p) => [p.environment, p.file, p.message.split(":")[1]?.trim()])).toEqual([
      ["production", "infrastructure/terraform/plans/production.json", "not the output of `terraform show -json` (no format_version)"],
      ["staging", "infrastructure/terraform/plans/staging.json", "not valid JSON"],
    ]);
  });
});

describe("reading the files", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "paved-gitops-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("reads the GitOps paths of a repository through the GitHost port, at a ref", async () => {
    const host = new LocalGitHost({ dataDir });
    const repo = { owner: "acme", name: "gitops" };
    await host.createWithFiles(repo, { ...files }, { message: "Initial commit" });
    const read = await readGitOpsFiles(host, repo);
    expect(Object.keys(read).sort()).toEqual(Object.keys(files).filter(isGitOpsPath).sort());
    expect(read["apps/web/overlays/dev/kustomization.yaml"]).toBe(files["apps/web/overlays/dev/kustomization.yaml"]);

    // A promotion committed on a branch: reading at that ref sees it, the default branch does not.
    await host.createBranch(repo, "promote-web", "main");
    const file = overlayKustomizationPath("web", "production");
    await host.commitFiles(repo, "promote-web", [{ path: file, content: setImageTag(read, "web", "production", "1.5.0") }], "Promote web 1.5.0 to production");
    expect(imageTagOf(await readGitOpsFiles(host, repo, "promote-web"), "web", "production")).toBe("1.5.0");
    expect(imageTagOf(await readGitOpsFiles(host, repo), "web", "production")).toBe("1.4.0");
  });
});
