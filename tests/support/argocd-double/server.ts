// A stateful Argo CD double for the Argo CD adapter's tests: node:http on loopback (a random
// port), implementing the Application API calls the adapter makes, with the application
// controller's behaviour behind them (a sync is queued, run, then rolled out; Rollouts pause at
// their canary steps). Strict mode: every request is routed and validated against Argo CD's
// published Swagger and every answer is validated before it is sent (spec.ts); anything off is
// recorded in `violations`, which a test asserts empty. Faults on demand: 5xx/429 answers,
// dropped connections, requests that never get an answer.
//
// Where Argo CD's documented behaviour is subtle, the double follows its server code
// (server/application/application.go, Argo CD 3.x):
// - an application that does not exist, asked for without a project, is 403 "permission denied"
//   (as for one the caller may not see); 404 only when a project is named;
// - Sync only records the request in the application's `operation` and answers at once; the
//   controller starts it later (here: at the next GET of the application, or `advance`), and
//   clears `operation` when it completes; a second sync meanwhile is refused (FailedPrecondition,
//   400 "another operation is already in progress");
// - a resource action on a resource the tree does not hold is InvalidArgument (400); an action the
//   resource kind does not have is a plain error, which grpc-gateway answers 500 (code 2, Unknown).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import {
  applicationJson,
  argoTime,
  findNode,
  hash,
  isSha,
  managedResourcesJson,
  newRecord,
  resourceTreeJson,
  syncResultResources,
  type AppRecord,
  type ApplicationSeed,
  type Json,
  type Outcome,
} from "./objects.ts";
import { argocdSpec, type ArgocdSpec, type MatchedOperation } from "./spec.ts";

export interface Fault {
  /** An HTTP status (with a runtimeError body, code 14 Unavailable or 8 ResourceExhausted), "drop" (the connection is closed without an answer) or "hang" (no answer ever). */
  answer: 500 | 502 | 503 | 504 | 429 | "drop" | "hang";
  /** How many matching requests get it (Infinity: until `clearFaults`). */
  times: number;
  /** Which requests (default: any). */
  when?: (req: { method: string; path: string }) => boolean;
}

export interface RecordedCall {
  method: string;
  /** Path and query as sent. */
  url: string;
  path: string;
  query: Record<string, string[]>;
  /** The documented operation, e.g. "ApplicationService_Sync" (null when Argo CD documents none). */
  operationId: string | null;
  /** 0 when the double dropped the connection or never answered. */
  status: number;
  authorization: string | undefined;
  injected: Fault["answer"] | null;
  body: unknown;
  /** ms since the double started, when the request arrived. */
  at: number;
}

export interface RecordedAction {
  application: string;
  action: string;
  resource: { group: string; version: string; kind: string; namespace: string; name: string };
}

export interface ArgoCdDoubleOptions {
  /** The token the double accepts (default: a random one, in `token`). */
  token?: string;
  /** The user the token belongs to (operation.initiatedBy.username). Default "paved". */
  username?: string;
  /**
   * Each GET of an application first lets the controller take one step (queued → syncing →
   * synced and rolling out → settled). Default true; false leaves every step to `advance`.
   */
  autoAdvance?: boolean;
}

/** gRPC codes and the HTTP statuses grpc-gateway v1 gives them. */
const CODES = {
  Unknown: [2, 500],
  InvalidArgument: [3, 400],
  NotFound: [5, 404],
  PermissionDenied: [7, 403],
  ResourceExhausted: [8, 429],
  FailedPrecondition: [9, 400],
  Unavailable: [14, 503],
  Unauthenticated: [16, 401],
} as const;

class ArgoError extends Error {
  constructor(
    readonly grpc: keyof typeof CODES,
    message: string,
  ) {
    super(message);
  }
  get status(): number {
    return CODES[this.grpc][1];
  }
  /** runtimeError, as grpc-gateway v1 writes it. */
  get body(): Json {
    return { error: this.message, code: CODES[this.grpc][0], message: this.message };
  }
}

const permissionDenied = () => new ArgoError("PermissionDenied", "permission denied");

interface Ctx {
  op: MatchedOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

interface Answer {
  status: number;
  body: unknown;
}

type Handler = (ctx: Ctx) => Answer;

/** Actions Argo CD's built-in Lua customisations offer, per kind. */
const ACTIONS: Record<string, string[]> = {
  "apps/Deployment": ["restart", "pause", "resume"],
  "argoproj.io/Rollout": ["restart", "resume", "promote-full", "abort", "retry", "pause", "skip-current-step"],
};

export class ArgoCdDouble {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly actions: RecordedAction[] = [];
  readonly token: string;
  /** Added to every answer, in ms. */
  latencyMs = 0;
  autoAdvance: boolean;
  url = "";

  private readonly spec: ArgocdSpec;
  private readonly username: string;
  private readonly started = Date.now();
  private readonly apps = new Map<string, AppRecord>();
  private readonly faults: Fault[] = [];
  private readonly routes: Record<string, Handler>;
  private resourceVersion = 1000;
  private server: Server | undefined;

  constructor(options: ArgoCdDoubleOptions = {}) {
    this.spec = argocdSpec();
    this.token = options.token ?? `argocd-${randomBytes(16).toString("hex")}`;
    this.username = options.username ?? "paved";
    this.autoAdvance = options.autoAdvance ?? true;
    this.routes = this.buildRoutes();
    for (const key of Object.keys(this.routes)) {
      const [method, template] = key.split(" ") as [string, string];
      if (!this.spec.documents(method, template)) throw new Error(`the double implements ${key}, which Argo CD does not document`);
    }
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.violations.push(`the double failed on ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "double failure", code: 13, message: "double failure" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no port");
    this.url = `http://127.0.0.1:${address.port}`;
    this.server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- test controls -------------------------------------------------------------------------

  /** Creates an application directly (not through the API), synced, healthy, with one history entry. */
  seedApplication(seed: ApplicationSeed): void {
    if (this.apps.has(seed.name)) throw new Error(`application ${seed.name} exists`);
    this.apps.set(seed.name, newRecord(seed, this.resourceVersion++));
  }

  /** The application's state, for assertions (do not change it: use the controls). */
  application(name: string): Readonly<AppRecord> {
    return this.record(name);
  }

  /** A commit landed at the target revision: git now holds `images` at `revision` (the app goes OutOfSync if they differ). */
  setHead(name: string, revision: string, images: string[]): void {
    const app = this.record(name);
    app.revisions.set(revision, [...images]);
    app.head = { revision, images: [...images] };
    this.touch(app);
  }

  /** Someone changed the live workload by hand (its replicas): OutOfSync, the workload modified in managed-resources. */
  setDrift(name: string, drift = true): void {
    const app = this.record(name);
    app.drift = drift;
    this.touch(app);
  }

  /** How the application's next sync ends (Failed, or a workload that turns Degraded). */
  setOutcome(name: string, outcome: Outcome): void {
    const app = this.record(name);
    app.outcome = { phase: outcome.phase ?? "Succeeded", health: outcome.health ?? "Healthy", message: outcome.message };
  }

  /** One step of the application controller (see `autoAdvance`); `outcome` first sets how the sync ends. Returns the stage reached. */
  advance(name: string, outcome?: Outcome): AppRecord["stage"] {
    const app = this.record(name);
    if (outcome) this.setOutcome(name, outcome);
    this.step(app);
    return app.stage;
  }

  /** The next `fault.times` matching requests get the fault instead of an answer. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests to `operationId` (e.g. "ApplicationService_Sync"), injected faults included. */
  callsTo(operationId: string): RecordedCall[] {
    return this.calls.filter((c) => c.operationId === operationId);
  }

  // ---- the controller ------------------------------------------------------------------------

  private record(name: string): AppRecord {
    const app = this.apps.get(name);
    if (!app) throw new Error(`no application ${name}`);
    return app;
  }

  private touch(app: AppRecord): void {
    app.resourceVersion = this.resourceVersion++;
  }

  private setHealth(app: AppRecord, status: AppRecord["health"]["status"], message?: string): void {
    if (app.health.status !== status || app.health.message !== message) app.health = { status, message, since: argoTime() };
  }

  private step(app: AppRecord): void {
    const now = argoTime();
    switch (app.stage) {
      case "idle":
        return;
      case "queued": {
        // The controller picks the operation up.
        app.operationState = { operation: app.operation, phase: "Running", message: "one or more tasks are running", startedAt: now };
        app.stage = "syncing";
        break;
      }
      case "syncing": {
        const state = app.operationState as Json;
        const sync = (app.operation as { sync: { revision: string } }).sync;
        const images = app.revisions.get(sync.revision);
        const source = { repoURL: app.source.repoURL, path: app.source.path, targetRevision: app.source.targetRevision };
        app.operation = null;
        app.reconciledAt = now;
        if (!images || app.outcome.phase !== "Succeeded") {
          const message = !images
            ? `ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = unable to resolve git revision ${sync.revision}: reference not found`
            : (app.outcome.message ?? `one or more objects failed to apply, reason: Deployment.apps "${app.workload}" is invalid: spec.template.spec.containers[0].image: Invalid value: "": must not be empty`);
          app.operationState = {
            ...state,
            phase: images ? app.outcome.phase : "Error",
            message,
            syncResult: { resources: syncResultResources(app, "SyncFailed", message), revision: sync.revision, source },
            finishedAt: now,
          };
          app.outcome = { phase: "Succeeded", health: app.outcome.health };
          app.stage = "idle";
          break;
        }
        app.operationState = {
          ...state,
          phase: "Succeeded",
          message: "successfully synced (all tasks run)",
          syncResult: { resources: syncResultResources(app, "Synced"), revision: sync.revision, source },
          finishedAt: now,
        };
        const changed = images.join("\n") !== app.synced.images.join("\n");
        app.previousImages = app.synced.images;
        app.synced = { revision: sync.revision, images: [...images] };
        app.drift = false;
        const last = app.history.at(-1) as { id: number } | undefined;
        app.history.push({ revision: sync.revision, deployedAt: now, id: (last?.id ?? -1) + 1, source, deployStartedAt: state.startedAt, initiatedBy: { username: this.username } });
        if (app.history.length > 10) app.history.splice(0, app.history.length - 10); // revisionHistoryLimit's default
        if (!changed) {
          app.stage = "idle";
          break;
        }
        app.workloadRevision++;
        app.podsSince = now;
        app.stage = "rolling";
        if (app.rollout) {
          const steps = app.rollout.steps;
          app.rollout = { steps, step: 1, weight: steps[0] ?? 100, paused: steps.length > 1, aborted: false };
          if (steps.length > 1) this.setHealth(app, "Suspended", "Rollout is paused");
          else this.setHealth(app, "Healthy");
          if (steps.length <= 1) app.stage = "idle";
        } else {
          this.setHealth(app, "Progressing", `Waiting for rollout to finish: 0 of ${app.replicas} updated replicas are available...`);
        }
        break;
      }
      case "rolling": {
        if (app.rollout) {
          // A paused canary waits for an action; one that will fail aborts.
          if (app.outcome.health === "Degraded") this.abortRollout(app);
          else return;
        } else if (app.outcome.health === "Degraded") {
          this.setHealth(app, "Degraded", app.outcome.message ?? `Deployment "${app.workload}" exceeded its progress deadline`);
        } else {
          this.setHealth(app, "Healthy");
        }
        app.outcome = { phase: "Succeeded", health: "Healthy" };
        app.stage = "idle";
        break;
      }
    }
    this.touch(app);
  }

  private abortRollout(app: AppRecord): void {
    if (!app.rollout) return;
    app.rollout = { ...app.rollout, weight: 0, paused: false, aborted: true };
    this.setHealth(app, "Degraded", `RolloutAborted: Rollout aborted update to revision ${app.workloadRevision}`);
    app.stage = "idle";
  }

  private runAction(app: AppRecord, kind: string, action: string): void {
    const r = app.rollout;
    switch (action) {
      case "restart":
        app.restarts++;
        app.podsSince = argoTime();
        break;
      case "pause":
        if (r) app.rollout = { ...r, paused: true };
        else app.paused = true;
        this.setHealth(app, "Suspended", kind === "Rollout" ? "Rollout is paused" : "Deployment is paused");
        break;
      case "resume":
        if (!r) {
          app.paused = false;
          this.setHealth(app, "Healthy");
        } else if (r.paused && !r.aborted) {
          const step = Math.min(r.step + 1, r.steps.length);
          const done = step === r.steps.length;
          app.rollout = { ...r, step, weight: r.steps[step - 1] ?? 100, paused: !done };
          if (done) this.completeRollout(app);
        }
        break;
      case "promote-full":
        if (r && !r.aborted) {
          app.rollout = { ...r, step: r.steps.length, weight: 100, paused: false };
          this.completeRollout(app);
        }
        break;
      case "skip-current-step":
        if (r && !r.aborted) {
          const step = Math.min(r.step + 1, r.steps.length);
          app.rollout = { ...r, step, weight: r.steps[step - 1] ?? 100 };
          if (step === r.steps.length) this.completeRollout(app);
        }
        break;
      case "abort":
        this.abortRollout(app);
        break;
      case "retry":
        if (r?.aborted) {
          app.rollout = { ...r, step: 1, weight: r.steps[0] ?? 100, paused: r.steps.length > 1, aborted: false };
          this.setHealth(app, "Suspended", "Rollout is paused");
          app.stage = "rolling";
        }
        break;
    }
    this.touch(app);
  }

  private completeRollout(app: AppRecord): void {
    const degraded = app.outcome.health === "Degraded";
    if (degraded) this.setHealth(app, "Degraded", app.outcome.message ?? `RolloutAborted: Rollout aborted update to revision ${app.workloadRevision}`);
    else this.setHealth(app, "Healthy");
    app.outcome = { phase: "Succeeded", health: "Healthy" };
    app.stage = "idle";
  }

  // ---- the API -------------------------------------------------------------------------------

  /** An application the caller may see; Argo CD's answer when there is none depends on whether a project was named. */
  private visible(name: string, project: string | undefined): AppRecord {
    const app = this.apps.get(name);
    if (!app) {
      if (project) throw new ArgoError("NotFound", `applications.argoproj.io "${name}" not found`);
      throw permissionDenied();
    }
    if (project && project !== app.project) throw permissionDenied();
    return app;
  }

  private buildRoutes(): Record<string, Handler> {
    const projectsOf = (query: URLSearchParams) => [...query.getAll("projects"), ...query.getAll("project")];
    return {
      "GET /api/version": () => ({ status: 200, body: { Version: "v3.6.0+double" } }),

      "GET /api/v1/applications": ({ query }) => {
        const selector = parseSelector(query.get("selector") ?? "");
        const projects = projectsOf(query);
        const name = query.get("name");
        const repo = query.get("repo");
        const items = [...this.apps.values()]
          .filter((a) => (!name || a.name === name) && (!projects.length || projects.includes(a.project)) && (!repo || a.source.repoURL === repo) && selector(a.labels))
          .sort((a, b) => a.name.localeCompare(b.name))
          .map(applicationJson);
        return { status: 200, body: { metadata: { resourceVersion: String(this.resourceVersion) }, items } };
      },

      "GET /api/v1/applications/{name}": ({ params, query }) => {
        const projects = projectsOf(query);
        if (projects.length > 1) throw new ArgoError("InvalidArgument", "multiple projects specified - the get endpoint accepts either zero or one project");
        const app = this.visible(params.name as string, projects[0]);
        if (this.autoAdvance) this.step(app);
        if (query.has("refresh")) {
          app.reconciledAt = argoTime();
          this.touch(app);
        }
        return { status: 200, body: applicationJson(app) };
      },

      "POST /api/v1/applications/{name}/sync": ({ params, body }) => {
        const request = body as { revision?: string; prune?: boolean; dryRun?: boolean; project?: string; strategy?: Json; syncOptions?: { items?: string[] } };
        const app = this.visible(params.name as string, request.project);
        if (app.operation) throw new ArgoError("FailedPrecondition", "another operation is already in progress");
        const asked = request.revision || app.source.targetRevision;
        const revision = isSha(asked) ? asked : asked === app.source.targetRevision || asked === "HEAD" ? app.head.revision : null;
        if (!revision) throw new ArgoError("Unknown", `error resolving repo revision: rpc error: code = Unknown desc = unable to resolve '${asked}' to a commit SHA`);
        const sync: Json = { revision };
        if (request.prune) sync.prune = true;
        if (request.dryRun) sync.dryRun = true;
        if (request.syncOptions?.items?.length) sync.syncOptions = request.syncOptions.items;
        if (request.strategy) sync.syncStrategy = request.strategy;
        sync.source = { repoURL: app.source.repoURL, path: app.source.path, targetRevision: app.source.targetRevision };
        app.operation = { sync, initiatedBy: { username: this.username }, retry: {} };
        app.stage = "queued";
        this.touch(app);
        return { status: 200, body: applicationJson(app) };
      },

      "GET /api/v1/applications/{applicationName}/resource-tree": ({ params, query }) => {
        const app = this.visible(params.applicationName as string, query.get("project") ?? undefined);
        return { status: 200, body: resourceTreeJson(app) };
      },

      "GET /api/v1/applications/{applicationName}/managed-resources": ({ params, query }) => {
        const app = this.visible(params.applicationName as string, query.get("project") ?? undefined);
        return { status: 200, body: managedResourcesJson(app) };
      },

      "POST /api/v1/applications/{name}/resource/actions/v2": ({ params, body }) => {
        const request = body as { namespace?: string; resourceName?: string; version?: string; group?: string; kind?: string; action?: string; project?: string };
        const app = this.visible(params.name as string, request.project);
        const ref = { group: request.group ?? "", kind: request.kind ?? "", namespace: request.namespace ?? "", name: request.resourceName ?? "" };
        const found = findNode(app, ref);
        if (!found) throw new ArgoError("InvalidArgument", `${ref.kind} ${ref.group} ${ref.name} not found as part of application ${app.name}`);
        const key = `${ref.group}/${ref.kind}`;
        const action = request.action ?? "";
        if (!ACTIONS[key]?.includes(action)) {
          throw new ArgoError("Unknown", `error getting Lua resource action: built-in script "${key}/actions/${action}/action.lua" does not exist`);
        }
        this.actions.push({ application: app.name, action, resource: { ...ref, version: request.version ?? "" } });
        this.runAction(app, ref.kind, action);
        return { status: 200, body: {} };
      },
    };
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now() - this.started;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", this.url);
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const record: RecordedCall = {
      method,
      url: `${url.pathname}${url.search}`,
      path: url.pathname,
      query,
      operationId: null,
      status: 0,
      authorization: req.headers.authorization,
      injected: null,
      body: undefined,
      at,
    };
    this.calls.push(record);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const send = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };

    const op = this.spec.match(method, url.pathname);
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: Argo CD documents no such operation`);
      // What grpc-gateway answers for a path it does not route.
      return send(404, { error: "Not Found", code: 5, message: "Not Found" });
    }
    record.operationId = op.operationId;
    if (this.spec.deprecated(op)) this.violations.push(`${method} ${op.path} (${op.operationId}): Argo CD documents it as deprecated`);

    let body: unknown;
    const hasBody = raw.trim() !== "";
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${method} ${url.pathname}: the body is not JSON`);
        return this.answer(op, new ArgoError("InvalidArgument", "invalid character in request body").body, 400, send);
      }
    }
    record.body = body;
    const problems = this.spec.validateRequest(op, url.searchParams, body, hasBody, req.headers["content-type"]);
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      const refused = new ArgoError("InvalidArgument", `the double refused a request Argo CD's Swagger does not allow: ${problems.join("; ")}`);
      return this.answer(op, refused.body, refused.status, send);
    }

    const fault = this.faults.find((f) => f.times > 0 && (!f.when || f.when({ method, path: url.pathname })));
    if (fault) {
      fault.times--;
      record.injected = fault.answer;
      if (fault.answer === "drop") {
        req.socket.destroy();
        return;
      }
      if (fault.answer === "hang") return; // Until the client gives up or the double closes.
      const error = fault.answer === 429 ? new ArgoError("ResourceExhausted", "too many requests") : new ArgoError("Unavailable", "connection error: desc = \"transport: Error while dialing: dial tcp 10.96.0.12:8081: connect: connection refused\"");
      return this.answer(op, error.body, fault.answer, send);
    }

    const auth = req.headers.authorization;
    if (auth !== `Bearer ${this.token}` && op.operationId !== "VersionService_Version") {
      const error = new ArgoError("Unauthenticated", auth ? "invalid session: token signature is invalid" : "no session information");
      return this.answer(op, error.body, error.status, send);
    }

    const handler = this.routes[`${method} ${op.path}`];
    if (!handler) {
      this.violations.push(`${method} ${op.path} (${op.operationId}) is documented but the double does not implement it`);
      return send(501, { error: "Not implemented by the double", code: 12, message: "Not implemented by the double" });
    }
    let answer: Answer;
    try {
      answer = handler({ op, params: op.pathParams, query: url.searchParams, body: body ?? {} });
    } catch (e) {
      if (!(e instanceof ArgoError)) throw e;
      answer = { status: e.status, body: e.body };
    }
    return this.answer(op, answer.body, answer.status, send);
  }

  private answer(op: MatchedOperation, body: unknown, status: number, send: (status: number, body: unknown) => void): void {
    const problems = this.spec.validateResponse(op, status, body, body !== undefined);
    this.violations.push(...problems.map((p) => `the double's answer: ${p}`));
    send(status, body);
  }
}

/**
 * A Kubernetes label selector ("a=b,c!=d,e in (f,g),!h") as a predicate. Argo CD parses it with
 * labels.Parse and answers a plain error (500, code 2) when it cannot.
 */
export function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const parts = selector.split(/,(?![^(]*\))/).map((s) => s.trim()).filter(Boolean);
  const tests = parts.map((part) => {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(",").map((v) => v.trim());
      return (l: Record<string, string>) => (op === "in" ? key in l && values.includes(l[key] as string) : !(key in l) || !values.includes(l[key] as string));
    }
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w./-]*)$/.exec(part))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return (l: Record<string, string>) => (op === "!=" ? l[key] !== value : l[key] === value);
    }
    if ((m = /^(!?)([\w./-]+)$/.exec(part))) {
      const [, not, key] = m as unknown as [string, string, string];
      return (l: Record<string, string>) => (not ? !(key in l) : key in l);
    }
    throw new ArgoError("Unknown", `error parsing the selector: unable to parse requirement: found '${part}', expected: identifier`);
  });
  return (labels) => tests.every((t) => t(labels));
}

export async function startArgoCdDouble(options: ArgoCdDoubleOptions = {}): Promise<ArgoCdDouble> {
  return new ArgoCdDouble(options).start();
}

/** A made-up commit sha for tests (deterministic per seed words). */
export function commitSha(...words: string[]): string {
  return hash("commit", ...words);
}

