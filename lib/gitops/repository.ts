// The GitOps repository's layout, in one place. Paved reads and writes one repository laid out
// as in the seed document (kustomize bases and per-environment overlays per service):
//
//   apps/<service>/base/                     kustomization.yaml + the service's manifests
//   apps/<service>/overlays/<environment>/   kustomization.yaml: namespace, image tag, replicas
//   argocd/<service>-<environment>.yaml      the Argo CD Application that syncs that overlay
//   argocd/projects/<team>.yaml              one Argo CD AppProject per team
//   infrastructure/terraform/environments/<environment>/   Terraform sources
//   infrastructure/terraform/plans/<environment>.json      `terraform show -json` of CI's latest plan
//   policies/                                notes on the policies Paved enforces here
//
// A promotion changes one line: the image tag an overlay pins (`setImageTag`). The compliance scan
// renders every overlay of an environment (`renderEnvironment`) and reads the Terraform plans
// (`terraformPlans`). Everything here is a function of a file map, whichever host the files
// come from (`readGitOpsFiles` through the GitHost port, `readFileMap` from a folder on disk).
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML, { LineCounter, isMap, isScalar, isSeq, type Document, type Node, type Scalar } from "yaml";
import { NotFoundError, RuleViolationError, ValidationError } from "../core/errors.ts";
import type { FileEntry, GitHost, RepoRef } from "../core/ports/git-host.ts";
import { KUSTOMIZATION_FILE_NAMES, KustomizeError, createKustomizer, splitImage, type FileMap, type KubernetesObject, type RenderedObject } from "./kustomize.ts";

/** The sandbox's GitOps repository. A connected installation names its own ("acme/gitops"). */
export const SANDBOX_GITOPS_REPOSITORY = "demo/gitops";

export const APPS_DIR = "apps";
export const ARGOCD_DIR = "argocd";
export const TERRAFORM_PLANS_DIR = "infrastructure/terraform/plans";

/** Services and environments become path segments: lower-case letters, digits and inner hyphens only. */
const SEGMENT = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function segment(what: "service" | "environment", value: string): string {
  if (!SEGMENT.test(value)) throw new ValidationError(`"${value}" is not a valid ${what} name.`, [{ path: [what], message: "lower-case letters, digits and hyphens" }]);
  return value;
}

/** "acme/gitops" → { owner: "acme", name: "gitops" }. */
export function parseRepositoryName(fullName: string): RepoRef {
  const m = /^([A-Za-z0-9][A-Za-z0-9-]*)\/([A-Za-z0-9._-]+)$/.exec(fullName.trim());
  if (!m || m[2] === "." || m[2] === "..") throw new ValidationError(`"${fullName}" is not a repository name of the form owner/name.`, [{ path: ["repository"], message: "owner/name" }]);
  return { owner: m[1]!, name: m[2]! };
}

export function appBase(service: string): string {
  return `${APPS_DIR}/${segment("service", service)}/base`;
}

export function appOverlay(service: string, environment: string): string {
  return `${APPS_DIR}/${segment("service", service)}/overlays/${segment("environment", environment)}`;
}

/** The file a promotion of `service` to `environment` changes. */
export function overlayKustomizationPath(service: string, environment: string): string {
  return `${appOverlay(service, environment)}/kustomization.yaml`;
}

export function argoApplicationPath(service: string, environment: string): string {
  return `${ARGOCD_DIR}/${segment("service", service)}-${segment("environment", environment)}.yaml`;
}

export function terraformPlanPath(environment: string): string {
  return `${TERRAFORM_PLANS_DIR}/${segment("environment", environment)}.json`;
}

/** Whether Paved reads this path of a GitOps repository (what `readGitOpsFiles` fetches). */
export function isGitOpsPath(p: string): boolean {
  return p.startsWith(`${APPS_DIR}/`) || p.startsWith(`${ARGOCD_DIR}/`) || (p.startsWith(`${TERRAFORM_PLANS_DIR}/`) && p.endsWith(".json"));
}

// ---------------------------------------------------------------------------------------------
// Apps

export interface AppLayout {
  service: string;
  hasBase: boolean;
  /** Environments with an overlay, sorted by name. */
  environments: string[];
}

const KUSTOMIZATION_NAME = `(?:${KUSTOMIZATION_FILE_NAMES.map((n) => n.replace(".", "\\.")).join("|")})`;
const APP_KUSTOMIZATION = new RegExp(`^${APPS_DIR}/([^/]+)/(?:base|overlays/([^/]+))/${KUSTOMIZATION_NAME}$`);

/** Every app in the repository: a folder under apps/ with a base or at least one overlay. */
export function listApps(files: FileMap): AppLayout[] {
  const apps = new Map<string, AppLayout>();
  for (const p of Object.keys(files)) {
    const m = APP_KUSTOMIZATION.exec(p);
    if (!m || !SEGMENT.test(m[1]!) || (m[2] !== undefined && !SEGMENT.test(m[2]))) continue;
    const app = apps.get(m[1]!) ?? { service: m[1]!, hasBase: false, environments: [] };
    if (m[2] === undefined) app.hasBase = true;
    else if (!app.environments.includes(m[2])) app.environments.push(m[2]);
    apps.set(app.service, app);
  }
  return [...apps.values()].map((a) => ({ ...a, environments: a.environments.sort() })).sort((a, b) => a.service.localeCompare(b.service));
}

/** Something in the repository Paved could not read: where, and why. */
export interface RepositoryProblem {
  file: string;
  field: string | null;
  line: number | null;
  message: string;
  service?: string;
  environment?: string;
}

function problemOf(e: KustomizeError, extra: { service?: string; environment?: string } = {}): RepositoryProblem {
  return { file: e.file, field: e.field, line: e.line, message: e.message, ...extra };
}

/** One service's overlay for one environment, rendered. Throws KustomizeError when it cannot be. */
export function renderApp(files: FileMap, service: string, environment: string): RenderedObject[] {
  return createKustomizer(files).render(appOverlay(service, environment));
}

export interface RenderedApp {
  service: string;
  environment: string;
  dir: string;
  objects: RenderedObject[];
}

export interface EnvironmentRender {
  environment: string;
  apps: RenderedApp[];
  /** Overlays that could not be rendered; the others are still in `apps`. */
  problems: RepositoryProblem[];
}

/** Every service's objects in `environment`, with where each came from. A broken overlay is reported, not fatal. */
export function renderEnvironment(files: FileMap, environment: string): EnvironmentRender {
  segment("environment", environment);
  const kustomizer = createKustomizer(files);
  const apps: RenderedApp[] = [];
  const problems: RepositoryProblem[] = [];
  for (const app of listApps(files)) {
    if (!app.environments.includes(environment)) continue;
    const dir = appOverlay(app.service, environment);
    try {
      apps.push({ service: app.service, environment, dir, objects: kustomizer.render(dir) });
    } catch (e) {
      if (!(e instanceof KustomizeError)) throw e;
      problems.push(problemOf(e, { service: app.service, environment }));
    }
  }
  return { environment, apps, problems };
}

// ---------------------------------------------------------------------------------------------
// Image tags

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

export interface PinnedImage {
  /** The full reference the overlay renders to: "ghcr.io/acme/frontend:1.5.0". */
  image: string;
  name: string;
  tag: string | null;
  digest: string | null;
  workload: { kind: string; name: string };
  container: string;
}

/**
 * The service's own workload in a rendered overlay: the Deployment (StatefulSet, DaemonSet,
 * Rollout) named after the service, or the only workload there is.
 */
function mainWorkload(objects: readonly RenderedObject[], service: string): KubernetesObject | null {
  const workloads = objects.map((r) => r.object).filter((o) => WORKLOAD_KINDS.has(o.kind));
  return workloads.find((o) => o.metadata.name === service) ?? (workloads.length === 1 ? workloads[0]! : null);
}

function containersOf(o: KubernetesObject): { name: string; image: string }[] {
  const spec = o.spec as { template?: { spec?: { containers?: unknown } } } | undefined;
  const list = spec?.template?.spec?.containers;
  return Array.isArray(list) ? list.filter((c): c is { name: string; image: string } => typeof c?.name === "string" && typeof c?.image === "string") : [];
}

/** The image the service's main container runs in `environment` (the container named after the service, or the first). */
export function pinnedImage(files: FileMap, service: string, environment: string): PinnedImage | null {
  return pinnedImageOf(renderApp(files, service, environment), service);
}

/** The image the service's main container runs in an overlay's render (see `pinnedImage`). */
export function pinnedImageOf(objects: readonly RenderedObject[], service: string): PinnedImage | null {
  const workload = mainWorkload(objects, service);
  if (!workload) return null;
  const containers = containersOf(workload);
  const container = containers.find((c) => c.name === service) ?? containers[0];
  if (!container) return null;
  return { image: container.image, ...splitImage(container.image), workload: { kind: workload.kind, name: workload.metadata.name }, container: container.name };
}

/** The tag the overlay pins for the service (null when the image has none, e.g. a digest only). Throws NotFoundError without an overlay. */
export function imageTagOf(files: FileMap, service: string, environment: string): string | null {
  requireOverlay(files, service, environment);
  return pinnedImage(files, service, environment)?.tag ?? null;
}

/** Docker's tag grammar. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function requireOverlay(files: FileMap, service: string, environment: string): string {
  const dir = appOverlay(service, environment);
  const file = KUSTOMIZATION_FILE_NAMES.map((n) => `${dir}/${n}`).find((p) => Object.hasOwn(files, p));
  if (!file) throw new NotFoundError("Overlay", `${service}/${environment}`);
  return file;
}

/** How a tag is written so that YAML reads it back as that text: plain when it can be, quoted otherwise. */
function tagLiteral(tag: string, style: Scalar.Type | undefined): string {
  if (style === "QUOTE_SINGLE") return `'${tag}'`;
  if (style === "QUOTE_DOUBLE") return JSON.stringify(tag);
  return YAML.parse(tag) === tag ? tag : JSON.stringify(tag);
}

/**
 * The overlay's kustomization.yaml with the service's image pinned to `tag` — what a promotion
 * commits. Only that value changes when the overlay already pins a tag (comments, quoting and
 * layout stay as they are); otherwise an `images` entry is added. A digest on the entry is
 * dropped, since it would win over the tag. Checked by rendering the result: if something else
 * (a patch, a later entry) would still decide the image, this refuses rather than commit a
 * promotion that changes nothing.
 */
export function setImageTag(files: FileMap, service: string, environment: string, tag: string): string {
  if (!IMAGE_TAG.test(tag)) throw new ValidationError(`"${tag}" is not a valid image tag.`, [{ path: ["tag"], message: "letters, digits, '_', '.' and '-', up to 128, not starting with '.' or '-'" }]);
  const file = requireOverlay(files, service, environment);
  const current = pinnedImage(files, service, environment);
  if (!current) throw new RuleViolationError(`The ${environment} overlay of ${service} has no workload named ${service} to set the image of.`);
  const text = files[file]!;
  const doc = YAML.parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new RuleViolationError(`${file} is not valid YAML.`);

  const next = writeTag(doc, text, current.name, tag);
  const after = pinnedImage({ ...files, [file]: next }, service, environment);
  if (after?.tag !== tag || after.digest !== null) {
    throw new RuleViolationError(`Setting images[].newTag in ${file} would not change what ${service} runs in ${environment} (it would run ${after?.image ?? "nothing"}): something else in the overlay decides its image.`);
  }
  return next;
}

function writeTag(doc: Document, text: string, imageName: string, tag: string): string {
  const images = doc.get("images", true);
  const entries = isSeq(images) ? images.items : [];
  // The entry that renders to this image: by its newName, or by its name when it keeps it. Entries
  // apply in order, so when two match, the last one decides the tag.
  const index = entries.findLastIndex((n) => {
    if (!isMap(n)) return false;
    const name = n.get("name");
    const newName = n.get("newName");
    return newName === imageName || (newName === undefined && name === imageName);
  });
  if (index < 0) {
    const entry = doc.createNode({ name: imageName, newTag: tag });
    if (isSeq(images)) images.items.push(entry);
    else doc.set("images", doc.createNode([{ name: imageName, newTag: tag }]));
    return doc.toString({ lineWidth: 0 });
  }
  const entry = entries[index] as YAML.YAMLMap;
  const node = entry.get("newTag", true) as Node | undefined;
  if (!entry.has("digest") && isScalar(node) && node.range && (node.type === "PLAIN" || node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) {
    // Replace the value's text only, so that the diff is exactly the tag.
    const [start, end] = node.range;
    return `${text.slice(0, start)}${tagLiteral(tag, node.type)}${text.slice(end)}`;
  }
  entry.delete("digest");
  const value = doc.createNode(tag) as Scalar;
  if (YAML.parse(tag) !== tag) value.type = "QUOTE_DOUBLE";
  entry.set("newTag", value);
  return doc.toString({ lineWidth: 0 });
}

// ---------------------------------------------------------------------------------------------
// Argo CD Applications

export interface ArgoApplication {
  name: string;
  file: string;
  line: number | null;
  project: string | null;
  repoURL: string | null;
  targetRevision: string | null;
  path: string | null;
  destinationNamespace: string | null;
  automated: boolean;
  /** From `spec.source.path` when it is an app overlay of this layout. */
  service: string | null;
  environment: string | null;
}

/** The Argo CD Applications under argocd/ (other kinds there, such as AppProjects, are skipped). */
export function listApplications(files: FileMap): { applications: ArgoApplication[]; problems: RepositoryProblem[] } {
  const applications: ArgoApplication[] = [];
  const problems: RepositoryProblem[] = [];
  const overlay = new RegExp(`^${APPS_DIR}/([^/]+)/overlays/([^/]+)/?$`);
  for (const file of Object.keys(files).sort()) {
    if (!file.startsWith(`${ARGOCD_DIR}/`) || !/\.ya?ml$/.test(file)) continue;
    const counter = new LineCounter();
    const docs = YAML.parseAllDocuments(files[file]!, { lineCounter: counter });
    for (const doc of Array.isArray(docs) ? docs : []) {
      const err = doc.errors[0];
      if (err) {
        problems.push({ file, field: null, line: err.linePos?.[0]?.line ?? null, message: `${file}: not valid YAML: ${err.message.split("\n")[0]}` });
        continue;
      }
      const o = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown }; spec?: Record<string, unknown> } | null;
      if (!o || o.kind !== "Application" || typeof o.metadata?.name !== "string") continue;
      const spec = o.spec ?? {};
      const source = (spec.source ?? {}) as Record<string, unknown>;
      const destination = (spec.destination ?? {}) as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === "string" ? v : null);
      const m = typeof source.path === "string" ? overlay.exec(source.path) : null;
      applications.push({
        name: o.metadata.name,
        file,
        line: doc.contents?.range ? counter.linePos(doc.contents.range[0]).line : null,
        project: str(spec.project),
        repoURL: str(source.repoURL),
        targetRevision: str(source.targetRevision),
        path: str(source.path),
        destinationNamespace: str(destination.namespace),
        automated: Boolean((spec.syncPolicy as { automated?: unknown } | undefined)?.automated),
        service: m?.[1] ?? null,
        environment: m?.[2] ?? null,
      });
    }
  }
  return { applications, problems };
}

// ---------------------------------------------------------------------------------------------
// Terraform plans

export interface TerraformPlanFile {
  environment: string;
  file: string;
  /** `terraform show -json` output, as parsed. */
  plan: Record<string, unknown>;
  /** Line of each `resource_changes[]` entry by its address, for pointing a violation at the plan. */
  resourceLines: Record<string, number>;
}

const PLAN_FILE = new RegExp(`^${TERRAFORM_PLANS_DIR}/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\\.json$`);

/** The Terraform plans in infrastructure/terraform/plans/<environment>.json. An unreadable one is a problem, not fatal. */
export function terraformPlans(files: FileMap): { plans: TerraformPlanFile[]; problems: RepositoryProblem[] } {
  const plans: TerraformPlanFile[] = [];
  const problems: RepositoryProblem[] = [];
  for (const file of Object.keys(files).sort()) {
    const m = PLAN_FILE.exec(file);
    if (!m) continue;
    const text = files[file]!;
    let plan: unknown;
    try {
      plan = JSON.parse(text);
    } catch (e) {
      problems.push({ file, field: null, line: null, message: `${file}: not valid JSON: ${(e as Error).message}`, environment: m[1]! });
      continue;
    }
    if (typeof plan !== "object" || plan === null || Array.isArray(plan) || typeof (plan as { format_version?: unknown }).format_version !== "string") {
      problems.push({ file, field: "format_version", line: 1, message: `${file}: not the output of \`terraform show -json\` (no format_version)`, environment: m[1]! });
      continue;
    }
    plans.push({ environment: m[1]!, file, plan: plan as Record<string, unknown>, resourceLines: resourceLines(text) });
  }
  return { plans, problems };
}

function resourceLines(text: string): Record<string, number> {
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter });
  const changes = doc.get("resource_changes", true);
  const out: Record<string, number> = {};
  if (!isSeq(changes)) return out;
  for (const item of changes.items) {
    if (!isMap(item) || !item.range) continue;
    const address = item.get("address");
    if (typeof address === "string") out[address] = counter.linePos(item.range[0]).line;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reading the files

/**
 * File contents by blob id, shared by every reader in the process and bounded by their total
 * size (the least recently used go first). A blob id names the same content in any repository
 * and at any commit, so after a commit only the files it changed are read again.
 */
export class BlobCache {
  private readonly entries = new Map<string, string>();
  private total = 0;

  /** `maxChars`: the most text kept, in UTF-16 code units (a little over that many bytes of ASCII). */
  constructor(readonly maxChars: number) {}

  get size(): number {
    return this.entries.size;
  }

  get chars(): number {
    return this.total;
  }

  get(sha: string): string | undefined {
    const hit = this.entries.get(sha);
    if (hit !== undefined) {
      // Most recently used last.
      this.entries.delete(sha);
      this.entries.set(sha, hit);
    }
    return hit;
  }

  set(sha: string, content: string): void {
    if (content.length > this.maxChars) return;
    const old = this.entries.get(sha);
    if (old !== undefined) {
      this.total -= old.length;
      this.entries.delete(sha);
    }
    this.entries.set(sha, content);
    this.total += content.length;
    for (const [key, value] of this.entries) {
      if (this.total <= this.maxChars) break;
      this.entries.delete(key);
      this.total -= value.length;
    }
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}

/** The process's blob cache: 64 MiB of text (a GitOps repository of 500 services × 3 environments holds about 5). */
export const blobCache = new BlobCache(64 * 1024 * 1024);

/**
 * The contents of `entries` (from `GitHost.listFilesWithIds`), path → content: from the blob cache
 * where it knows them, the others in one batch read. A blob the host no longer has is left out.
 */
export async function readEntries(host: GitHost, repo: RepoRef, entries: readonly FileEntry[], cache: BlobCache = blobCache): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const missing = new Set<string>();
  for (const e of entries) {
    const hit = cache.get(e.sha);
    if (hit !== undefined) out.set(e.path, hit);
    else missing.add(e.sha);
  }
  if (missing.size === 0) return out;
  const read = await host.readBlobs(repo, [...missing]);
  for (const [sha, content] of read) cache.set(sha, content);
  for (const e of entries) {
    if (out.has(e.path)) continue;
    const content = read.get(e.sha);
    if (content !== undefined) out.set(e.path, content);
  }
  return out;
}

/** One revision of a GitOps repository: the files Paved reads (see `isGitOpsPath`) and their blob ids. */
export interface GitOpsRevision {
  files: FileMap;
  /** path → blob id, for every file in `files`. */
  ids: ReadonlyMap<string, string>;
}

/** The files Paved reads (apps/, argocd/, the Terraform plans) at a ref, with their blob ids: one listing, then only the blobs not in the cache. */
export async function readGitOpsRevision(host: GitHost, repo: RepoRef, ref?: string, cache: BlobCache = blobCache): Promise<GitOpsRevision> {
  const entries = (await host.listFilesWithIds(repo, ref)).filter((e) => isGitOpsPath(e.path));
  const contents = await readEntries(host, repo, entries, cache);
  const files: Record<string, string> = {};
  const ids = new Map<string, string>();
  for (const e of entries) {
    const content = contents.get(e.path);
    if (content === undefined) continue;
    files[e.path] = content;
    ids.set(e.path, e.sha);
  }
  return { files, ids };
}

/** The files Paved reads from a GitOps repository (apps/, argocd/, the Terraform plans), at a ref. */
export async function readGitOpsFiles(host: GitHost, repo: RepoRef, ref?: string): Promise<FileMap> {
  return (await readGitOpsRevision(host, repo, ref)).files;
}

// ---------------------------------------------------------------------------------------------
// Renders kept across commits

/** One service folder's files at a revision (path, blob id), and the render scopes made of them per environment. */
interface ServiceFiles {
  entries: readonly (readonly [string, string])[];
  scopes: Map<string, [RenderScope, RenderScope]>;
}

const byPath = (a: readonly [string, string], b: readonly [string, string]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function sameFiles(a: readonly (readonly [string, string])[], b: readonly (readonly [string, string])[]): boolean {
  return a.length === b.length && a.every((e, i) => e[0] === b[i]![0] && e[1] === b[i]![1]);
}

/**
 * A revision's files by service folder, with their blob ids, for `renderOverlay`: what an
 * overlay's render may read, and keys that change exactly when one of those files does. Made
 * from the previous revision's index, a service whose files did not change keeps its scopes.
 */
export class RenderIndex {
  private readonly byService = new Map<string, ServiceFiles>();
  private readonly all: [string, string][] = [];
  private allKey: string | null = null;

  /** `ids`: path → blob id of every file a render may read at the revision (the widest scope). */
  constructor(ids: Iterable<readonly [string, string]>, previous?: RenderIndex) {
    const lists = new Map<string, [string, string][]>();
    for (const [p, sha] of ids) {
      this.all.push([p, sha]);
      if (!p.startsWith(`${APPS_DIR}/`)) continue;
      const slash = p.indexOf("/", APPS_DIR.length + 1);
      if (slash < 0) continue;
      const service = p.slice(APPS_DIR.length + 1, slash);
      const list = lists.get(service);
      if (list) list.push([p, sha]);
      else lists.set(service, [[p, sha]]);
    }
    this.all.sort(byPath);
    for (const [service, list] of lists) {
      list.sort(byPath);
      const before = previous?.byService.get(service);
      this.byService.set(service, before && sameFiles(before.entries, list) ? before : { entries: list, scopes: new Map() });
    }
  }

  /**
   * The files an overlay's render may read, narrowest first: its overlay and base folders, the
   * service's folder, then every file. Each with a key naming the scope and its files' blob ids,
   * and its paths (both made when asked for: the widest scope is every file).
   */
  scopes(service: string, environment: string): RenderScope[] {
    const files = this.byService.get(service);
    let own = files?.scopes.get(environment);
    if (!own) {
      const entries = files?.entries ?? [];
      // (Names are checked by the render itself: a scope is only kept once it rendered.)
      const overlay = `${APPS_DIR}/${service}/overlays/${environment}/`;
      const base = `${APPS_DIR}/${service}/base/`;
      const narrow = entries.filter(([p]) => p.startsWith(overlay) || p.startsWith(base));
      const scope = (name: string, list: readonly (readonly [string, string])[]): RenderScope => {
        const key = `${name}\n${service}\n${environment}\n${list.map(([p, sha]) => `${sha} ${p}`).join("\n")}`;
        return { key: () => key, size: list.length, paths: () => list.map(([p]) => p) };
      };
      own = [scope("overlay", narrow), scope("service", entries)];
      files?.scopes.set(environment, own);
    }
    const all = this.all;
    const widest: RenderScope = {
      key: () => {
        this.allKey ??= digestOf(all.map(([p, sha]) => `${sha} ${p}`).join("\n"));
        return `all\n${service}\n${environment}\n${this.allKey}`;
      },
      size: all.length,
      paths: () => all.map(([p]) => p),
    };
    return [...own, widest];
  }
}

/** Files a render may read, and the key of their blob ids. */
export interface RenderScope {
  key: () => string;
  size: number;
  paths: () => string[];
}

function digestOf(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** An overlay rendered, or the KustomizeError that says why it cannot be. */
export type OverlayRender = { ok: true; objects: readonly RenderedObject[] } | { ok: false; error: KustomizeError };

/** Renders by the blob ids of what they read: a commit that changes one overlay renders that overlay again, not every one. */
const renders = new Map<string, OverlayRender>();
const RENDERS_KEPT = 8192;

function remember(key: string, render: OverlayRender): OverlayRender {
  renders.set(key, render);
  while (renders.size > RENDERS_KEPT) renders.delete(renders.keys().next().value!);
  return render;
}

/**
 * The service's overlay for the environment, rendered from the narrowest scope that renders it
 * (see `RenderIndex.scopes`): the result is the same as from all of apps/, since a render that
 * succeeds without a file never read it. `contents` gives the files of a scope (a lazy reader
 * reads only those); renders are kept by scope and blob ids, across revisions and callers.
 * The objects are shared: never change them.
 */
export async function renderOverlay(index: RenderIndex, service: string, environment: string, contents: (paths: readonly string[]) => FileMap | Promise<FileMap>): Promise<OverlayRender> {
  const scopes = index.scopes(service, environment);
  // Any scope that rendered gives the answer (the same from each): the narrow ones are looked up
  // first (the widest one's key changes with every commit), the widest one below.
  for (const scope of scopes.slice(0, -1)) {
    const key = scope.key();
    const hit = renders.get(key);
    if (hit?.ok) {
      renders.delete(key);
      renders.set(key, hit);
      return hit;
    }
  }
  let last: OverlayRender | null = null;
  let tried = -1;
  for (const scope of scopes) {
    // A wider scope with no more files than the last one tried is the same scope.
    if (scope.size === 0 || scope.size === tried) continue;
    tried = scope.size;
    const key = scope.key();
    const known = renders.get(key);
    if (known) {
      last = known;
      continue;
    }
    const files = await contents(scope.paths());
    try {
      return remember(key, { ok: true, objects: renderApp(files, service, environment) });
    } catch (e) {
      if (!(e instanceof KustomizeError)) throw e;
      last = remember(key, { ok: false, error: e });
    }
  }
  if (last) return last;
  // No file at all: rendered from nothing, for the error that gives.
  try {
    return { ok: true, objects: renderApp({}, service, environment) };
  } catch (e) {
    if (!(e instanceof KustomizeError)) throw e;
    return { ok: false, error: e };
  }
}

/** The repository Paved reads and writes for this host: the sandbox's, or `<org>/gitops` on GitHub. */
export function gitOpsRepositoryOf(host: GitHost): RepoRef {
  return parseRepositoryName(host.kind === "sandbox" ? SANDBOX_GITOPS_REPOSITORY : `${host.defaultOwner}/gitops`);
}

export interface ServiceImage {
  environment: string;
  /** The overlay folder, when the repository has one for this environment. */
  overlay: string | null;
  image: PinnedImage | null;
  problem: string | null;
}

/**
 * What the GitOps repository pins for one service in each environment: reads only that service's
 * folder (apps/<service>/), so a service page does not fetch the whole repository. An environment
 * given with a branch (branch-per-environment repositories) is read on that branch; by name
 * alone, on the default branch.
 */
export async function serviceImages(host: GitHost, service: string, environments: readonly (string | { name: string; branch: string | null })[]): Promise<ServiceImage[] | null> {
  const repo = gitOpsRepositoryOf(host);
  if (!(await host.getRepo(repo))) return null;
  const prefix = `${APPS_DIR}/${segment("service", service)}/`;
  const wanted = environments.map((e) => (typeof e === "string" ? { name: e, branch: null } : e));
  // One read of the service's folder per branch.
  const byBranch = new Map<string, Promise<{ paths: string[]; files: FileMap }>>();
  const folder = (branch: string | null) => {
    const key = branch ?? "";
    let read = byBranch.get(key);
    if (!read) {
      read = (async () => {
        const ref = branch ?? undefined;
        const paths = (await host.listFiles(repo, ref)).filter((p) => p.startsWith(prefix));
        const files: Record<string, string> = {};
        for (const [p, content] of await host.readFiles(repo, paths, ref)) files[p] = content;
        return { paths, files };
      })();
      byBranch.set(key, read);
    }
    return read;
  };
  return Promise.all(
    wanted.map(async ({ name: environment, branch }) => {
      const overlay = appOverlay(service, environment);
      let paths: string[];
      let files: FileMap;
      try {
        ({ paths, files } = await folder(branch));
      } catch (e) {
        return { environment, overlay: null, image: null, problem: (e as Error).message };
      }
      if (!paths.some((p) => p.startsWith(`${overlay}/`))) return { environment, overlay: null, image: null, problem: null };
      try {
        return { environment, overlay, image: pinnedImage(files, service, environment), problem: null };
      } catch (e) {
        return { environment, overlay, image: null, problem: (e as Error).message };
      }
    }),
  );
}

/** Every file under a folder on disk, by path relative to it (for `npm run policy -- check`, fixtures, a local checkout). */
export async function readFileMap(root: string): Promise<FileMap> {
  const files: Record<string, string> = {};
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const full = path.join(e.parentPath, e.name);
        const rel = path.relative(root, full).split(path.sep).join("/");
        if (rel.split("/").some((s) => s === ".git")) return;
        files[rel] = await readFile(full, "utf8");
      }),
  );
  return files;
}
