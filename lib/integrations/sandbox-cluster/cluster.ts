// The sandbox cluster: the GitOps engine of sandbox mode. It behaves as Argo CD + Argo Rollouts
// would against the local GitOps repository (demo/gitops behind the GitHost port), without any
// Kubernetes: applications are the repository's argocd/ Applications (read on the cluster's
// branch, each following its own targetRevision, so branch-per-environment repositories work as
// they do with Argo CD), their state is one row each in sandbox_applications, and everything that
// happens over time is computed by the pure functions of model.ts from that row and the clock.
// This class only reads git, loads and saves rows, and keeps renders per revision.
//
// Concurrency: the web server and any number of workers share the rows. Every change locks its
// row (SELECT … FOR UPDATE) in a transaction, re-reads it, and applies the event to what it
// read, so two syncs (or a sync and an action) are applied one after the other, never
// interleaved. What an event needs from git is read before the transaction (on PGlite an open
// transaction blocks every other connection), and checked to still apply once the row is locked.
import { z } from "zod";
import { Prisma, type Db } from "../../core/db/client.ts";
import type { SandboxApplication } from "../../core/db/generated/client.ts";
import type { GitHost, RepoRef } from "../../core/ports/git-host.ts";
import { GitHostError } from "../../core/ports/git-host.ts";
import {
  EngineRequestError,
  EngineUnavailableError,
  applicationName,
  type EngineApplication,
  type GitOpsEngine,
  type ResourceDiff,
  type ResourceNode,
  type ResourceRef,
  type SyncOptions,
} from "../../core/ports/gitops-engine.ts";
import { IMAGE_TAG, gitOpsRepositoryOf, readEntries } from "../../gitops/repository.ts";
import { contextFor, describeApplication, liveOf, parseSelector, type AppSnapshot, type DeclaredApp } from "./application.ts";
import { canonicalJson, diffResources, mainWorkload, workloadSummary, type RenderOutcome } from "./manifests.ts";
import {
  BAD_VERSION_MODES,
  STRATEGIES,
  applyAction,
  applySync,
  errorRateAt,
  iso,
  mergeDrift,
  speedFromEnv,
  timingsFor,
  workloadKindOf,
  type AppState,
  type BadVersionMode,
  type ClusterContext,
  type DriftPatch,
  type HistoryEntry,
  type Strategy,
  type Timings,
} from "./model.ts";
import { RepoSnapshot, limiter } from "./snapshot.ts";
import { resourceTreeOf } from "./tree.ts";

export interface SandboxClusterOptions {
  db: Db;
  host: GitHost;
  /** The clock, in epoch milliseconds (tests pass a fake one). */
  now?: () => number;
  /** Multiplies every duration (default: PAVED_SANDBOX_SPEED, else 1; 0.1 is ten times faster). */
  speed?: number;
  /** The GitOps repository (default: the host's, demo/gitops in the sandbox). */
  repo?: RepoRef;
  /** The branch Applications follow. */
  branch?: string;
}

export interface BadVersion {
  service: string;
  version: string;
  mode: BadVersionMode;
  createdAt: string;
}

interface ServiceSettings {
  strategy: Strategy;
  trafficSteps: number[];
  healthCheckPath: string;
}

/** Revisions kept with what was read and rendered of them (the head, and those applications are synced at). */
const SNAPSHOTS_KEPT = 64;
/** Batch reads (one git process each) one cluster runs at once (the machine may have 2 cores). */
const GIT_READS_AT_ONCE = 4;
/** Attempts at an event whose git inputs changed under it (another sync landed in between). */
const EVENT_ATTEMPTS = 25;

const HistorySchema = z.array(
  z.object({
    id: z.number().int(),
    revision: z.string(),
    image: z.string().nullable().default(null),
    deployedAt: z.string(),
    deployStartedAt: z.string().nullable().default(null),
  }),
);

const Labels = z.record(z.string().regex(/^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$/), z.string().max(63));

export const DriftPatchSchema = z
  .object({
    replicas: z.number().int().min(0).max(100).optional(),
    labels: Labels.optional(),
    annotations: z.record(z.string().min(1).max(253), z.string()).optional(),
  })
  .strict();

export class SandboxCluster implements GitOpsEngine {
  readonly kind = "sandbox" as const;
  readonly timings: Timings;
  readonly speed: number;
  private readonly db: Db;
  private readonly host: GitHost;
  private readonly clock: () => number;
  private readonly repo: RepoRef;
  private readonly branch: string;
  private readonly snapshots = new Map<string, Promise<RepoSnapshot>>();
  /** The last revision loaded: the next one is worked out from it. */
  private lastSnapshot: RepoSnapshot | null = null;
  private readonly gitReads = limiter(GIT_READS_AT_ONCE);

  constructor(options: SandboxClusterOptions) {
    this.db = options.db;
    this.host = options.host;
    this.clock = options.now ?? Date.now;
    this.speed = options.speed ?? speedFromEnv(process.env.PAVED_SANDBOX_SPEED);
    this.timings = timingsFor(this.speed);
    this.repo = options.repo ?? gitOpsRepositoryOf(options.host);
    this.branch = options.branch ?? "main";
  }

  // -------------------------------------------------------------------------------------------
  // The port

  async listApplications(filter: { selector?: string; projects?: string[] } = {}): Promise<EngineApplication[]> {
    const matches = filter.selector ? parseSelector(filter.selector) : () => true;
    const head = await this.head();
    if (!head) return [];
    const declared = (await head.declared()).filter((a) => matches(a.labels) && (!filter.projects?.length || filter.projects.includes(a.project)));
    const { apps, base } = await this.load(head, declared);
    return apps.map((a) => describeApplication(a, base(a)));
  }

  async getApplication(name: string): Promise<EngineApplication | null> {
    const head = await this.head();
    const declared = head ? await head.find(name) : null;
    if (!head || !declared) return null;
    const { apps, base } = await this.load(head, [declared]);
    return describeApplication(apps[0]!, base(apps[0]!));
  }

  async sync(name: string, options: SyncOptions = {}): Promise<EngineApplication> {
    const { head, declared } = await this.requireApp(name);
    const revision = await this.resolveRevision(options.revision, head, declared);
    const target = await (await this.snapshotOrRefuse(revision, head)).render(declared.service, declared.environment);
    if (!target.ok) throw new EngineRequestError(`Cannot sync ${name} to ${revision.slice(0, 12)}: ${target.message}`, 400);
    const summary = workloadSummary(target.objects, declared.service);
    const settings = (await this.serviceSettings([declared.service])).get(declared.service) ?? defaultSettings();
    await this.mutate(head, declared, (state, ctx, synced) =>
      applySync(
        state,
        {
          revision,
          image: summary.image,
          podTemplate: summary.podTemplate,
          currentPodTemplate: synced.ok ? workloadSummary(synced.objects, declared.service).podTemplate : null,
          strategy: settings.strategy,
          trafficSteps: settings.trafficSteps,
        },
        ctx,
      ),
    );
    return (await this.getApplication(name))!;
  }

  async resourceTree(name: string): Promise<ResourceNode[]> {
    const { head, declared } = await this.requireApp(name);
    const { apps, base } = await this.load(head, [declared]);
    const app = apps[0]!;
    const live = liveOf(app);
    if (!live) return [];
    return resourceTreeOf(app.state, live, contextFor(base(app), live, declared.service), declared.namespace);
  }

  async managedResources(name: string): Promise<ResourceDiff[]> {
    const { head, declared } = await this.requireApp(name);
    const { apps } = await this.load(head, [declared]);
    const app = apps[0]!;
    return diffResources(app.target.ok ? app.target.objects : null, liveOf(app) ?? [], declared.namespace);
  }

  async runResourceAction(name: string, resource: ResourceRef, action: string): Promise<void> {
    const { head, declared } = await this.requireApp(name);
    await this.mutate(head, declared, (state, ctx, synced) => {
      const workload = synced.ok ? mainWorkload(synced.objects, state.service) : null;
      const kind = workloadKindOf(state.strategy);
      const group = kind === "Rollout" ? "argoproj.io" : "apps";
      const namespace = workload?.metadata.namespace ?? declared.namespace ?? "";
      const matches = workload && resource.kind === kind && resource.name === workload.metadata.name && (resource.group === group || resource.group === "") && (resource.namespace === namespace || resource.namespace === "");
      if (!matches) {
        const what = `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ""}${resource.name}`;
        const workloadName = workload ? `${kind} ${namespace}/${workload.metadata.name}` : "no workload";
        throw new EngineRequestError(`${name} has no action "${action}" on ${what} (its workload is ${workloadName}).`, 400);
      }
      return applyAction(state, action, ctx);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Beyond the port: what the demo and tests drive

  /** Fraction (0–1) of the service's requests that fail in the environment now. */
  async errorRate(service: string, environment: string): Promise<number> {
    const { head, declared } = await this.requireApp(applicationName(service, environment));
    const { apps, base } = await this.load(head, [declared]);
    const app = apps[0]!;
    return errorRateAt(app.state, contextFor(base(app), liveOf(app), service));
  }

  /**
   * What every application serves now, for the sandbox's simulated metrics (lib/metrics): the
   * image of its workload, its live replicas, its error rate (errorRate(), for all at once) and
   * when its pods were last restarted (epoch ms).
   */
  async trafficStates(): Promise<{ name: string; service: string; environment: string; image: string | null; replicas: number; errorRate: number; restartedAt: number | null }[]> {
    const head = await this.head();
    if (!head) return [];
    const { apps, base } = await this.load(head, await head.declared());
    return apps.map((app) => {
      const ctx = contextFor(base(app), liveOf(app), app.state.service);
      return { name: app.state.name, service: app.state.service, environment: app.state.environment, image: app.state.image, replicas: ctx.replicas, errorRate: errorRateAt(app.state, ctx), restartedAt: app.state.restartedAt };
    });
  }

  /** Marks a version (image tag) of a service bad: "unhealthy" (never ready) or "errors" (a quarter of its requests fail). */
  async markBadVersion(service: string, version: string, mode: BadVersionMode = "unhealthy"): Promise<void> {
    if (!BAD_VERSION_MODES.includes(mode)) throw new EngineRequestError(`"${mode}" is not a bad-version mode (${BAD_VERSION_MODES.join(", ")}).`, 400);
    if (!IMAGE_TAG.test(version)) throw new EngineRequestError(`"${version}" is not an image tag.`, 400);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(service)) throw new EngineRequestError(`"${service}" is not a service name.`, 400);
    await this.db.sandboxBadVersion.upsert({ where: { service_version: { service, version } }, create: { service, version, mode }, update: { mode } });
  }

  /** Makes a version good again; false when it was not marked. */
  async clearBadVersion(service: string, version: string): Promise<boolean> {
    const { count } = await this.db.sandboxBadVersion.deleteMany({ where: { service, version } });
    return count > 0;
  }

  async listBadVersions(service?: string): Promise<BadVersion[]> {
    const rows = await this.db.sandboxBadVersion.findMany({ where: service ? { service } : {}, orderBy: [{ service: "asc" }, { version: "asc" }] });
    return rows.map((r) => ({ service: r.service, version: r.version, mode: toMode(r.mode), createdAt: r.createdAt.toISOString() }));
  }

  /**
   * Changes the live workload outside git, as `kubectl scale` / `label` / `annotate` would
   * (`{ replicas: 5 }`): the application goes OutOfSync and managedResources shows the
   * difference, until the next sync puts git's state back.
   */
  async simulateDrift(name: string, patch: DriftPatch): Promise<void> {
    const parsed = DriftPatchSchema.safeParse(patch);
    if (!parsed.success) throw new EngineRequestError(`Not a drift patch: ${parsed.error.issues.map((i) => `${i.path.join(".") || "patch"}: ${i.message}`).join("; ")}`, 400);
    const { head, declared } = await this.requireApp(name);
    await this.mutate(head, declared, (state, _ctx, synced) => {
      if (!synced.ok || !mainWorkload(synced.objects, state.service)) throw new EngineRequestError(`${name} has no workload to change.`, 400);
      return { ...state, drift: mergeDrift(state.drift, parsed.data) };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Git

  /** The repository at the head of its branch (null when there is no repository or branch). */
  private async head(): Promise<RepoSnapshot | null> {
    const sha = await this.git(() => this.host.getBranch(this.repo, this.branch));
    return sha ? this.snapshot(sha) : null;
  }

  private snapshot(sha: string): Promise<RepoSnapshot> {
    const cached = this.snapshots.get(sha);
    if (cached) {
      this.snapshots.delete(sha);
      this.snapshots.set(sha, cached);
      return cached;
    }
    const loading = this.loadSnapshot(sha);
    this.snapshots.set(sha, loading);
    loading.catch(() => this.snapshots.delete(sha));
    while (this.snapshots.size > SNAPSHOTS_KEPT) this.snapshots.delete(this.snapshots.keys().next().value!);
    return loading;
  }

  private async loadSnapshot(sha: string): Promise<RepoSnapshot> {
    const entries = await this.git(() => this.host.listFilesWithIds(this.repo, sha));
    // Batches of files, by blob id: the blob cache has those no commit changed.
    const snapshot = new RepoSnapshot(sha, entries, { many: (wanted) => this.gitReads(() => this.git(() => readEntries(this.host, this.repo, wanted))) }, this.lastSnapshot ?? undefined);
    this.lastSnapshot = snapshot;
    return snapshot;
  }

  private async snapshotOrRefuse(revision: string, head: RepoSnapshot): Promise<RepoSnapshot> {
    if (revision === head.sha) return head;
    try {
      return await this.snapshot(revision);
    } catch (e) {
      if (e instanceof NotInRepository) throw new EngineRequestError(`Revision ${revision} is not in ${this.repo.owner}/${this.repo.name}.`, 400);
      throw e;
    }
  }

  /**
   * What each Application follows, as Argo CD reads its targetRevision: HEAD or the cluster's
   * branch is the head already read; another branch is read at its own head (branch-per-environment
   * repositories: the dev, staging and production Applications follow their branches); a full sha
   * is that commit. Each distinct branch is read once per resolver.
   */
  private targetResolver(head: RepoSnapshot): (d: DeclaredApp) => Promise<RepoSnapshot | { missing: string }> {
    const byRevision = new Map<string, Promise<RepoSnapshot | { missing: string }>>();
    return (d) => {
      const rev = d.targetRevision;
      if (!rev || rev === "HEAD" || rev === this.branch) return Promise.resolve(head);
      let found = byRevision.get(rev);
      if (!found) {
        const missing = { missing: `its targetRevision "${rev}" is not a branch or commit of ${this.repo.owner}/${this.repo.name}` };
        found = (async () => {
          try {
            if (/^[0-9a-f]{40}$/.test(rev)) return await this.snapshot(rev);
            const sha = await this.git(() => this.host.getBranch(this.repo, rev));
            return sha ? await this.snapshot(sha) : missing;
          } catch (e) {
            if (e instanceof NotInRepository || e instanceof EngineRequestError) return missing;
            throw e;
          }
        })();
        byRevision.set(rev, found);
      }
      return found;
    };
  }

  /** An Application's target: the commit it follows and its overlay rendered there. */
  private async targetOf(resolve: (d: DeclaredApp) => Promise<RepoSnapshot | { missing: string }>, d: DeclaredApp): Promise<{ sha: string | null; render: RenderOutcome }> {
    const target = await resolve(d);
    if ("missing" in target) return { sha: null, render: { ok: false, message: `${d.name}: ${target.missing}.` } };
    return { sha: target.sha, render: await target.render(d.service, d.environment) };
  }

  /** A full commit sha, or a branch name resolved to one (none: what the Application follows). */
  private async resolveRevision(revision: string | undefined, head: RepoSnapshot, declared: DeclaredApp): Promise<string> {
    if (revision === undefined || revision === "" || revision === "HEAD") {
      const target = await this.targetResolver(head)(declared);
      if ("missing" in target) throw new EngineRequestError(`Cannot sync ${declared.name}: ${target.missing}.`, 400);
      return target.sha;
    }
    if (revision === this.branch) return head.sha;
    if (/^[0-9a-f]{40}$/.test(revision)) return revision;
    const sha = await this.git(() => this.host.getBranch(this.repo, revision)).catch(() => null);
    if (!sha) throw new EngineRequestError(`Unable to resolve "${revision}" to a commit of ${this.repo.owner}/${this.repo.name} (give a full commit sha or a branch).`, 400);
    return sha;
  }

  /** GitHost failures as the port's errors (a missing revision as NotInRepository, which callers refine). */
  private async git<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof GitHostError) {
        if (e.kind === "not_found") throw new NotInRepository(e);
        if (e.kind === "invalid") throw new EngineRequestError(e.message, 400);
        throw new EngineUnavailableError(`The sandbox cluster cannot read the GitOps repository: ${e.message}`, null, { cause: e });
      }
      throw e;
    }
  }

  private async requireApp(name: string): Promise<{ head: RepoSnapshot; declared: DeclaredApp }> {
    const head = await this.head();
    const declared = head ? await head.find(name) : null;
    if (!head || !declared) throw new EngineRequestError(`Application ${name} not found.`, 404);
    return { head, declared };
  }

  // -------------------------------------------------------------------------------------------
  // Rows

  /** The applications' rows (created on first read), their renders and their view contexts. */
  private async load(head: RepoSnapshot, declared: DeclaredApp[]): Promise<{ apps: AppSnapshot[]; base: (app: AppSnapshot) => Omit<ClusterContext, "replicas"> }> {
    if (declared.length === 0) return { apps: [], base: () => this.baseContext(new Map(), undefined) };
    const services = [...new Set(declared.map((a) => a.service))];
    const settingsRead = this.serviceSettings(services);
    const resolve = this.targetResolver(head);
    const [settings, bad, states] = await Promise.all([settingsRead, this.badVersions(services), this.statesOf(head, declared, settingsRead, resolve)]);
    const apps = await Promise.all(
      declared.map(async (d): Promise<AppSnapshot> => {
        const state = states.get(d.name)!;
        const [target, synced] = await Promise.all([this.targetOf(resolve, d), this.renderAt(state.revision, d, head)]);
        return { declared: d, state, target: target.render, synced };
      }),
    );
    const now = this.clock();
    return { apps, base: (app) => ({ ...this.baseContext(bad.get(app.state.service) ?? new Map(), settings.get(app.state.service)), now }) };
  }

  private baseContext(badVersions: ReadonlyMap<string, BadVersionMode>, settings: ServiceSettings | undefined): Omit<ClusterContext, "replicas"> {
    return { now: this.clock(), timings: this.timings, badVersions, healthCheckPath: settings?.healthCheckPath ?? "/health" };
  }

  private async renderAt(revision: string | null, d: DeclaredApp, head: RepoSnapshot): Promise<RenderOutcome> {
    if (revision === null) return { ok: false, message: `${d.name} has never been synced.` };
    try {
      const snap = revision === head.sha ? head : await this.snapshot(revision);
      return await snap.render(d.service, d.environment);
    } catch (e) {
      if (e instanceof NotInRepository) return { ok: false, message: `Revision ${revision} is no longer in the repository.` };
      throw e;
    }
  }

  private async statesOf(
    head: RepoSnapshot,
    declared: DeclaredApp[],
    settingsRead: Map<string, ServiceSettings> | Promise<Map<string, ServiceSettings>>,
    resolve = this.targetResolver(head),
  ): Promise<Map<string, AppState>> {
    const names = declared.map((d) => d.name);
    // Many names (a listing of every application): every row, rather than a list of thousands of parameters.
    const wanted = new Set(names);
    let rows = names.length > 100 ? (await this.db.sandboxApplication.findMany()).filter((r) => wanted.has(r.name)) : await this.db.sandboxApplication.findMany({ where: { name: { in: names } } });
    const found = new Set(rows.map((r) => r.name));
    const missing = declared.filter((d) => !found.has(d.name));
    if (missing.length) {
      // First read: running what its target pins, Healthy, one history entry. Another process may
      // create the same rows at the same moment: the first insert wins, both read it back.
      const now = this.clock();
      const settings = await settingsRead;
      const data = await Promise.all(
        missing.map(async (d) => {
          const target = await this.targetOf(resolve, d);
          return initialRow(d, target.sha ?? head.sha, target.render, settings.get(d.service) ?? defaultSettings(), now, this.timings);
        }),
      );
      await this.db.sandboxApplication.createMany({ data, skipDuplicates: true });
      rows = [...rows, ...(await this.db.sandboxApplication.findMany({ where: { name: { in: missing.map((d) => d.name) } } }))];
    }
    return new Map(rows.map((r) => [r.name, stateOf(r)]));
  }

  /**
   * Applies an event to an application's row: reads the row and the render of its synced
   * revision, then locks the row, checks that revision and drift are still those, and writes
   * `event(state)`. Retried when another change landed in between.
   */
  private async mutate(head: RepoSnapshot, declared: DeclaredApp, event: (state: AppState, ctx: ClusterContext, synced: RenderOutcome) => AppState): Promise<AppState> {
    const name = declared.name;
    const settings = await this.serviceSettings([declared.service]);
    await this.statesOf(head, [declared], settings);
    const bad = (await this.badVersions([declared.service])).get(declared.service) ?? new Map<string, BadVersionMode>();
    for (let attempt = 0; attempt < EVENT_ATTEMPTS; attempt++) {
      const before = await this.db.sandboxApplication.findUnique({ where: { name } });
      if (!before) throw new EngineRequestError(`Application ${name} not found.`, 404);
      const synced = await this.renderAt(before.revision, declared, head);
      const result = await this.db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT "name" FROM "sandbox_applications" WHERE "name" = ${name} FOR UPDATE`;
          const row = await tx.sandboxApplication.findUnique({ where: { name } });
          if (!row) throw new EngineRequestError(`Application ${name} not found.`, 404);
          if (row.revision !== before.revision || canonicalJson(row.drift) !== canonicalJson(before.drift)) return null;
          const state = stateOf(row);
          const live = synced.ok ? liveOf({ declared, state, target: synced, synced }) : null;
          const ctx = contextFor({ ...this.baseContext(bad, settings.get(declared.service)), now: this.clock() }, live, declared.service);
          const next = event(state, ctx, synced);
          await tx.sandboxApplication.update({ where: { name }, data: rowData(next) });
          return next;
        },
        { timeout: 15_000, maxWait: 10_000 },
      );
      if (result) return result;
      // Someone else's change landed in between: back off a little (jittered) before reading again.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
    throw new EngineUnavailableError(`${name} kept changing while Paved tried to change it; try again.`, 409);
  }

  private async serviceSettings(services: string[]): Promise<Map<string, ServiceSettings>> {
    const rows = await this.db.service.findMany({ where: { name: { in: services } }, select: { name: true, strategy: true, trafficSteps: true, healthCheckPath: true } });
    return new Map(rows.map((r) => [r.name, { strategy: toStrategy(r.strategy), trafficSteps: r.trafficSteps, healthCheckPath: r.healthCheckPath }]));
  }

  private async badVersions(services: string[]): Promise<Map<string, Map<string, BadVersionMode>>> {
    const rows = await this.db.sandboxBadVersion.findMany({ where: { service: { in: services } } });
    const out = new Map<string, Map<string, BadVersionMode>>();
    for (const r of rows) {
      const m = out.get(r.service) ?? new Map<string, BadVersionMode>();
      m.set(r.version, toMode(r.mode));
      out.set(r.service, m);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** A revision (or the repository) git does not have. Unavailable if nothing more specific is said: a branch may have moved under a read. */
class NotInRepository extends EngineUnavailableError {
  constructor(cause: GitHostError) {
    super(cause.message, 404, { cause });
    this.name = "NotInRepository";
  }
}

function defaultSettings(): ServiceSettings {
  return { strategy: "rolling", trafficSteps: [], healthCheckPath: "/health" };
}

function toStrategy(s: string): Strategy {
  return (STRATEGIES as readonly string[]).includes(s) ? (s as Strategy) : "rolling";
}

function toMode(s: string): BadVersionMode {
  return s === "errors" ? "errors" : "unhealthy";
}

const ms = (d: Date | null) => (d ? d.getTime() : null);
const date = (n: number | null) => (n === null ? null : new Date(n));

export function stateOf(row: SandboxApplication): AppState {
  const history = HistorySchema.safeParse(row.history);
  const drift = row.drift === null ? null : DriftPatchSchema.safeParse(row.drift);
  return {
    name: row.name,
    service: row.service,
    environment: row.environment,
    revision: row.revision,
    image: row.image,
    previousImage: row.previousImage,
    strategy: toStrategy(row.strategy),
    trafficSteps: row.trafficSteps,
    syncStartedAt: ms(row.syncStartedAt),
    stepStartedAt: ms(row.stepStartedAt),
    pausedStep: row.pausedStep,
    aborted: row.aborted,
    drift: drift?.success ? drift.data : null,
    history: history.success ? history.data : [],
    restartedAt: ms(row.restartedAt),
  };
}

function rowData(s: AppState) {
  return {
    revision: s.revision,
    image: s.image,
    previousImage: s.previousImage,
    strategy: s.strategy,
    trafficSteps: s.trafficSteps,
    syncStartedAt: date(s.syncStartedAt),
    stepStartedAt: date(s.stepStartedAt),
    pausedStep: s.pausedStep,
    aborted: s.aborted,
    drift: s.drift === null ? Prisma.DbNull : (s.drift as Prisma.InputJsonValue),
    history: s.history as unknown as Prisma.InputJsonValue,
    restartedAt: date(s.restartedAt),
  } satisfies Prisma.SandboxApplicationUpdateInput;
}

function initialRow(d: DeclaredApp, sha: string, target: RenderOutcome, settings: ServiceSettings, now: number, timings: Timings): Prisma.SandboxApplicationCreateManyInput {
  const image = target.ok ? workloadSummary(target.objects, d.service).image : null;
  const started = now - timings.applyMs;
  const history: HistoryEntry[] = [{ id: 0, revision: sha, image, deployedAt: iso(now), deployStartedAt: iso(started) }];
  return {
    name: d.name,
    service: d.service,
    environment: d.environment,
    revision: sha,
    image,
    previousImage: null,
    strategy: settings.strategy,
    trafficSteps: settings.trafficSteps,
    syncStartedAt: new Date(started),
    history: history as unknown as Prisma.InputJsonValue,
  };
}
