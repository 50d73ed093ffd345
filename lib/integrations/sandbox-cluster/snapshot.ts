// One revision of the GitOps repository, read lazily through the GitHost port: its file list (with
// blob ids) at once, then only the files an answer needs (the Application manifest of the app
// asked for, an overlay's and its base's folders to render it), each once, in batches. What is
// read and rendered is kept by blob id across revisions: after a commit, only the files it changed
// are read (the blob cache of lib/gitops/repository.ts) and only the overlays whose files changed
// are rendered again (`renderOverlay`), so a new revision costs one listing plus what changed.
import { randomUUID } from "node:crypto";
import type { FileEntry } from "../../core/ports/git-host.ts";
import type { FileMap } from "../../gitops/kustomize.ts";
import { APPS_DIR, ARGOCD_DIR, RenderIndex, renderOverlay, type OverlayRender } from "../../gitops/repository.ts";
import { declaredApplications, type DeclaredApp } from "./application.ts";
import type { RenderOutcome } from "./manifests.ts";

/**
 * How a snapshot reads files: one at a time (`(path) => content`), or in batches of entries
 * (`{ many }`, path → content; what it leaves out does not exist).
 */
export type SnapshotReader = ((path: string) => Promise<string | null>) | { many: (entries: readonly FileEntry[]) => Promise<ReadonlyMap<string, string>> };

/** The Applications each manifest declares, by blob id and path (a manifest unchanged by a commit is not parsed again). */
const declaredByBlob = new Map<string, DeclaredApp[]>();
const MANIFESTS_KEPT = 8192;

/** Renders as the cluster uses them (the objects alone), one per shared render. */
const outcomes = new WeakMap<OverlayRender, RenderOutcome>();

function outcomeOf(render: OverlayRender): RenderOutcome {
  let o = outcomes.get(render);
  if (!o) {
    o = render.ok ? { ok: true, objects: render.objects.map((r) => r.object) } : { ok: false, message: render.error.message };
    outcomes.set(render, o);
  }
  return o;
}

export class RepoSnapshot {
  private readonly files = new Map<string, string>();
  private readonly reads = new Map<string, Promise<void>>();
  private readonly renders = new Map<string, Promise<RenderOutcome>>();
  private declaredAll: Promise<DeclaredApp[]> | null = null;
  /** path → blob id of the files under apps/ and argocd/. */
  private readonly ids = new Map<string, string>();
  private readonly index: RenderIndex;
  private readonly readMany: (entries: readonly FileEntry[]) => Promise<ReadonlyMap<string, string>>;
  /** Paths asked for in this turn of the event loop, read together. */
  private pending: { paths: Set<string>; done: Promise<void> } | null = null;

  /**
   * `files`: the revision's files, with their blob ids when the host gave them (then reads and
   * renders are shared with other revisions); paths alone keep everything to this snapshot.
   */
  constructor(
    readonly sha: string,
    files: readonly string[] | readonly FileEntry[],
    read: SnapshotReader,
    /** A snapshot of an earlier revision: services whose files did not change keep what was worked out for them. */
    previous?: RepoSnapshot,
  ) {
    // Without blob ids, ids only this snapshot uses: nothing is shared.
    const own = randomUUID();
    for (const f of files) {
      const entry = typeof f === "string" ? { path: f, sha: `${own}:${f}` } : f;
      if (entry.path.startsWith(`${APPS_DIR}/`) || entry.path.startsWith(`${ARGOCD_DIR}/`)) this.ids.set(entry.path, entry.sha);
    }
    this.index = new RenderIndex(
      [...this.ids].filter(([p]) => p.startsWith(`${APPS_DIR}/`)),
      previous?.index,
    );
    this.readMany =
      typeof read === "function"
        ? async (entries) => {
            const out = new Map<string, string>();
            await Promise.all(
              entries.map(async (e) => {
                const content = await read(e.path);
                if (content !== null) out.set(e.path, content);
              }),
            );
            return out;
          }
        : (entries) => read.many(entries);
  }

  /** Reads the files not read yet (each once, whoever asks first; those asked for in the same turn in one batch). */
  private ensure(paths: readonly string[]): Promise<void> {
    for (const p of paths) {
      if (this.reads.has(p)) continue;
      this.pending ??= this.batch();
      this.pending.paths.add(p);
      this.reads.set(p, this.pending.done);
    }
    return Promise.all(paths.map((p) => this.reads.get(p))).then(() => undefined);
  }

  private batch(): { paths: Set<string>; done: Promise<void> } {
    const paths = new Set<string>();
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.pending = null;
      const entries = [...paths].map((p) => ({ path: p, sha: this.ids.get(p) ?? "" }));
      try {
        const read = await this.readMany(entries);
        for (const [p, content] of read) this.files.set(p, content);
      } catch (e) {
        // A failed read is tried again by the next caller.
        for (const p of paths) if (this.reads.get(p) === done) this.reads.delete(p);
        throw e;
      }
    });
    done.catch(() => undefined);
    return { paths, done };
  }

  private under(prefix: string): string[] {
    return [...this.ids.keys()].filter((p) => p.startsWith(prefix));
  }

  /** The Applications declared in these manifests (read already), in the order `declaredApplications` gives for them all. */
  private declaredIn(manifests: readonly string[]): DeclaredApp[] {
    const seen = new Set<string>();
    const out: DeclaredApp[] = [];
    for (const file of [...manifests].sort()) {
      const content = this.files.get(file);
      if (content === undefined) continue;
      const key = `${this.ids.get(file)}\0${file}`;
      let apps = declaredByBlob.get(key);
      if (!apps) {
        apps = declaredApplications({ [file]: content });
        declaredByBlob.set(key, apps);
        while (declaredByBlob.size > MANIFESTS_KEPT) declaredByBlob.delete(declaredByBlob.keys().next().value!);
      }
      // Argo CD would refuse a second Application of the same name: the first file's wins.
      for (const a of apps) {
        if (seen.has(a.name)) continue;
        seen.add(a.name);
        out.push(a);
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every Application the revision declares. */
  declared(): Promise<DeclaredApp[]> {
    this.declaredAll ??= (async () => {
      const manifests = this.under(`${ARGOCD_DIR}/`).filter((p) => /\.ya?ml$/.test(p));
      await this.ensure(manifests);
      return this.declaredIn(manifests);
    })();
    this.declaredAll.catch(() => (this.declaredAll = null));
    return this.declaredAll;
  }

  /** One Application: from argocd/<name>.yaml where the layout puts it, else from all of argocd/. */
  async find(name: string): Promise<DeclaredApp | null> {
    for (const file of [`${ARGOCD_DIR}/${name}.yaml`, `${ARGOCD_DIR}/${name}.yml`]) {
      if (!this.ids.has(file)) continue;
      await this.ensure([file]);
      const app = this.declaredIn([file]).find((a) => a.name === name);
      if (app) return app;
    }
    return (await this.declared()).find((a) => a.name === name) ?? null;
  }

  /**
   * The service's overlay for the environment, rendered from its overlay's and base's folders;
   * when it refers to files elsewhere, from the service's folder, then from all of apps/ (so the
   * result never depends on what was read). Renders are shared by every revision where those
   * files have the same blob ids.
   */
  render(service: string, environment: string): Promise<RenderOutcome> {
    const key = `${service}/${environment}`;
    let r = this.renders.get(key);
    if (!r) {
      r = renderOverlay(this.index, service, environment, async (paths) => {
        await this.ensure(paths);
        return this.pick(paths);
      }).then(outcomeOf);
      this.renders.set(key, r);
      r.catch(() => this.renders.delete(key));
    }
    return r;
  }

  private pick(paths: readonly string[]): FileMap {
    const out: Record<string, string> = {};
    for (const p of paths) {
      const content = this.files.get(p);
      if (content !== undefined) out[p] = content;
    }
    return out;
  }
}

/** Runs at most `max` of the functions given to it at once; the others wait their turn, first come first served. */
export function limiter(max: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active < max) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing run hands its slot over
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
