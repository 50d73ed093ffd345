// Reading the GitOps repository after a commit costs what the commit changed: the delivery
// snapshot (environments matrix, promotions) and the sandbox cluster list files with their blob
// ids, read only blobs they have not seen, and render again only the overlays whose files
// changed. Reads are counted through the GitHost adapter, renders through the kustomizer.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createClient, type Db } from "@/lib/core/db/client";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { gitOpsRepositoryOf, listApps, overlayKustomizationPath, pinnedImage, readGitOpsFiles, setImageTag } from "@/lib/gitops/repository";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, type TestDatabase } from "../support/database";

// Every overlay render goes through createKustomizer(...).render: counted.
const rendered = vi.hoisted(() => ({ dirs: [] as string[] }));
vi.mock("@/lib/gitops/kustomize", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/gitops/kustomize")>();
  return {
    ...actual,
    createKustomizer: (files: Parameters<typeof actual.createKustomizer>[0]) => {
      const k = actual.createKustomizer(files);
      return {
        render: (dir: string) => {
          rendered.dirs.push(dir);
          return k.render(dir);
        },
      };
    },
  };
});

let database: TestDatabase;
let client: Db;
let host: GitHost;
let plain: GitHost;
let repo: RepoRef;
const reads = { blobs: [] as string[], files: 0, batches: 0 };

/** The adapter, counting what is read through it. */
function counting(inner: GitHost): GitHost {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === "readBlobs") {
        return (r: RepoRef, shas: string[]) => {
          reads.batches++;
          reads.blobs.push(...shas);
          return fn.call(target, r, shas);
        };
      }
      if (prop === "readFile" || prop === "readFiles") {
        return (...args: unknown[]) => {
          reads.files += prop === "readFile" ? 1 : (args[1] as string[]).length;
          return fn.apply(target, args);
        };
      }
      return fn.bind(target);
    },
  });
}

function resetCounts() {
  reads.blobs = [];
  reads.files = 0;
  reads.batches = 0;
  rendered.dirs = [];
}

async function pin(service: string, environment: string, tag: string): Promise<string> {
  const files = await readGitOpsFiles(plain, repo);
  return plain.commitFiles(repo, "main", [{ path: overlayKustomizationPath(service, environment), content: setImageTag(files, service, environment, tag) }], `Promote ${service} to ${tag} in ${environment}`);
}

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  client = createClient(database.url, 3);
  const git = await useDemoGitOps();
  plain = git.host;
  host = counting(plain);
  repo = gitOpsRepositoryOf(plain);
});

afterAll(async () => {
  await client?.$disconnect();
  await database?.drop();
});

describe("reading the GitOps repository after a commit", () => {
  it("the delivery snapshot reads the one changed file and renders the one changed overlay", async () => {
    resetCounts();
    const first = (await gitopsSnapshot(host))!;
    const overlays = DEMO_SERVICES.length * DEMO_ENVIRONMENTS.length;
    expect(reads.batches).toBe(1);
    expect(reads.files).toBe(0);
    expect(rendered.dirs).toHaveLength(overlays);
    expect(versionIn(first, "frontend", "dev")).not.toBe("9.9.9");

    // The same head again: nothing read, nothing rendered.
    resetCounts();
    expect(await gitopsSnapshot(host)).toBe(first);
    expect(reads.blobs).toEqual([]);
    expect(rendered.dirs).toEqual([]);

    const sha = await pin("frontend", "dev", "9.9.9");
    resetCounts();
    const second = (await gitopsSnapshot(host))!;
    expect(second.sha).toBe(sha);
    expect(reads.blobs).toHaveLength(1);
    expect(reads.files).toBe(0);
    expect(rendered.dirs).toEqual(["apps/frontend/overlays/dev"]);
    expect(versionIn(second, "frontend", "dev")).toBe("9.9.9");
    expect(second.files[overlayKustomizationPath("frontend", "dev")]).toContain("9.9.9");

    // The same answer as rendering every overlay from scratch.
    for (const app of listApps(second.files)) {
      for (const environment of app.environments) {
        expect(second.images.get(app.service)?.get(environment)).toEqual(pinnedImage(second.files, app.service, environment));
      }
    }
  });

  it("the sandbox cluster reads the one changed file after a commit, and renders the one changed overlay", async () => {
    const cluster = new SandboxCluster({ db: client, host, speed: 1 });
    const apps = await cluster.listApplications();
    expect(apps).toHaveLength(DEMO_SERVICES.length * DEMO_ENVIRONMENTS.length);
    expect(apps.every((a) => a.sync.status === "Synced")).toBe(true);

    const sha = await pin("backend-api", "staging", "9.9.8");
    resetCounts();
    const after = await cluster.listApplications();
    expect(reads.blobs).toHaveLength(1);
    expect(reads.files).toBe(0);
    expect(rendered.dirs).toEqual(["apps/backend-api/overlays/staging"]);
    expect(after.filter((a) => a.sync.status === "OutOfSync").map((a) => a.name)).toEqual(["backend-api-staging"]);

    // The synced revision is still rendered from what was kept; a sync renders nothing new either.
    resetCounts();
    const synced = await cluster.sync("backend-api-staging");
    expect(synced.sync).toMatchObject({ status: "Synced", revision: sha });
    expect(reads.blobs).toEqual([]);
    expect(rendered.dirs).toEqual([]);
  });

  it("renders from all of apps/ when an overlay refers outside its folders, and again when what it refers to changes", async () => {
    const shared = "apps/shared/kustomization.yaml";
    const quota = (pods: number) => `apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\nspec:\n  hard:\n    pods: "${pods}"\n`;
    const files = await readGitOpsFiles(plain, repo);
    const overlay = overlayKustomizationPath("frontend", "production");
    await plain.commitFiles(
      repo,
      "main",
      [
        { path: shared, content: "resources:\n  - quota.yaml\n" },
        { path: "apps/shared/quota.yaml", content: quota(10) },
        { path: overlay, content: files[overlay]!.replace("  - ../../base\n", "  - ../../base\n  - ../../../shared\n") },
      ],
      "Share a quota",
    );
    const cluster = new SandboxCluster({ db: client, host, speed: 1 });
    const quotaOf = async () => {
      const diff = await cluster.managedResources("frontend-production");
      return diff.find((d) => d.kind === "ResourceQuota")?.targetState ?? null;
    };
    expect(await quotaOf()).toContain('pods: "10"');
    await plain.commitFiles(repo, "main", [{ path: "apps/shared/quota.yaml", content: quota(20) }], "More pods");
    expect(await quotaOf()).toContain('pods: "20"');
    const snapshot = (await gitopsSnapshot(host))!;
    expect(snapshot.problems.get("frontend/production")).toBeUndefined();
  });
});
