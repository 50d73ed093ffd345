// A revision of the GitOps repository read lazily: only the files an answer needs, each once.
import { describe, expect, it } from "vitest";
import { DEMO_SERVICES } from "../../../prisma/seed/demo-organisation.ts";
import { demoGitOpsFiles } from "../localgit/gitops-seed.ts";
import { RepoSnapshot, limiter } from "./snapshot.ts";

const FILES = demoGitOpsFiles(
  DEMO_SERVICES.filter((s) => ["frontend", "worker-service"].includes(s.name)),
  ["dev", "staging"],
);

function snapshotOf(files: Record<string, string>) {
  const reads: string[] = [];
  const snapshot = new RepoSnapshot("a".repeat(40), Object.keys(files), async (p) => {
    reads.push(p);
    await new Promise((r) => setTimeout(r, 1));
    return files[p] ?? null;
  });
  return { snapshot, reads };
}

describe("a lazily read revision", () => {
  it("finds an Application from its own manifest and renders from the service's folder, reading each file once", async () => {
    const { snapshot, reads } = snapshotOf(FILES);
    expect(await snapshot.find("frontend-staging")).toMatchObject({ service: "frontend", environment: "staging", namespace: "frontend-staging" });
    expect(reads).toEqual(["argocd/frontend-staging.yaml"]);

    const [a, b] = await Promise.all([snapshot.render("frontend", "staging"), snapshot.render("frontend", "staging")]);
    expect(a).toBe(b);
    expect(a.ok && a.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["Service/frontend", "Deployment/frontend"]);
    await snapshot.render("frontend", "dev");
    expect(reads.filter((p) => p.startsWith("apps/")).sort()).toEqual(Object.keys(FILES).filter((p) => p.startsWith("apps/frontend/")).sort());
    expect(new Set(reads).size).toBe(reads.length);

    expect((await snapshot.declared()).map((d) => d.name)).toEqual(["frontend-dev", "frontend-staging", "worker-service-dev", "worker-service-staging"]);
    expect(await snapshot.find("nothing")).toBeNull();
    expect(new Set(reads).size).toBe(reads.length);
  });

  it("renders from all of apps/ when an overlay refers outside its service's folder, and reports what does not render", async () => {
    const overlay = "apps/frontend/overlays/staging/kustomization.yaml";
    const shared = {
      ...FILES,
      "apps/shared/kustomization.yaml": "resources:\n  - quota.yaml\n",
      "apps/shared/quota.yaml": "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\nspec:\n  hard:\n    pods: \"10\"\n",
      [overlay]: FILES[overlay]!.replace("  - ../../base\n", "  - ../../base\n  - ../../../shared\n"),
    };
    const { snapshot } = snapshotOf(shared);
    const r = await snapshot.render("frontend", "staging");
    expect(r).toMatchObject({ ok: true });
    expect(r.ok && r.objects.map((o) => o.kind)).toContain("ResourceQuota");

    const broken = snapshotOf({ ...FILES, [overlay]: "resources:\n  - ../../base\nnamePrefix: x-\n" }).snapshot;
    expect(await broken.render("frontend", "staging")).toEqual({ ok: false, message: expect.stringContaining("namePrefix") });
  });

  it("reads a file again after a failed read", async () => {
    let fail = true;
    const snapshot = new RepoSnapshot("b".repeat(40), Object.keys(FILES), async (p) => {
      if (fail) throw new Error("git is busy");
      return FILES[p] ?? null;
    });
    await expect(snapshot.find("frontend-dev")).rejects.toThrow("git is busy");
    fail = false;
    expect(await snapshot.find("frontend-dev")).toMatchObject({ name: "frontend-dev" });
  });
});

describe("the limiter", () => {
  it("runs at most so many at once, in the order they came", async () => {
    const limit = limiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        limit(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await new Promise((r) => setTimeout(r, 2));
          active--;
          if (i === 3) throw new Error("a failure frees its slot");
        }).catch(() => undefined),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await expect(limit(async () => "still works")).resolves.toBe("still works");
  });
});
