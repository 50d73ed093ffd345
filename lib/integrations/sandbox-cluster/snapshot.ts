// One revision of the GitOps repository, read lazily through the GitHost port: its file list
// at once, then only the files an answer needs (the Application manifest of the app asked for,
// the service's folder under apps/ to render its overlay), each once. A new commit therefore
// costs a handful of file reads per application looked at, not the whole repository, and a
// revision's renders are made once.
import { KustomizeError, createKustomizer, type FileMap } from "../../gitops/kustomize.ts";
import { APPS_DIR, ARGOCD_DIR, appOverlay } from "../../gitops/repository.ts";
import { declaredApplications, type DeclaredApp } from "./application.ts";
import type { RenderOutcome } from "./manifests.ts";

export class RepoSnapshot {
  private readonly files: Record<string, string> = {};
  private readonly reads = new Map<string, Promise<void>>();
  private readonly renders = new Map<string, Promise<RenderOutcome>>();
  private declaredAll: Promise<DeclaredApp[]> | null = null;
  private readonly paths: ReadonlySet<string>;

  constructor(
    readonly sha: string,
    paths: readonly string[],
    private readonly read: (path: string) => Promise<string | null>,
  ) {
    this.paths = new Set(paths.filter((p) => p.startsWith(`${APPS_DIR}/`) || p.startsWith(`${ARGOCD_DIR}/`)));
  }

  /** Reads the files not read yet (each once, whoever asks first). */
  private ensure(paths: readonly string[]): Promise<void> {
    const missing = paths.filter((p) => !this.reads.has(p));
    if (missing.length) {
      const batch = this.readAll(missing);
      for (const p of missing) this.reads.set(p, batch);
      // A failed read is tried again by the next caller.
      batch.catch(() => {
        for (const p of missing) if (this.reads.get(p) === batch) this.reads.delete(p);
      });
    }
    return Promise.all(paths.map((p) => this.reads.get(p))).then(() => undefined);
  }

  /** `read` is expected to limit how many reads run at once (see `limiter`). */
  private async readAll(paths: readonly string[]): Promise<void> {
    await Promise.all(
      paths.map(async (p) => {
        const content = await this.read(p);
        if (content !== null) this.files[p] = content;
      }),
    );
  }

  private under(prefix: string): string[] {
    return [...this.paths].filter((p) => p.startsWith(prefix));
  }

  /** Every Application the revision declares. */
  declared(): Promise<DeclaredApp[]> {
    this.declaredAll ??= (async () => {
      const manifests = this.under(`${ARGOCD_DIR}/`).filter((p) => /\.ya?ml$/.test(p));
      await this.ensure(manifests);
      return declaredApplications(this.pick(manifests));
    })();
    this.declaredAll.catch(() => (this.declaredAll = null));
    return this.declaredAll;
  }

  /** One Application: from argocd/<name>.yaml where the layout puts it, else from all of argocd/. */
  async find(name: string): Promise<DeclaredApp | null> {
    for (const file of [`${ARGOCD_DIR}/${name}.yaml`, `${ARGOCD_DIR}/${name}.yml`]) {
      if (!this.paths.has(file)) continue;
      await this.ensure([file]);
      const app = declaredApplications(this.pick([file])).find((a) => a.name === name);
      if (app) return app;
    }
    return (await this.declared()).find((a) => a.name === name) ?? null;
  }

  /**
   * The service's overlay for the environment, rendered from the service's own folder; when it
   * refers to files elsewhere in apps/, from all of apps/ (so the result never depends on what was read).
   */
  render(service: string, environment: string): Promise<RenderOutcome> {
    const key = `${service}/${environment}`;
    let r = this.renders.get(key);
    if (!r) {
      r = (async () => {
        await this.ensure(this.under(`${APPS_DIR}/${service}/`));
        const first = this.tryRender(service, environment);
        if (first.ok) return first;
        await this.ensure(this.under(`${APPS_DIR}/`));
        return this.tryRender(service, environment);
      })();
      this.renders.set(key, r);
      r.catch(() => this.renders.delete(key));
    }
    return r;
  }

  private tryRender(service: string, environment: string): RenderOutcome {
    try {
      return { ok: true, objects: createKustomizer(this.pick(this.under(`${APPS_DIR}/`))).render(appOverlay(service, environment)).map((o) => o.object) };
    } catch (e) {
      if (!(e instanceof KustomizeError)) throw e;
      return { ok: false, message: e.message };
    }
  }

  private pick(paths: readonly string[]): FileMap {
    const out: Record<string, string> = {};
    for (const p of paths) if (Object.hasOwn(this.files, p)) out[p] = this.files[p]!;
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
