// A stateful GitHub double for the GitHub adapter's tests: node:http on loopback, implementing
// the REST endpoints the adapter uses, each repository a REAL bare git repository (blobs, trees,
// commits and refs are git objects made with git plumbing). Every request is routed and
// validated against GitHub's OpenAPI description and every answer is validated before it is sent
// (spec.ts); anything off is recorded in `violations`, which a test asserts empty. It can also
// misbehave on purpose: 5xx answers, secondary and primary rate limits, added latency.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, gitText, ZERO_SHA } from "../../../lib/integrations/localgit/git.ts";
import { githubSpec, type GithubSpec, type MatchedOperation } from "./spec.ts";
import {
  githubTime,
  nodeId,
  pick,
  privateUser,
  pullFields,
  repositoryFields,
  type Account,
  type Json,
  type PullState,
  type RepoState,
  type Urls,
} from "./objects.ts";

const DOCS = "https://docs.github.com/rest";

export interface Fault {
  /** 500/502/503: a server error. 403/429 with `rateLimit`: a rate limit. */
  status: 500 | 502 | 503 | 403 | 429;
  /** How many matching requests get this answer. */
  times: number;
  /** secondary: `retry-after` seconds; primary: `x-ratelimit-remaining: 0` and a reset `resetIn` seconds away. */
  rateLimit?: { kind: "secondary"; retryAfter: number } | { kind: "primary"; resetIn: number };
  /** Which requests (default: any). */
  when?: (req: { method: string; path: string }) => boolean;
}

export interface RecordedCall {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The documented operation, e.g. "git/create-ref" (null when GitHub documents none). */
  operationId: string | null;
  status: number;
  /** ms since the double started, when the request arrived */
  at: number;
  /** How long the double took to answer, in ms */
  ms: number;
  /** Whether the answer was an injected fault */
  injected: boolean;
  body: unknown;
}

interface PullRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  state: "open" | "closed";
  merged: boolean;
  author: Account;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  /** Frozen when the pull request closes (its branch may be deleted afterwards). */
  frozen: { headSha: string; baseSha: string; mergeBase: string | null } | null;
}

/** A workflow run: queued, then in progress, then completed with the conclusion set for its workflow, one step per read. */
interface RunRecord {
  id: number;
  runNumber: number;
  workflowId: number;
  workflow: string;
  ref: string;
  headSha: string;
  createdAt: string;
  updatedAt: string;
  /** Reads before it completes, and how many are left. */
  reads: number;
  readsLeft: number;
  conclusion: string;
  status: "queued" | "in_progress" | "completed";
}

/** How the double plays out the runs of a workflow (default: success on the third read). */
export interface WorkflowOutcome {
  conclusion: "success" | "failure" | "cancelled" | "timed_out";
  /** Reads of the run before it completes (queued, in progress…). */
  reads?: number;
}

interface RepoRecord {
  state: RepoState;
  dir: string;
  pulls: PullRecord[];
  runs: RunRecord[];
  /** No branch yet (kept up to date by every ref change, so that reads need no git process for it). */
  empty: boolean;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json | null,
  ) {
    super(`${status}`);
  }
}

const notFound = () => new HttpError(404, { message: "Not Found", documentation_url: DOCS, status: "404" });
const validation = (message: string, errors?: Json[]) => new HttpError(422, { message, documentation_url: DOCS, ...(errors ? { errors } : {}) });

interface Ctx {
  op: MatchedOperation;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
  url: URL;
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: Ctx) => Promise<Answer>;

export interface GithubDoubleOptions {
  /** The token the double accepts (default: a random one, in `token`). */
  token?: string;
  /** The token's user (GET /user). Default "paved-bot". */
  login?: string;
  /** Organisations that exist. Default ["demo"]. */
  orgs?: string[];
}

export class GithubDouble {
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  /** Added to every answer, in ms. */
  latencyMs = 0;
  /** Recursive tree answers longer than this are truncated (as GitHub does at 100,000 entries). */
  treeEntryLimit = 100_000;
  /** Files larger than this come from the contents API without content (encoding "none"), as GitHub's of 1–100 MB do. */
  contentSizeLimit = 1024 * 1024;
  /** The largest page GitHub gives (100); lower it to make a test page through a short list. */
  maxPerPage = 100;
  readonly token: string;
  url = "";

  private readonly spec: GithubSpec;
  private readonly started = Date.now();
  private readonly faults: Fault[] = [];
  private readonly accounts = new Map<string, Account>();
  private readonly repos = new Map<string, RepoRecord>();
  private readonly readOnly = new Set<string>();
  private readonly noCreate = new Set<string>();
  private readonly workflowOutcomes = new Map<string, WorkflowOutcome>();
  private readonly user: Account;
  private readonly routes: Record<string, Handler>;
  private nextId = 1000;
  // Git objects never change, so what is learnt about them is kept (fewer git processes per answer).
  private readonly objectTypes = new Map<string, string>();
  private readonly memos = new Map<string, unknown>();
  private server: Server | undefined;
  private root = "";

  constructor(options: GithubDoubleOptions = {}) {
    this.spec = githubSpec();
    this.token = options.token ?? `ghp_${randomBytes(18).toString("hex")}`;
    this.user = { login: options.login ?? "paved-bot", id: this.nextId++, type: "User" };
    this.accounts.set(this.user.login.toLowerCase(), this.user);
    for (const org of options.orgs ?? ["demo"]) this.accounts.set(org.toLowerCase(), { login: org, id: this.nextId++, type: "Organization" });
    this.routes = this.buildRoutes();
    for (const key of Object.keys(this.routes)) {
      const [method, template] = key.split(" ") as [string, string];
      if (!this.spec.documents(method, template)) throw new Error(`the double implements ${key}, which GitHub does not document`);
    }
  }

  async start(): Promise<this> {
    this.root = await mkdtemp(path.join(tmpdir(), "paved-github-double-"));
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        this.violations.push(`the double failed on ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ message: "double failure" }));
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
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (this.root) await rm(this.root, { recursive: true, force: true });
  }

  private get urls(): Urls {
    return { api: this.url, web: this.url };
  }

  // ---- test controls -------------------------------------------------------------------------

  /** The next `fault.times` matching requests get the fault's answer instead of a real one. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** The token may read `owner/name` but not write to it (403 on writes). */
  denyWrite(fullName: string): void {
    this.readOnly.add(fullName.toLowerCase());
  }

  /** The token may not create repositories in `org` (403). */
  denyCreate(org: string): void {
    this.noCreate.add(org.toLowerCase());
  }

  /** The bare repository behind `owner/name`, to check with git what the adapter did. */
  gitDir(owner: string, name: string): string {
    const record = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!record) throw new Error(`no repository ${owner}/${name}`);
    return record.dir;
  }

  /** Creates a repository directly (not through the API): with `files` in a first commit, or empty. */
  async seedRepo(owner: string, name: string, options: { files?: Record<string, string>; description?: string; empty?: boolean } = {}): Promise<void> {
    const account = this.accounts.get(owner.toLowerCase());
    if (!account) throw new Error(`no account ${owner}`);
    await this.createRepository(account, name, { description: options.description ?? null, private: true, files: options.empty ? null : (options.files ?? { "README.md": `# ${name}\n` }) });
  }

  /** How the runs of `workflow` in `owner/name` dispatched from now on end (default: success on the third read). */
  setWorkflowOutcome(fullName: string, workflow: string, outcome: WorkflowOutcome): void {
    this.workflowOutcomes.set(`${fullName.toLowerCase()}:${workflow}`, outcome);
  }

  /** The workflow runs dispatched in `owner/name`, oldest first. */
  workflowRuns(owner: string, name: string): { id: number; workflow: string; ref: string; status: string; conclusion: string | null }[] {
    const record = this.repos.get(`${owner}/${name}`.toLowerCase());
    if (!record) throw new Error(`no repository ${owner}/${name}`);
    return record.runs.map((r) => ({ id: r.id, workflow: r.workflow, ref: r.ref, status: r.status, conclusion: r.status === "completed" ? r.conclusion : null }));
  }

  /** Requests the adapter made to `operationId` (e.g. "git/create-blob"), injected answers included. */
  callsTo(operationId: string): RecordedCall[] {
    return this.calls.filter((c) => c.operationId === operationId);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now() - this.started;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", this.url);
    const record: RecordedCall = { method, url: `${url.pathname}${url.search}`, operationId: null, status: 0, at, ms: 0, injected: false, body: undefined };
    this.calls.push(record);
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));

    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      record.ms = Date.now() - this.started - at;
      const reset = Math.floor(Date.now() / 1000) + 3600;
      const common = {
        "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4999",
        "x-ratelimit-reset": String(reset),
        "x-ratelimit-used": "1",
        "x-ratelimit-resource": "core",
      };
      if (body === undefined) {
        res.writeHead(status, { ...common, ...headers });
        res.end();
      } else {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...common, ...headers });
        res.end(JSON.stringify(body));
      }
    };

    const op = this.spec.match(method, url.pathname);
    if (!op) {
      this.violations.push(`${method} ${url.pathname}: GitHub documents no such operation`);
      return send(404, { message: "Not Found", documentation_url: DOCS });
    }
    record.operationId = op.operationId;

    let body: unknown;
    const hasBody = raw.trim() !== "";
    if (hasBody) {
      try {
        body = JSON.parse(raw);
      } catch {
        this.violations.push(`${method} ${url.pathname}: the body is not JSON`);
        return send(400, { message: "Problems parsing JSON", documentation_url: DOCS });
      }
    }
    record.body = body;
    const problems = this.spec.validateRequest(op, url.searchParams, body, hasBody);
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${method} ${url.pathname}: ${p}`));
      return send(400, { message: `the double refused a request GitHub's description does not allow: ${problems.join("; ")}`, documentation_url: DOCS });
    }

    const auth = req.headers.authorization ?? "";
    if (auth !== `token ${this.token}` && auth !== `Bearer ${this.token}`) {
      return this.answer(op, { status: 401, body: { message: "Bad credentials", documentation_url: DOCS, status: "401" } }, send);
    }

    const fault = this.faults.find((f) => f.times > 0 && (!f.when || f.when({ method, path: url.pathname })));
    if (fault) {
      fault.times--;
      record.injected = true;
      return this.answer(op, this.faultAnswer(fault), send);
    }

    const handler = this.routes[`${method} ${op.path}`];
    if (!handler) {
      this.violations.push(`${method} ${op.path} (${op.operationId}) is documented but the double does not implement it`);
      return send(501, { message: "Not implemented by the double" });
    }
    let answer: Answer;
    try {
      answer = await handler({ op, params: op.pathParams, query: url.searchParams, body: (body ?? {}) as Json, url });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      answer = { status: e.status, body: e.body ?? undefined };
    }
    return this.answer(op, answer, send);
  }

  private answer(op: MatchedOperation, answer: Answer, send: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    const problems = this.spec.validateResponse(op, answer.status, answer.body, answer.body !== undefined);
    this.violations.push(...problems.map((p) => `the double's answer: ${p}`));
    send(answer.status, answer.body, answer.headers);
  }

  private faultAnswer(fault: Fault): Answer {
    if (fault.rateLimit?.kind === "secondary") {
      return {
        status: fault.status,
        headers: { "retry-after": String(fault.rateLimit.retryAfter) },
        body: {
          message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: String(fault.status),
        },
      };
    }
    if (fault.rateLimit?.kind === "primary") {
      return {
        status: fault.status,
        headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + fault.rateLimit.resetIn) },
        body: { message: `API rate limit exceeded for user ID ${this.user.id}.`, documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", status: String(fault.status) },
      };
    }
    return { status: fault.status, body: { message: fault.status === 502 ? "Server Error" : "Internal Server Error", status: String(fault.status) } };
  }

  // ---- state ---------------------------------------------------------------------------------

  private repo(ctx: Ctx): RepoRecord {
    const record = this.repos.get(`${ctx.params.owner}/${ctx.params.repo}`.toLowerCase());
    if (!record) throw notFound();
    return record;
  }

  private writable(record: RepoRecord): void {
    if (this.readOnly.has(`${record.state.owner.login}/${record.state.name}`.toLowerCase())) {
      throw new HttpError(403, { message: "Resource not accessible by personal access token", documentation_url: DOCS, status: "403" });
    }
  }

  /** After `ref` was set (or deleted). */
  private async touch(record: RepoRecord, ref: string, deleted = false): Promise<void> {
    record.state.updatedAt = record.state.pushedAt = githubTime();
    if (!ref.startsWith("refs/heads/")) return;
    record.empty = deleted ? (await gitText(record.dir, ["for-each-ref", "--count=1", "refs/heads/"])) === "" : false;
  }

  private async createRepository(owner: Account, name: string, options: { description: string | null; private: boolean; files: Record<string, string> | null }): Promise<RepoRecord> {
    const dir = path.join(this.root, owner.login, `${name}.git`);
    await git(null, ["init", "--bare", "-q", "--template=", "--initial-branch=main", dir]);
    const now = githubTime();
    const record: RepoRecord = {
      dir,
      pulls: [],
      runs: [],
      empty: true,
      state: {
        id: this.nextId++,
        owner,
        name,
        description: options.description,
        private: options.private,
        defaultBranch: "main",
        createdAt: now,
        updatedAt: now,
        pushedAt: now,
        size: 0,
        openPulls: 0,
        canPush: true,
      },
    };
    if (options.files) {
      const lines: string[] = [];
      for (const [p, content] of Object.entries(options.files)) lines.push(`100644 ${await this.writeBlob(dir, Buffer.from(content))}\t${p}`);
      const tree = await this.treeFromEntries(dir, lines);
      const commit = await this.commit(dir, { tree, parents: [], message: "Initial commit", name: this.user.login, email: `${this.user.login}@users.noreply.github.test` });
      await git(dir, ["update-ref", "refs/heads/main", commit, ZERO_SHA]);
      record.empty = false;
    }
    this.repos.set(`${owner.login}/${name}`.toLowerCase(), record);
    return record;
  }

  // ---- git -----------------------------------------------------------------------------------

  private async writeBlob(dir: string, content: Buffer): Promise<string> {
    return gitText(dir, ["hash-object", "-w", "--stdin"], { input: content });
  }

  /** A tree from "mode sha\tpath" lines (full paths), through a throwaway index. */
  private async treeFromEntries(dir: string, lines: string[]): Promise<string> {
    const tmp = await mkdtemp(path.join(tmpdir(), "paved-double-index-"));
    try {
      const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
      if (lines.length) await git(dir, ["update-index", "-z", "--index-info"], { env, input: `${lines.join("\0")}\0` });
      return await gitText(dir, ["write-tree"], { env });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async commit(dir: string, c: { tree: string; parents: string[]; message: string; name: string; email: string; date?: string }): Promise<string> {
    const env: Record<string, string> = { GIT_AUTHOR_NAME: c.name, GIT_AUTHOR_EMAIL: c.email, GIT_COMMITTER_NAME: c.name, GIT_COMMITTER_EMAIL: c.email };
    if (c.date) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = c.date;
    return gitText(dir, ["commit-tree", c.tree, ...c.parents.flatMap((p) => ["-p", p])], { input: c.message, env });
  }

  private async rev(dir: string, expr: string): Promise<string | null> {
    const res = await git(dir, ["rev-parse", "--verify", "-q", expr], { okCodes: [0, 1, 128] });
    return res.code === 0 ? res.stdout.toString().trim() : null;
  }

  private async objectType(dir: string, sha: string): Promise<string | null> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return null;
    const key = `${dir}:${sha}`;
    const known = this.objectTypes.get(key);
    if (known) return known;
    const res = await git(dir, ["cat-file", "-t", sha], { okCodes: [0, 128] });
    if (res.code !== 0) return null;
    const type = res.stdout.toString().trim();
    this.objectTypes.set(key, type);
    return type;
  }

  /** Answers about commits (merge bases, mergeability, diff stats) never change: computed once each. */
  private async memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (!this.memos.has(key)) this.memos.set(key, await compute());
    return this.memos.get(key) as T;
  }

  private async isAncestor(dir: string, a: string, b: string): Promise<boolean> {
    return (await git(dir, ["merge-base", "--is-ancestor", a, b], { okCodes: [0, 1] })).code === 0;
  }

  private async mergeBase(dir: string, a: string, b: string): Promise<string | null> {
    return this.memo(`merge-base ${dir} ${a} ${b}`, async () => {
      const res = await git(dir, ["merge-base", a, b], { okCodes: [0, 1] });
      return res.code === 0 ? res.stdout.toString().trim() : null;
    });
  }

  /** The tips of `branches` (null for a missing one), read with one git process. */
  private async tips(dir: string, branches: string[]): Promise<(string | null)[]> {
    const out = await gitText(dir, ["for-each-ref", "--format=%(refname)%00%(objectname)", ...branches.map((b) => `refs/heads/${b}`)]);
    const found = new Map(out.split("\n").filter(Boolean).map((line) => line.split("\0") as [string, string]));
    return branches.map((b) => found.get(`refs/heads/${b}`) ?? null);
  }

  private async gitCommitJson(record: RepoRecord, sha: string): Promise<Json> {
    const text = await gitText(record.dir, ["cat-file", "commit", sha]);
    const [headers = "", ...messageParts] = text.split("\n\n");
    const person = (line: string | undefined) => {
      const m = /^(?:author|committer) (.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line ?? "");
      return { name: m?.[1] ?? "", email: m?.[2] ?? "", date: githubTime(new Date(Number(m?.[3] ?? 0) * 1000)) };
    };
    const lines = headers.split("\n");
    const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
    const web = `${this.url}/${record.state.owner.login}/${record.state.name}`;
    const tree = lines.find((l) => l.startsWith("tree "))?.slice(5) ?? "";
    return {
      sha,
      node_id: nodeId("Commit", parseInt(sha.slice(0, 8), 16)),
      url: `${api}/git/commits/${sha}`,
      html_url: `${web}/commit/${sha}`,
      author: person(lines.find((l) => l.startsWith("author "))),
      committer: person(lines.find((l) => l.startsWith("committer "))),
      tree: { sha: tree, url: `${api}/git/trees/${tree}` },
      message: messageParts.join("\n\n").replace(/\n$/, ""),
      parents: lines
        .filter((l) => l.startsWith("parent "))
        .map((l) => l.slice(7))
        .map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${web}/commit/${p}` })),
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    };
  }

  private refJson(record: RepoRecord, ref: string, sha: string): Json {
    const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
    return {
      ref,
      node_id: nodeId("Ref", parseInt(sha.slice(0, 8), 16)),
      url: `${api}/git/${ref}`,
      object: { type: "commit", sha, url: `${api}/git/commits/${sha}` },
    };
  }

  private async treeJson(record: RepoRecord, tree: string, recursive: boolean): Promise<Json> {
    const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
    const out = await git(record.dir, ["ls-tree", "-l", "-z", ...(recursive ? ["-r", "-t"] : []), tree]);
    const entries = out.stdout
      .toString("utf8")
      .split("\0")
      .filter(Boolean)
      .map((line) => {
        const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(line);
        if (!m) throw new Error(`unexpected ls-tree line ${line}`);
        const [, mode, type, sha, size, p] = m as unknown as [string, string, string, string, string, string];
        return { path: p, mode, type, sha, ...(type === "blob" ? { size: Number(size) } : {}), url: `${api}/git/${type === "tree" ? "trees" : "blobs"}/${sha}` };
      });
    const truncated = entries.length > this.treeEntryLimit;
    return { sha: tree, url: `${api}/git/trees/${tree}`, tree: truncated ? entries.slice(0, this.treeEntryLimit) : entries, truncated };
  }

  private async repoJson(record: RepoRecord, schema: "full-repository" | "minimal-repository" | "repository"): Promise<Json> {
    const state = record.state;
    state.openPulls = record.pulls.filter((p) => p.state === "open").length;
    state.canPush = !this.readOnly.has(`${state.owner.login}/${state.name}`.toLowerCase());
    // GitHub reports 0 KB for an empty repository (and, for a while, for a new small one).
    state.size = record.empty ? 0 : 1;
    return pick(repositoryFields(this.urls, state), this.spec.schemaProperties(schema));
  }

  /** `detailed`: with the counts and mergeability only the full pull-request answer carries. */
  private async pullState(record: RepoRecord, pr: PullRecord, detailed: boolean): Promise<PullState> {
    let frozen = pr.frozen;
    let mergeable: boolean | null = null;
    if (!frozen) {
      const [headSha = null, baseSha = null] = await this.tips(record.dir, [pr.head, pr.base]);
      frozen = { headSha: headSha ?? ZERO_SHA, baseSha: baseSha ?? ZERO_SHA, mergeBase: detailed && headSha && baseSha ? await this.mergeBase(record.dir, baseSha, headSha) : null };
      if (detailed && headSha && baseSha) {
        mergeable = await this.memo(`mergeable ${record.dir} ${baseSha} ${headSha}`, async () => (await git(record.dir, ["merge-tree", "--write-tree", "--no-messages", baseSha, headSha], { okCodes: [0, 1] })).code === 0);
      }
    }
    const { mergeBase, headSha } = frozen;
    const { additions, deletions, changedFiles, commits } = !mergeBase
      ? { additions: 0, deletions: 0, changedFiles: 0, commits: 0 }
      : await this.memo(`stats ${record.dir} ${mergeBase} ${headSha}`, async () => {
          const stats = { additions: 0, deletions: 0, changedFiles: 0, commits: 0 };
          const numstat = await gitText(record.dir, ["diff", "--numstat", "--no-renames", mergeBase, headSha]);
          for (const line of numstat.split("\n").filter(Boolean)) {
            const [a, d] = line.split("\t");
            stats.additions += Number(a) || 0;
            stats.deletions += Number(d) || 0;
            stats.changedFiles++;
          }
          stats.commits = Number(await gitText(record.dir, ["rev-list", "--count", `${mergeBase}..${headSha}`]));
          return stats;
        });
    return {
      id: pr.id,
      number: pr.number,
      title: pr.title,
      body: pr.body,
      head: pr.head,
      base: pr.base,
      headSha: frozen.headSha,
      baseSha: frozen.baseSha,
      state: pr.state,
      merged: pr.merged,
      mergeable,
      mergeCommitSha: pr.mergeCommitSha,
      createdAt: pr.createdAt,
      updatedAt: pr.updatedAt,
      closedAt: pr.closedAt,
      mergedAt: pr.mergedAt,
      commits,
      additions,
      deletions,
      changedFiles,
    };
  }

  private async pullJson(record: RepoRecord, pr: PullRecord, schema: "pull-request" | "pull-request-simple"): Promise<Json> {
    const repoJson = await this.repoJson(record, "repository");
    return pick(pullFields(this.urls, record.state, repoJson, await this.pullState(record, pr, schema === "pull-request"), pr.author), this.spec.schemaProperties(schema));
  }

  /** One page of `items` and GitHub's Link header for the others. */
  private page<T>(ctx: Ctx, items: T[]): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(this.maxPerPage, Number(ctx.query.get("per_page") ?? 30));
    const page = Math.max(1, Number(ctx.query.get("page") ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (n: number, rel: string) => {
      const u = new URL(ctx.url.toString());
      u.searchParams.set("per_page", String(perPage));
      u.searchParams.set("page", String(n));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links = [...(page < last ? [link(page + 1, "next"), link(last, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
    return { items: items.slice((page - 1) * perPage, page * perPage), headers: links.length ? { link: links.join(", ") } : {} };
  }

  // ---- endpoints -----------------------------------------------------------------------------

  private buildRoutes(): Record<string, Handler> {
    return {
      "GET /user": async () => ({ status: 200, body: privateUser(this.urls, this.user, githubTime(new Date(this.started))) }),

      // What Paved's health check asks (lib/integrations/github/health.ts); free of rate-limit cost on GitHub too.
      "GET /rate_limit": async () => {
        const limit = (resetIn: number, max: number) => ({ limit: max, remaining: max - 1, reset: Math.floor(Date.now() / 1000) + resetIn, used: 1 });
        return { status: 200, body: { resources: { core: limit(3600, 5000), search: limit(60, 30), graphql: limit(3600, 5000) }, rate: limit(3600, 5000) } };
      },

      "GET /repos/{owner}/{repo}": async (ctx) => ({ status: 200, body: await this.repoJson(this.repo(ctx), "full-repository") }),

      "POST /orgs/{org}/repos": async (ctx) => {
        const org = this.accounts.get(ctx.params.org!.toLowerCase());
        if (!org || org.type !== "Organization") throw notFound();
        if (this.noCreate.has(org.login.toLowerCase())) throw new HttpError(403, { message: "You need admin access to the organization before adding a repository to it.", documentation_url: DOCS, status: "403" });
        return this.createFromApi(org, ctx.body);
      },

      "POST /user/repos": async (ctx) => this.createFromApi(this.user, ctx.body),

      "GET /orgs/{org}/repos": async (ctx) => this.listRepos(ctx, ctx.params.org!, "Organization"),
      "GET /users/{username}/repos": async (ctx) => this.listRepos(ctx, ctx.params.username!, "User"),

      "GET /repos/{owner}/{repo}/contents/{path}": async (ctx) => {
        const record = this.repo(ctx);
        if (record.empty) throw new HttpError(404, { message: "This repository is empty.", documentation_url: DOCS, status: "404" });
        const ref = ctx.query.get("ref") ?? record.state.defaultBranch;
        const commit = await this.rev(record.dir, `${ref}^{commit}`);
        if (!commit) throw new HttpError(404, { message: `No commit found for the ref ${ref}`, documentation_url: DOCS, status: "404" });
        const p = ctx.params.path!.replace(/^\/+|\/+$/g, "");
        const spec = `${commit}:${p}`;
        const type = (await git(record.dir, ["cat-file", "-t", spec], { okCodes: [0, 128] })).stdout.toString().trim();
        const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
        const web = `${this.url}/${record.state.owner.login}/${record.state.name}`;
        const item = (itemPath: string, itemType: "file" | "dir", sha: string, size: number) => {
          const self = `${api}/contents/${encodeURI(itemPath)}?ref=${encodeURIComponent(ref)}`;
          const gitUrl = `${api}/git/${itemType === "dir" ? "trees" : "blobs"}/${sha}`;
          const html = `${web}/${itemType === "dir" ? "tree" : "blob"}/${encodeURI(ref)}/${encodeURI(itemPath)}`;
          return {
            type: itemType,
            size,
            name: path.posix.basename(itemPath),
            path: itemPath,
            sha,
            url: self,
            git_url: gitUrl,
            html_url: html,
            download_url: itemType === "file" ? `${web}/raw/${encodeURI(ref)}/${encodeURI(itemPath)}` : null,
            _links: { self, git: gitUrl, html },
          };
        };
        if (type === "blob") {
          const sha = await gitText(record.dir, ["rev-parse", spec]);
          const content = (await git(record.dir, ["cat-file", "blob", sha])).stdout;
          if (content.length > this.contentSizeLimit) return { status: 200, body: { ...item(p, "file", sha, content.length), encoding: "none", content: "" } };
          // GitHub wraps base64 content at 60 characters.
          const b64 = content.toString("base64").replace(/(.{60})/g, "$1\n");
          return { status: 200, body: { ...item(p, "file", sha, content.length), encoding: "base64", content: b64 } };
        }
        if (type === "tree") {
          const listing = await git(record.dir, ["ls-tree", "-l", "-z", spec]);
          const items = listing.stdout
            .toString("utf8")
            .split("\0")
            .filter(Boolean)
            .map((line) => {
              const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.*)$/s.exec(line)!;
              return item(p ? `${p}/${m[5]}` : (m[5] as string), m[2] === "tree" ? "dir" : "file", m[3] as string, Number(m[4]) || 0);
            });
          return { status: 200, body: items };
        }
        throw notFound();
      },

      "GET /repos/{owner}/{repo}/git/blobs/{file_sha}": async (ctx) => {
        const record = this.repo(ctx);
        if ((await this.objectType(record.dir, ctx.params.file_sha!)) !== "blob") throw notFound();
        const content = (await git(record.dir, ["cat-file", "blob", ctx.params.file_sha!])).stdout;
        const sha = ctx.params.file_sha!;
        return {
          status: 200,
          body: { sha, node_id: nodeId("Blob", parseInt(sha.slice(0, 8), 16)), size: content.length, url: `${this.url}/repos/${record.state.owner.login}/${record.state.name}/git/blobs/${sha}`, content: content.toString("base64"), encoding: "base64" },
        };
      },

      "POST /repos/{owner}/{repo}/git/blobs": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const encoding = (ctx.body.encoding as string | undefined) ?? "utf-8";
        if (encoding !== "utf-8" && encoding !== "base64") throw validation(`encoding must be utf-8 or base64`);
        const sha = await this.writeBlob(record.dir, Buffer.from(ctx.body.content as string, encoding === "base64" ? "base64" : "utf8"));
        return { status: 201, body: { url: `${this.url}/repos/${record.state.owner.login}/${record.state.name}/git/blobs/${sha}`, sha } };
      },

      "GET /repos/{owner}/{repo}/git/trees/{tree_sha}": async (ctx) => {
        const record = this.repo(ctx);
        if (record.empty) throw new HttpError(409, { message: "Git Repository is empty.", documentation_url: DOCS, status: "409" });
        const tree = await this.rev(record.dir, `${ctx.params.tree_sha}^{tree}`);
        if (!tree) throw notFound();
        return { status: 200, body: await this.treeJson(record, tree, ctx.query.has("recursive")) };
      },

      "POST /repos/{owner}/{repo}/git/trees": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const entries = new Map<string, { mode: string; sha: string }>();
        const baseTree = ctx.body.base_tree as string | undefined;
        if (baseTree !== undefined) {
          if ((await this.objectType(record.dir, baseTree)) !== "tree") throw validation("base_tree is not a valid tree oid");
          const listing = await git(record.dir, ["ls-tree", "-r", "-z", baseTree]);
          for (const line of listing.stdout.toString("utf8").split("\0").filter(Boolean)) {
            const m = /^(\d+) \w+ ([0-9a-f]+)\t(.*)$/s.exec(line)!;
            entries.set(m[3] as string, { mode: m[1] as string, sha: m[2] as string });
          }
        }
        for (const entry of ctx.body.tree as { path: string; mode?: string; type?: string; sha?: string | null; content?: string }[]) {
          if (entry.type === "tree" || entry.type === "commit" || entry.mode === "040000" || entry.mode === "160000") {
            this.violations.push("the double does not implement tree or submodule entries in git/create-tree");
            throw validation("tree and submodule entries are not supported by the double");
          }
          if (entry.sha !== undefined && entry.content !== undefined) throw validation("Must supply either tree.sha or tree.content, not both");
          if (entry.sha === null) {
            if (!entries.delete(entry.path)) throw validation("GitRPC::BadObjectState", [{ resource: "Tree", field: "path", code: "invalid", message: `${entry.path} does not exist` }]);
            continue;
          }
          let sha = entry.sha;
          if (entry.content !== undefined) sha = await this.writeBlob(record.dir, Buffer.from(entry.content, "utf8"));
          if (!sha || (await this.objectType(record.dir, sha)) !== "blob") throw validation(`tree.sha ${sha} is not a valid blob`);
          entries.set(entry.path, { mode: entry.mode ?? "100644", sha });
        }
        let tree: string;
        try {
          tree = await this.treeFromEntries(record.dir, [...entries].map(([p, e]) => `${e.mode} ${e.sha}\t${p}`));
        } catch {
          throw validation("tree.path is invalid");
        }
        return { status: 201, body: await this.treeJson(record, tree, false) };
      },

      "GET /repos/{owner}/{repo}/git/commits/{commit_sha}": async (ctx) => {
        const record = this.repo(ctx);
        if (record.empty) throw new HttpError(409, { message: "Git Repository is empty.", documentation_url: DOCS, status: "409" });
        if ((await this.objectType(record.dir, ctx.params.commit_sha!)) !== "commit") throw notFound();
        return { status: 200, body: await this.gitCommitJson(record, ctx.params.commit_sha!) };
      },

      "POST /repos/{owner}/{repo}/git/commits": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const tree = ctx.body.tree as string;
        if ((await this.objectType(record.dir, tree)) !== "tree") throw validation("Tree SHA does not exist");
        const parents = (ctx.body.parents as string[] | undefined) ?? [];
        for (const p of parents) if ((await this.objectType(record.dir, p)) !== "commit") throw validation("Parent SHA does not exist or is not a commit object");
        const author = ctx.body.author as { name?: string; email?: string; date?: string } | undefined;
        const sha = await this.commit(record.dir, {
          tree,
          parents,
          message: ctx.body.message as string,
          name: author?.name ?? this.user.login,
          email: author?.email ?? `${this.user.login}@users.noreply.github.test`,
          date: author?.date,
        });
        return { status: 201, body: await this.gitCommitJson(record, sha) };
      },

      "GET /repos/{owner}/{repo}/git/ref/{ref}": async (ctx) => {
        const record = this.repo(ctx);
        if (record.empty) throw new HttpError(409, { message: "Git Repository is empty.", documentation_url: DOCS, status: "409" });
        const sha = await this.rev(record.dir, `refs/${ctx.params.ref}`);
        if (!sha) throw notFound();
        return { status: 200, body: this.refJson(record, `refs/${ctx.params.ref}`, sha) };
      },

      "POST /repos/{owner}/{repo}/git/refs": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const ref = ctx.body.ref as string;
        const sha = ctx.body.sha as string;
        if (!/^refs\/[^/]+\/.+/.test(ref)) throw validation("Reference name is invalid");
        if ((await this.objectType(record.dir, sha)) !== "commit") throw validation("Object does not exist");
        const res = await git(record.dir, ["update-ref", ref, sha, ZERO_SHA], { okCodes: [0, 128] });
        if (res.code !== 0) throw validation("Reference already exists");
        await this.touch(record, ref);
        return { status: 201, body: this.refJson(record, ref, sha) };
      },

      "PATCH /repos/{owner}/{repo}/git/refs/{ref}": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const ref = `refs/${ctx.params.ref}`;
        const sha = ctx.body.sha as string;
        const current = await this.rev(record.dir, ref);
        if (!current) throw validation("Reference does not exist");
        if ((await this.objectType(record.dir, sha)) !== "commit") throw validation("Object does not exist");
        if (ctx.body.force !== true && !(await this.isAncestor(record.dir, current, sha))) throw validation("Update is not a fast forward");
        const res = await git(record.dir, ["update-ref", ref, sha, current], { okCodes: [0, 128] });
        if (res.code !== 0) throw validation("Update is not a fast forward");
        await this.touch(record, ref);
        return { status: 200, body: this.refJson(record, ref, sha) };
      },

      "DELETE /repos/{owner}/{repo}/git/refs/{ref}": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const ref = `refs/${ctx.params.ref}`;
        const sha = await this.rev(record.dir, ref);
        if (!sha) return { status: 422 };
        // GitHub closes the open pull requests whose head branch goes.
        if (ref.startsWith("refs/heads/")) {
          const branch = ref.slice("refs/heads/".length);
          for (const pr of record.pulls.filter((p) => p.state === "open" && p.head === branch)) await this.closePull(record, pr, null);
        }
        await git(record.dir, ["update-ref", "-d", ref, sha]);
        await this.touch(record, ref, true);
        return { status: 204 };
      },

      "GET /repos/{owner}/{repo}/pulls": async (ctx) => {
        const record = this.repo(ctx);
        const state = ctx.query.get("state") ?? "open";
        const head = ctx.query.get("head");
        const base = ctx.query.get("base");
        const direction = ctx.query.get("direction") ?? "desc";
        let pulls = record.pulls.filter((p) => state === "all" || p.state === state);
        if (head) {
          const [owner, branch] = head.includes(":") ? (head.split(/:(.*)/s) as [string, string]) : [record.state.owner.login, head];
          pulls = pulls.filter((p) => owner.toLowerCase() === record.state.owner.login.toLowerCase() && p.head === branch);
        }
        if (base) pulls = pulls.filter((p) => p.base === base);
        pulls.sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number));
        const { items, headers } = this.page(ctx, pulls);
        return { status: 200, headers, body: await Promise.all(items.map((p) => this.pullJson(record, p, "pull-request-simple"))) };
      },

      "POST /repos/{owner}/{repo}/pulls": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const { title, head, base } = ctx.body as { title?: string; head: string; base: string };
        if (title === undefined) throw validation("Validation Failed", [{ resource: "PullRequest", field: "title", code: "missing_field" }]);
        const branch = head.includes(":") ? head.split(":")[1]! : head;
        const headSha = await this.rev(record.dir, `refs/heads/${branch}`);
        const baseSha = await this.rev(record.dir, `refs/heads/${base}`);
        if (!headSha) throw validation("Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
        if (!baseSha) throw validation("Validation Failed", [{ resource: "PullRequest", field: "base", code: "invalid" }]);
        if (await this.isAncestor(record.dir, headSha, baseSha)) throw validation("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `No commits between ${base} and ${branch}` }]);
        const open = record.pulls.find((p) => p.state === "open" && p.head === branch && p.base === base);
        if (open) throw validation("Validation Failed", [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${record.state.owner.login}:${branch}.` }]);
        const now = githubTime();
        const pr: PullRecord = {
          id: this.nextId++,
          number: record.pulls.length + 1,
          title,
          body: (ctx.body.body as string | undefined) ?? null,
          head: branch,
          base,
          state: "open",
          merged: false,
          author: this.user,
          createdAt: now,
          updatedAt: now,
          closedAt: null,
          mergedAt: null,
          mergeCommitSha: null,
          frozen: null,
        };
        record.pulls.push(pr);
        await git(record.dir, ["update-ref", `refs/pull/${pr.number}/head`, headSha]);
        return { status: 201, body: await this.pullJson(record, pr, "pull-request") };
      },

      "GET /repos/{owner}/{repo}/pulls/{pull_number}": async (ctx) => {
        const record = this.repo(ctx);
        const pr = record.pulls.find((p) => p.number === Number(ctx.params.pull_number));
        if (!pr) throw notFound();
        return { status: 200, body: await this.pullJson(record, pr, "pull-request") };
      },

      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": async (ctx) => {
        const record = this.repo(ctx);
        const pr = record.pulls.find((p) => p.number === Number(ctx.params.pull_number));
        if (!pr) throw notFound();
        const state = await this.pullState(record, pr, true);
        const from = pr.frozen?.mergeBase ?? (await this.mergeBase(record.dir, state.baseSha, state.headSha));
        const files: Json[] = [];
        if (from) {
          const raw = await git(record.dir, ["diff", "--raw", "-z", "--no-renames", "--abbrev=40", from, state.headSha]);
          const parts = raw.stdout.toString("utf8").split("\0");
          const web = `${this.url}/${record.state.owner.login}/${record.state.name}`;
          const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
          for (let i = 0; i + 1 < parts.length; i += 2) {
            const [, , oldSha, newSha, letter] = (parts[i] ?? "").split(" ");
            const filename = parts[i + 1] as string;
            const status = letter === "A" ? "added" : letter === "D" ? "removed" : "modified";
            const numstat = (await gitText(record.dir, ["diff", "--numstat", "--no-renames", from, state.headSha, "--", filename])).split("\t");
            const additions = Number(numstat[0]) || 0;
            const deletions = Number(numstat[1]) || 0;
            const diff = await gitText(record.dir, ["diff", "--no-renames", "--no-color", from, state.headSha, "--", filename]);
            const at = diff.indexOf("\n@@");
            files.push({
              sha: status === "removed" ? oldSha : newSha,
              filename,
              status,
              additions,
              deletions,
              changes: additions + deletions,
              blob_url: `${web}/blob/${state.headSha}/${encodeURI(filename)}`,
              raw_url: `${web}/raw/${state.headSha}/${encodeURI(filename)}`,
              contents_url: `${api}/contents/${encodeURI(filename)}?ref=${state.headSha}`,
              ...(at >= 0 ? { patch: diff.slice(at + 1) } : {}),
            });
          }
        }
        const { items, headers } = this.page(ctx, files);
        return { status: 200, headers, body: items };
      },

      "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const workflow = ctx.params.workflow_id!;
        const ref = ctx.body.ref as string;
        // GitHub finds the workflow by its file name (or numeric id) on the default branch.
        const file = `.github/workflows/${workflow}`;
        const defaultTip = record.empty ? null : await this.rev(record.dir, `refs/heads/${record.state.defaultBranch}`);
        const onDefault = defaultTip ? (await git(record.dir, ["cat-file", "-e", `${defaultTip}:${file}`], { okCodes: [0, 1, 128] })).code === 0 : false;
        if (!onDefault) throw notFound();
        const headSha = (await this.rev(record.dir, `refs/heads/${ref}`)) ?? (await this.rev(record.dir, `refs/tags/${ref}`));
        if (!headSha) throw validation(`No ref found for: ${ref}`);
        const text = (await git(record.dir, ["cat-file", "blob", `${headSha}:${file}`], { okCodes: [0, 128] })).stdout.toString("utf8");
        if (!/workflow_dispatch/.test(text)) throw validation("Workflow does not have 'workflow_dispatch' trigger");
        const outcome = this.workflowOutcomes.get(`${`${record.state.owner.login}/${record.state.name}`.toLowerCase()}:${workflow}`);
        const now = githubTime();
        const run: RunRecord = {
          id: this.nextId++,
          runNumber: record.runs.length + 1,
          workflowId: 161335 + record.runs.filter((r) => r.workflow !== workflow).length,
          workflow,
          ref,
          headSha,
          createdAt: now,
          updatedAt: now,
          reads: outcome?.reads ?? 2,
          readsLeft: outcome?.reads ?? 2,
          conclusion: outcome?.conclusion ?? "success",
          status: "queued",
        };
        record.runs.push(run);
        if (ctx.body.return_run_details !== true) return { status: 204 };
        const api = `${this.url}/repos/${record.state.owner.login}/${record.state.name}`;
        return { status: 200, body: { workflow_run_id: run.id, run_url: `${api}/actions/runs/${run.id}`, html_url: `${this.url}/${record.state.owner.login}/${record.state.name}/actions/runs/${run.id}` } };
      },

      "GET /repos/{owner}/{repo}/actions/runs/{run_id}": async (ctx) => {
        const record = this.repo(ctx);
        const run = record.runs.find((r) => r.id === Number(ctx.params.run_id));
        if (!run) throw notFound();
        // Each read moves it on: queued, in progress, …, completed.
        if (run.status !== "completed") {
          if (run.readsLeft <= 0) run.status = "completed";
          else if (run.readsLeft < run.reads) run.status = "in_progress";
          run.readsLeft--;
          run.updatedAt = githubTime();
        }
        return { status: 200, body: await this.runJson(record, run) };
      },

      "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge": async (ctx) => {
        const record = this.repo(ctx);
        this.writable(record);
        const pr = record.pulls.find((p) => p.number === Number(ctx.params.pull_number));
        if (!pr) throw notFound();
        if (pr.state !== "open") throw new HttpError(405, { message: "Pull Request is not mergeable", documentation_url: DOCS });
        if (ctx.body.merge_method !== undefined && ctx.body.merge_method !== "merge") {
          this.violations.push("the double merges with merge_method merge only");
          throw new HttpError(405, { message: "Merge method not supported by the double", documentation_url: DOCS });
        }
        const state = await this.pullState(record, pr, true);
        if (ctx.body.sha !== undefined && ctx.body.sha !== state.headSha) throw new HttpError(409, { message: "Head branch was modified. Review and try the merge again.", documentation_url: DOCS });
        const merged = await git(record.dir, ["merge-tree", "--write-tree", "--no-messages", state.baseSha, state.headSha], { okCodes: [0, 1] });
        if (merged.code !== 0) throw new HttpError(405, { message: "Pull Request is not mergeable", documentation_url: DOCS });
        const tree = merged.stdout.toString().split("\n")[0]!.trim();
        const title = (ctx.body.commit_title as string | undefined) ?? `Merge pull request #${pr.number} from ${record.state.owner.login}/${pr.head}`;
        const detail = (ctx.body.commit_message as string | undefined) ?? pr.title;
        const sha = await this.commit(record.dir, { tree, parents: [state.baseSha, state.headSha], message: `${title}\n\n${detail}`, name: this.user.login, email: `${this.user.login}@users.noreply.github.test` });
        const moved = await git(record.dir, ["update-ref", `refs/heads/${pr.base}`, sha, state.baseSha], { okCodes: [0, 128] });
        if (moved.code !== 0) throw new HttpError(409, { message: "Base branch was modified. Review and try the merge again.", documentation_url: DOCS });
        await this.closePull(record, pr, sha, { headSha: state.headSha, baseSha: state.baseSha });
        await this.touch(record, `refs/heads/${pr.base}`);
        return { status: 200, body: { sha, merged: true, message: "Pull Request successfully merged" } };
      },
    };
  }

  private async runJson(record: RepoRecord, run: RunRecord): Promise<Json> {
    const full = `${record.state.owner.login}/${record.state.name}`;
    const api = `${this.url}/repos/${full}`;
    const commit = await this.gitCommitJson(record, run.headSha);
    const author = commit.author as { name: string; email: string; date: string };
    const committer = commit.committer as { name: string; email: string };
    const repository = await this.repoJson(record, "minimal-repository");
    return {
      id: run.id,
      name: run.workflow.replace(/\.ya?ml$/, ""),
      node_id: nodeId("WorkflowRun", run.id),
      head_branch: run.ref,
      head_sha: run.headSha,
      path: `.github/workflows/${run.workflow}`,
      display_title: run.workflow.replace(/\.ya?ml$/, ""),
      run_number: run.runNumber,
      run_attempt: 1,
      event: "workflow_dispatch",
      status: run.status,
      conclusion: run.status === "completed" ? run.conclusion : null,
      workflow_id: run.workflowId,
      url: `${api}/actions/runs/${run.id}`,
      html_url: `${this.url}/${full}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: run.createdAt,
      updated_at: run.updatedAt,
      run_started_at: run.createdAt,
      jobs_url: `${api}/actions/runs/${run.id}/jobs`,
      logs_url: `${api}/actions/runs/${run.id}/logs`,
      check_suite_url: `${api}/check-suites/${run.id + 1}`,
      artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
      cancel_url: `${api}/actions/runs/${run.id}/cancel`,
      rerun_url: `${api}/actions/runs/${run.id}/rerun`,
      workflow_url: `${api}/actions/workflows/${run.workflowId}`,
      head_commit: { id: run.headSha, tree_id: (commit.tree as { sha: string }).sha, message: commit.message, timestamp: author.date, author: { name: author.name, email: author.email }, committer: { name: committer.name, email: committer.email } },
      repository,
      head_repository: repository,
    };
  }

  private async closePull(record: RepoRecord, pr: PullRecord, mergeSha: string | null, shas?: { headSha: string; baseSha: string }): Promise<void> {
    const headSha = shas?.headSha ?? (await this.rev(record.dir, `refs/heads/${pr.head}`)) ?? ZERO_SHA;
    const baseSha = shas?.baseSha ?? (await this.rev(record.dir, `refs/heads/${pr.base}`)) ?? ZERO_SHA;
    const now = githubTime();
    pr.frozen = { headSha, baseSha, mergeBase: await this.mergeBase(record.dir, baseSha, headSha) };
    pr.state = "closed";
    pr.closedAt = now;
    pr.updatedAt = now;
    if (mergeSha) {
      pr.merged = true;
      pr.mergedAt = now;
      pr.mergeCommitSha = mergeSha;
    }
  }

  private async createFromApi(owner: Account, body: Json): Promise<Answer> {
    const name = body.name as string | undefined;
    if (!name) throw validation("Repository creation failed.", [{ resource: "Repository", code: "missing_field", field: "name" }]);
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) throw validation("Repository creation failed.", [{ resource: "Repository", code: "custom", field: "name", message: "name is invalid" }]);
    if (this.repos.has(`${owner.login}/${name}`.toLowerCase())) {
      throw validation("Repository creation failed.", [{ resource: "Repository", code: "custom", field: "name", message: "name already exists on this account" }]);
    }
    const description = (body.description as string | undefined) ?? null;
    const record = await this.createRepository(owner, name, {
      description,
      private: (body.private as boolean | undefined) ?? false,
      files: body.auto_init === true ? { "README.md": `# ${name}\n${description ? `${description}\n` : ""}` } : null,
    });
    return { status: 201, body: await this.repoJson(record, "full-repository") };
  }

  private async listRepos(ctx: Ctx, login: string, type: Account["type"]): Promise<Answer> {
    const account = this.accounts.get(login.toLowerCase());
    if (!account || account.type !== type) throw notFound();
    const records = [...this.repos.values()].filter((r) => r.state.owner === account);
    if (ctx.query.get("sort") === "full_name") records.sort((a, b) => a.state.name.localeCompare(b.state.name));
    else records.sort((a, b) => b.state.id - a.state.id);
    const { items, headers } = this.page(ctx, records);
    return { status: 200, headers, body: await Promise.all(items.map((r) => this.repoJson(r, "minimal-repository"))) };
  }
}

/** Starts a GitHub double on a free loopback port. */
export async function startGithubDouble(options: GithubDoubleOptions = {}): Promise<GithubDouble> {
  return new GithubDouble(options).start();
}
