// Reading a GitOps repository by blob id: contents kept by blob id (bounded by their total size,
// least recently used first), so that a revision after a commit reads only the blobs it changed;
// renders kept by the blob ids of what they read.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { GitHost, RepoRef } from "../core/ports/git-host.ts";
import { LocalGitHost } from "../integrations/localgit/git-host.ts";
import { demoGitOpsFiles } from "../integrations/localgit/gitops-seed.ts";
import { DEMO_SERVICES } from "../../prisma/seed/demo-organisation.ts";
import { BlobCache, RenderIndex, overlayKustomizationPath, readGitOpsFiles, readGitOpsRevision, renderApp, renderOverlay, setImageTag } from "./repository.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("the blob cache", () => {
  it("keeps contents by blob id up to a total size, dropping the least recently used first", () => {
    const cache = new BlobCache(10);
    cache.set("a", "1234");
    cache.set("b", "1234");
    expect(cache.get("a")).toBe("1234"); // a is now the most recently used
    cache.set("c", "1234");
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe("1234");
    expect(cache.get("c")).toBe("1234");
    expect(cache.chars).toBe(8);
    cache.set("big", "x".repeat(11)); // larger than the whole cache: not kept
    expect(cache.get("big")).toBeUndefined();
    cache.set("a", "12");
    expect(cache.chars).toBe(6);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

describe("reading a revision by blob id", () => {
  it("reads every blob once, then after a commit only the one it changed; renders only the overlay it changed", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "paved-read-cache-"));
    dirs.push(dataDir);
    const local = new LocalGitHost({ dataDir });
    const repo: RepoRef = { owner: "demo", name: "gitops" };
    const files = demoGitOpsFiles(DEMO_SERVICES.slice(0, 3), ["dev", "staging"]);
    await local.createWithFiles(repo, files, {});
    const read: string[][] = [];
    const host = new Proxy(local, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === "readBlobs") return (r: RepoRef, shas: string[]) => (read.push(shas), target.readBlobs(r, shas));
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as GitHost;
    const cache = new BlobCache(1024 * 1024);

    const first = await readGitOpsRevision(host, repo, undefined, cache);
    expect(read).toHaveLength(1);
    expect(first.files).toEqual(await readGitOpsFiles(local, repo));
    expect(new Set(read[0]).size).toBe(new Set(first.ids.values()).size);

    read.length = 0;
    expect((await readGitOpsRevision(host, repo, undefined, cache)).files).toEqual(first.files);
    expect(read).toEqual([]);

    const service = DEMO_SERVICES[0]!.name;
    const file = overlayKustomizationPath(service, "dev");
    await local.commitFiles(repo, "main", [{ path: file, content: setImageTag(first.files, service, "dev", "7.7.7") }], "Promote");
    const second = await readGitOpsRevision(host, repo, undefined, cache);
    expect(read).toEqual([[second.ids.get(file)]]);
    expect(second.files[file]).toContain("7.7.7");

    // Renders: every overlay of the first revision, then only the changed one.
    let rendered = 0;
    const counting = (f: typeof first) => (paths: readonly string[]) => {
      rendered++;
      return Object.fromEntries(paths.map((p) => [p, f.files[p]!]));
    };
    const overlays = DEMO_SERVICES.slice(0, 3).flatMap((s) => ["dev", "staging"].map((e) => [s.name, e] as const));
    const renderAll = async (index: RenderIndex, revision: typeof first) => {
      for (const [s, e] of overlays) {
        const r = await renderOverlay(index, s, e, counting(revision));
        // The same as rendering from every file.
        expect(r.ok && r.objects).toEqual(renderApp(revision.files, s, e));
      }
    };
    const index1 = new RenderIndex(first.ids);
    await renderAll(index1, first);
    expect(rendered).toBe(overlays.length);
    await renderAll(new RenderIndex(second.ids, index1), second);
    expect(rendered).toBe(overlays.length + 1);
  });
});
