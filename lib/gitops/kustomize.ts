// A small kustomize in TypeScript: renders a kustomization directory (an overlay or a base) into
// the Kubernetes objects `kustomize build` would print, for the subset of kustomize that Paved's
// GitOps repository uses. No kustomize binary exists where Paved runs, and the compliance scan,
// the promotion diff and the sandbox cluster all need the rendered objects.
//
// Invariants:
// - Pure: a function of a file map (path → content, paths relative to the repository root), so it
//   works on a GitHost's files, on a folder read from disk, and in tests.
// - Faithful or refused: every field it does not implement is an error naming the kustomization
//   file, the field and its line — never a silently different result. Where kustomize itself
//   errors (a missing resource, a duplicate object, a patch or replica that matches nothing, a
//   file outside the kustomization's folder), so does this.
// - Every rendered object keeps where it was declared (file, document index, line) and which
//   kustomization fields changed it, so a policy violation can point at a file and a line.
//
// Semantics follow kustomize v5: transformers run per kustomization in kustomize's order
// (patchesStrategicMerge, patches, namespace, labels then commonLabels, commonAnnotations,
// patchesJson6902, replicas, images); strategic merge patches use Kubernetes' merge keys for
// built-in kinds (containers by name, ports by containerPort, …), replace lists of other kinds,
// and put the patch's list elements first (kustomize's "prepend" merge); the output is in
// kustomize's default ("legacy") order unless `sortOptions.order: fifo`.
import path from "node:path";
import YAML, { LineCounter, isMap, isScalar, isSeq, type Document, type Node } from "yaml";
import { z } from "zod";
import { AppError } from "../core/errors.ts";

/** Repository-relative path ("apps/frontend/base/deployment.yaml") → file content. */
export type FileMap = Readonly<Record<string, string>>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** Where an object was declared: its file, the document's 0-based index in it, and the 1-based line where the object starts. */
export interface SourceLocation {
  file: string;
  document: number;
  line: number | null;
}

/** A kustomization field (or patch) that changed a rendered object: "images[0]" in an overlay's kustomization.yaml, say. */
export interface Transformation {
  file: string;
  field: string;
  line: number | null;
}

export interface RenderedObject {
  object: KubernetesObject;
  source: SourceLocation;
  /** In the order they were applied (innermost kustomization first). */
  transformedBy: Transformation[];
}

/** The repository cannot be rendered: names the file, the field (when there is one) and the line. */
export class KustomizeError extends AppError {
  readonly file: string;
  readonly field: string | null;
  readonly line: number | null;

  constructor(file: string, field: string | null, line: number | null, problem: string) {
    super("rule_violation", `${file}${line ? `:${line}` : ""}: ${field ? `${field}: ` : ""}${problem}`, { file, field, line });
    this.file = file;
    this.field = field;
    this.line = line;
  }
}

export const KUSTOMIZATION_FILE_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** Renders the kustomization in `dir` ("" for the repository root). Throws KustomizeError. */
export function renderKustomization(files: FileMap, dir: string): RenderedObject[] {
  return createKustomizer(files).render(dir);
}

/** A renderer over one file map, for rendering many directories of the same repository. */
export function createKustomizer(files: FileMap): { render(dir: string): RenderedObject[] } {
  const repo = new Repo(files);
  return { render: (dir) => repo.build(normaliseDir(dir), []) };
}

// ---------------------------------------------------------------------------------------------
// Paths

function normaliseDir(dir: string): string {
  const n = path.posix.normalize(dir.replace(/^\/+/, "") || ".");
  if (n === "." || n === "./") return "";
  if (n === ".." || n.startsWith("../")) throw new KustomizeError(dir, null, null, "is outside the repository");
  return n.replace(/\/$/, "");
}

/** `rel` resolved against `dir`; null when it leaves the repository or is absolute. */
function resolve(dir: string, rel: string): string | null {
  if (rel.startsWith("/")) return null;
  const n = path.posix.normalize(dir ? `${dir}/${rel}` : rel).replace(/\/$/, "");
  if (n === ".") return "";
  if (n === ".." || n.startsWith("../")) return null;
  return n;
}

function isWithin(dir: string, file: string): boolean {
  return dir === "" || file.startsWith(`${dir}/`);
}

// ---------------------------------------------------------------------------------------------
// YAML helpers

/** The first line of a YAML parser's message, without the position it repeats. */
function yamlProblem(message: string): string {
  return `not valid YAML: ${(message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}`;
}

function lineOf(counter: LineCounter, node: Node | null | undefined): number | null {
  const offset = node?.range?.[0];
  return offset === undefined ? null : counter.linePos(offset).line;
}

function nodeAt(doc: Document, keys: readonly (string | number)[]): Node | null {
  let node: unknown = doc.contents;
  for (const key of keys) {
    if (isMap(node)) node = node.get(key, true);
    else if (isSeq(node) && typeof key === "number") node = node.items[key];
    else return null;
  }
  return (node as Node | undefined) ?? null;
}

/** A scalar's text as written (`1.10` stays "1.10", not 1.1): what kustomize reads into its string fields. */
function scalarText(node: unknown): string | null {
  if (!isScalar(node)) return null;
  if (node.value === null) return "";
  if (typeof node.value === "string") return node.value;
  return node.source ?? String(node.value);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

// ---------------------------------------------------------------------------------------------
// The kustomization file

const Selector = z
  .object({
    group: z.string().optional(),
    version: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    namespace: z.string().optional(),
    labelSelector: z.string().optional(),
    annotationSelector: z.string().optional(),
  })
  .strict();
type Selector = z.infer<typeof Selector>;

const PatchEntry = z
  .object({
    path: z.string().min(1).optional(),
    patch: z.string().min(1).optional(),
    target: Selector.optional(),
    options: z
      .object({ allowNameChange: z.boolean().optional(), allowKindChange: z.boolean().optional() })
      .strict()
      .optional(),
  })
  .strict()
  .refine((p) => (p.path === undefined) !== (p.patch === undefined), "a patch needs exactly one of path and patch");

const Json6902Entry = z
  .object({
    path: z.string().min(1).optional(),
    patch: z.string().min(1).optional(),
    target: Selector.extend({ kind: z.string().min(1), name: z.string().min(1) }),
  })
  .strict()
  .refine((p) => (p.path === undefined) !== (p.patch === undefined), "a patch needs exactly one of path and patch");

const ScalarLike = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const KustomizationShape = z
  .object({
    apiVersion: z.literal("kustomize.config.k8s.io/v1beta1").optional(),
    kind: z.literal("Kustomization").optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    resources: z.array(z.string().min(1)).optional(),
    bases: z.array(z.string().min(1)).optional(),
    namespace: z.string().min(1).optional(),
    commonLabels: z.record(z.string(), ScalarLike).optional(),
    labels: z
      .array(
        z
          .object({
            pairs: z.record(z.string(), ScalarLike),
            includeSelectors: z.boolean().optional(),
            includeTemplates: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    commonAnnotations: z.record(z.string(), ScalarLike).optional(),
    images: z
      .array(
        z
          .object({
            name: z.string().min(1),
            newName: z.string().min(1).optional(),
            newTag: z.union([z.string(), z.number()]).optional(),
            digest: z.string().min(1).optional(),
          })
          .strict(),
      )
      .optional(),
    replicas: z.array(z.object({ name: z.string().min(1), count: z.number().int().min(0) }).strict()).optional(),
    patches: z.array(PatchEntry).optional(),
    patchesStrategicMerge: z.array(z.string().min(1)).optional(),
    patchesJson6902: z.array(Json6902Entry).optional(),
    sortOptions: z.object({ order: z.enum(["legacy", "fifo"]) }).strict().optional(),
  })
  .strict();

/** Kustomization fields kustomize knows that this renderer refuses, and why. */
const REFUSED_FIELDS: Record<string, string> = {
  namePrefix: "name prefixes need every reference to a renamed object rewritten, which this renderer does not do",
  nameSuffix: "name suffixes need every reference to a renamed object rewritten, which this renderer does not do",
  components: "components are not supported",
  configMapGenerator: "generators are not supported: commit the ConfigMap",
  secretGenerator: "generators are not supported (and Secrets do not belong in git: use a SealedSecret or an ExternalSecret)",
  generatorOptions: "generators are not supported",
  generators: "generator plugins are not supported",
  transformers: "transformer plugins are not supported",
  validators: "validator plugins are not supported",
  vars: "vars are not supported",
  replacements: "replacements are not supported",
  helmCharts: "Helm charts are not supported: render the chart into the repository",
  helmGlobals: "Helm charts are not supported",
  helmChartInflationGenerator: "Helm charts are not supported",
  crds: "custom resource definitions for transformers are not supported",
  configurations: "custom transformer configurations are not supported",
  openapi: "custom OpenAPI schemas are not supported",
  buildMetadata: "buildMetadata is not supported",
  imageTags: "the old imageTags field is not supported: use images",
};

const KNOWN_FIELDS = new Set(Object.keys(KustomizationShape.shape));

interface Kustomization {
  file: string;
  dir: string;
  data: z.infer<typeof KustomizationShape>;
  line(keys: readonly (string | number)[]): number | null;
  /** A string map (commonLabels, labels[i].pairs, commonAnnotations) with scalars as written. */
  stringMap(keys: readonly (string | number)[]): Record<string, string>;
  /** images[i].newTag as written. */
  text(keys: readonly (string | number)[]): string | null;
}

function parseKustomization(file: string, dir: string, text: string): Kustomization {
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const firstError = doc.errors[0];
  if (firstError) throw new KustomizeError(file, null, firstError.linePos?.[0]?.line ?? null, yamlProblem(firstError.message));
  if (doc.contents === null) throw new KustomizeError(file, null, null, "is empty");
  if (!isMap(doc.contents)) throw new KustomizeError(file, null, lineOf(counter, doc.contents), "is not a mapping of kustomization fields");
  const line = (keys: readonly (string | number)[]) => lineOf(counter, nodeAt(doc, keys));

  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : null;
    if (key === null) continue;
    const where = lineOf(counter, pair.key as Node);
    const refused = REFUSED_FIELDS[key];
    if (refused) throw new KustomizeError(file, key, where, `not supported by Paved's kustomize subset: ${refused}`);
    if (!KNOWN_FIELDS.has(key)) throw new KustomizeError(file, key, where, "is not a kustomization field Paved knows");
  }
  const raw = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  if (isPlainObject(raw) && raw.kind === "Component") throw new KustomizeError(file, "kind", line(["kind"]), "components are not supported");
  if (isPlainObject(raw) && Array.isArray(raw.patches)) {
    raw.patches.forEach((p, i) => {
      const options = isPlainObject(p) && isPlainObject(p.options) ? p.options : {};
      for (const [name, value] of Object.entries(options)) {
        if (value === true) throw new KustomizeError(file, `patches[${i}].options.${name}`, line(["patches", i, "options", name]), "not supported by Paved's kustomize subset: patches may not rename objects or change their kind");
      }
    });
  }
  const parsed = KustomizationShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.path.filter((k): k is string | number => typeof k !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const extra = [...keys, issue.keys[0] ?? ""];
      throw new KustomizeError(file, formatField(extra), line(extra), "is not supported by Paved's kustomize subset");
    }
    throw new KustomizeError(file, formatField(keys) || null, line(keys), issue.message);
  }

  return {
    file,
    dir,
    data: parsed.data,
    line,
    stringMap(keys) {
      const node = nodeAt(doc, keys);
      const out: Record<string, string> = {};
      if (!isMap(node)) return out;
      for (const pair of node.items) {
        const k = scalarText(pair.key);
        const v = pair.value === null ? "" : scalarText(pair.value);
        if (k === null || v === null) throw new KustomizeError(file, formatField([...keys]), lineOf(counter, pair.key as Node), "keys and values must be strings");
        out[k] = v;
      }
      return out;
    },
    text: (keys) => scalarText(nodeAt(doc, keys)),
  };
}

function formatField(keys: readonly (string | number)[]): string {
  return keys.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), "");
}

// ---------------------------------------------------------------------------------------------
// Resource files

interface ParsedDocument {
  object: KubernetesObject;
  document: number;
  line: number | null;
}

interface ParsedYamlDocument {
  value: unknown;
  document: number;
  line: number | null;
  /** Lines of a List's items. */
  itemLines: (number | null)[];
}

function parseYamlDocuments(file: string, text: string): ParsedYamlDocument[] {
  const counter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) return [];
  const out: ParsedYamlDocument[] = [];
  docs.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) throw new KustomizeError(file, null, err.linePos?.[0]?.line ?? null, yamlProblem(err.message));
    if (doc.contents === null) return;
    const items = isMap(doc.contents) ? doc.contents.get("items", true) : null;
    out.push({
      value: doc.toJS({ maxAliasCount: 1000 }),
      document: index,
      line: lineOf(counter, doc.contents),
      itemLines: isSeq(items) ? items.items.map((n) => lineOf(counter, n as Node)) : [],
    });
  });
  return out;
}

function parseResourceFile(file: string, text: string): ParsedDocument[] {
  const out: ParsedDocument[] = [];
  for (const doc of parseYamlDocuments(file, text)) {
    const v = doc.value;
    if (v === null || v === undefined) continue;
    if (!isPlainObject(v)) throw new KustomizeError(file, null, doc.line, `document ${doc.document} is not a Kubernetes object`);
    // A List (kind: List, or FooList with items) stands for its items, as in kustomize.
    if (typeof v.kind === "string" && v.kind.endsWith("List") && Array.isArray(v.items)) {
      v.items.forEach((item, i) => out.push({ object: checkObject(file, item, doc.itemLines[i] ?? doc.line), document: doc.document, line: doc.itemLines[i] ?? doc.line }));
      continue;
    }
    out.push({ object: checkObject(file, v, doc.line), document: doc.document, line: doc.line });
  }
  return out;
}

function checkObject(file: string, v: unknown, line: number | null): KubernetesObject {
  if (!isPlainObject(v)) throw new KustomizeError(file, null, line, "is not a Kubernetes object");
  if (typeof v.apiVersion !== "string" || !v.apiVersion) throw new KustomizeError(file, "apiVersion", line, "an object needs an apiVersion");
  if (typeof v.kind !== "string" || !v.kind) throw new KustomizeError(file, "kind", line, "an object needs a kind");
  const meta = v.metadata;
  if (!isPlainObject(meta) || typeof meta.name !== "string" || !meta.name) throw new KustomizeError(file, "metadata.name", line, `the ${v.kind} needs a metadata.name`);
  return v as KubernetesObject;
}

// ---------------------------------------------------------------------------------------------
// Object identity and selection

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function gvkOf(o: { apiVersion: string; kind: string }): Gvk {
  const slash = o.apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: o.apiVersion, kind: o.kind } : { group: o.apiVersion.slice(0, slash), version: o.apiVersion.slice(slash + 1), kind: o.kind };
}

function idOf(o: KubernetesObject): string {
  return `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
}

function describe(o: KubernetesObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

/** Kinds Kubernetes serves without a namespace: the namespace transformer leaves them alone. */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CertificateSigningRequest",
  "ClusterRole",
  "ClusterRoleBinding",
  "ComponentStatus",
  "CSIDriver",
  "CSINode",
  "CustomResourceDefinition",
  "FlowSchema",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Namespace",
  "Node",
  "PersistentVolume",
  "PodSecurityPolicy",
  "PriorityClass",
  "PriorityLevelConfiguration",
  "RuntimeClass",
  "SelfSubjectAccessReview",
  "SelfSubjectRulesReview",
  "StorageClass",
  "SubjectAccessReview",
  "TokenReview",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

/** API groups whose kinds have a published schema (and so merge keys for strategic merge patches). */
const BUILTIN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "networking.k8s.io",
  "rbac.authorization.k8s.io",
  "storage.k8s.io",
  "scheduling.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "certificates.k8s.io",
  "node.k8s.io",
  "events.k8s.io",
]);

/** kustomize's label selector subset: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
function matchesLabelSelector(file: string, field: string, line: number | null, selector: string, labels: Record<string, string> | undefined): boolean {
  const have = labels ?? {};
  return selector
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .every((req) => {
      let m = /^([\w./-]+)\s*!=\s*([\w.-]*)$/.exec(req);
      if (m) return have[m[1]!] !== m[2];
      m = /^([\w./-]+)\s*==?\s*([\w.-]*)$/.exec(req);
      if (m) return have[m[1]!] === m[2];
      m = /^(!?)([\w./-]+)$/.exec(req);
      if (m) return m[1] ? !(m[2]! in have) : m[2]! in have;
      throw new KustomizeError(file, field, line, `set-based selectors such as "${req}" are not supported`);
    });
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function selects(file: string, field: string, line: number | null, sel: Selector, o: KubernetesObject): boolean {
  const gvk = gvkOf(o);
  if (sel.group !== undefined && sel.group !== gvk.group) return false;
  if (sel.version !== undefined && sel.version !== gvk.version) return false;
  if (sel.kind !== undefined && !anchored(sel.kind).test(gvk.kind)) return false;
  if (sel.name !== undefined && !anchored(sel.name).test(o.metadata.name)) return false;
  if (sel.namespace !== undefined && !anchored(sel.namespace).test(o.metadata.namespace ?? "")) return false;
  if (sel.labelSelector !== undefined && !matchesLabelSelector(file, `${field}.labelSelector`, line, sel.labelSelector, o.metadata.labels)) return false;
  if (sel.annotationSelector !== undefined && !matchesLabelSelector(file, `${field}.annotationSelector`, line, sel.annotationSelector, o.metadata.annotations)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Field specs: where kustomize's label, annotation and namespace transformers write

interface FieldSpec {
  path: string;
  create: boolean;
  group?: string;
  version?: string;
  kind?: string;
}

/** kustomize's metadataLabelsFieldSpecs: an object's labels and its pod (and claim) templates' labels. */
const TEMPLATE_LABEL_SPECS: FieldSpec[] = [
  { path: "metadata/labels", create: true },
  { path: "spec/template/metadata/labels", create: true, version: "v1", kind: "ReplicationController" },
  { path: "spec/template/metadata/labels", create: true, kind: "Deployment" },
  { path: "spec/template/metadata/labels", create: true, kind: "ReplicaSet" },
  { path: "spec/template/metadata/labels", create: true, kind: "DaemonSet" },
  { path: "spec/template/metadata/labels", create: true, group: "apps", kind: "StatefulSet" },
  { path: "spec/volumeClaimTemplates[]/metadata/labels", create: true, group: "apps", kind: "StatefulSet" },
  { path: "spec/template/metadata/labels", create: true, group: "batch", kind: "Job" },
  { path: "spec/jobTemplate/metadata/labels", create: true, group: "batch", kind: "CronJob" },
  { path: "spec/jobTemplate/spec/template/metadata/labels", create: true, group: "batch", kind: "CronJob" },
];

const AFFINITY_PATHS = [
  "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution[]/podAffinityTerm/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution[]/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution[]/podAffinityTerm/labelSelector/matchLabels",
  "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution[]/labelSelector/matchLabels",
  "spec/template/spec/topologySpreadConstraints[]/labelSelector/matchLabels",
];

/** kustomize's commonLabelFieldSpecs: the above plus selectors, so that selectors keep matching the templates. */
const SELECTOR_LABEL_SPECS: FieldSpec[] = [
  ...TEMPLATE_LABEL_SPECS,
  { path: "spec/selector", create: true, version: "v1", kind: "Service" },
  { path: "spec/selector", create: true, version: "v1", kind: "ReplicationController" },
  { path: "spec/selector/matchLabels", create: true, kind: "Deployment" },
  ...AFFINITY_PATHS.map((p) => ({ path: p, create: false, group: "apps", kind: "Deployment" })),
  { path: "spec/selector/matchLabels", create: true, kind: "ReplicaSet" },
  { path: "spec/selector/matchLabels", create: true, kind: "DaemonSet" },
  { path: "spec/selector/matchLabels", create: true, group: "apps", kind: "StatefulSet" },
  ...AFFINITY_PATHS.map((p) => ({ path: p, create: false, group: "apps", kind: "StatefulSet" })),
  { path: "spec/selector/matchLabels", create: false, group: "batch", kind: "Job" },
  { path: "spec/jobTemplate/spec/selector/matchLabels", create: false, group: "batch", kind: "CronJob" },
  { path: "spec/selector/matchLabels", create: false, group: "policy", kind: "PodDisruptionBudget" },
  { path: "spec/podSelector/matchLabels", create: false, group: "networking.k8s.io", kind: "NetworkPolicy" },
  { path: "spec/ingress[]/from[]/podSelector/matchLabels", create: false, group: "networking.k8s.io", kind: "NetworkPolicy" },
  { path: "spec/egress[]/to[]/podSelector/matchLabels", create: false, group: "networking.k8s.io", kind: "NetworkPolicy" },
];

const ANNOTATION_SPECS: FieldSpec[] = [
  { path: "metadata/annotations", create: true },
  { path: "spec/template/metadata/annotations", create: true, version: "v1", kind: "ReplicationController" },
  { path: "spec/template/metadata/annotations", create: true, kind: "Deployment" },
  { path: "spec/template/metadata/annotations", create: true, kind: "ReplicaSet" },
  { path: "spec/template/metadata/annotations", create: true, kind: "DaemonSet" },
  { path: "spec/template/metadata/annotations", create: true, kind: "StatefulSet" },
  { path: "spec/template/metadata/annotations", create: true, group: "batch", kind: "Job" },
  { path: "spec/jobTemplate/metadata/annotations", create: true, group: "batch", kind: "CronJob" },
  { path: "spec/jobTemplate/spec/template/metadata/annotations", create: true, group: "batch", kind: "CronJob" },
];

/** Kinds whose spec.replicas the `replicas` field sets (kustomize's replicas field specs). */
const REPLICA_KINDS = new Set(["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"]);

function specApplies(spec: FieldSpec, gvk: Gvk): boolean {
  return (spec.kind === undefined || spec.kind === gvk.kind) && (spec.group === undefined || spec.group === gvk.group) && (spec.version === undefined || spec.version === gvk.version);
}

/** Calls `visit` with each map at the spec's path, creating missing maps when the spec says so. */
function visitMaps(target: Record<string, unknown>, segments: readonly string[], create: boolean, visit: (m: Record<string, unknown>) => void): void {
  const [head, ...rest] = segments;
  if (head === undefined) return visit(target);
  const isList = head.endsWith("[]");
  const key = isList ? head.slice(0, -2) : head;
  const next = target[key];
  if (isList) {
    if (Array.isArray(next)) for (const el of next) if (isPlainObject(el)) visitMaps(el, rest, create, visit);
    return;
  }
  if (isPlainObject(next)) return visitMaps(next, rest, create, visit);
  if ((next === undefined || next === null) && create) {
    const made: Record<string, unknown> = {};
    target[key] = made;
    visitMaps(made, rest, create, visit);
  }
}

/** Sets `pairs` in every map the specs reach; returns whether anything changed. */
function setPairs(o: KubernetesObject, specs: readonly FieldSpec[], pairs: Record<string, string>): boolean {
  const gvk = gvkOf(o);
  let changed = false;
  for (const spec of specs) {
    if (!specApplies(spec, gvk)) continue;
    visitMaps(o, spec.path.split("/"), spec.create, (m) => {
      for (const [k, v] of Object.entries(pairs)) {
        if (m[k] !== v) changed = true;
        m[k] = v;
      }
    });
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patches

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

type ListStrategy = { kind: "replace" } | { kind: "keyed"; key: string } | { kind: "union" };

/**
 * How a list merges under a strategic merge patch. Built-in kinds use Kubernetes' patch merge
 * keys; lists without one are replaced, as are all lists of other kinds (kustomize has no schema
 * for them either).
 */
function listStrategy(builtin: boolean, kind: string, trail: readonly string[], key: string): ListStrategy {
  if (!builtin) return { kind: "replace" };
  const parent = trail[trail.length - 1];
  const inContainer = parent === "[]" && CONTAINER_LISTS.has(trail[trail.length - 2] ?? "");
  if (trail.length === 1 && trail[0] === "metadata") {
    if (key === "finalizers") return { kind: "union" };
    if (key === "ownerReferences") return { kind: "keyed", key: "uid" };
  }
  if (inContainer) {
    if (key === "env") return { kind: "keyed", key: "name" };
    if (key === "ports") return { kind: "keyed", key: "containerPort" };
    if (key === "volumeMounts") return { kind: "keyed", key: "mountPath" };
    if (key === "volumeDevices") return { kind: "keyed", key: "devicePath" };
    return { kind: "replace" };
  }
  // A pod spec: spec (Pod), spec.template.spec (workloads), spec.jobTemplate.spec.template.spec (CronJob).
  const joined = trail.join("/");
  const podSpec = (kind === "Pod" && joined === "spec") || (!trail.includes("[]") && (joined === "template/spec" || joined.endsWith("/template/spec")));
  if (podSpec) {
    if (CONTAINER_LISTS.has(key) || key === "volumes" || key === "imagePullSecrets" || key === "resourceClaims" || key === "schedulingGates") return { kind: "keyed", key: "name" };
    if (key === "hostAliases") return { kind: "keyed", key: "ip" };
    if (key === "topologySpreadConstraints") return { kind: "keyed", key: "topologyKey" };
  }
  if (kind === "Service" && trail.join("/") === "spec" && key === "ports") return { kind: "keyed", key: "port" };
  if (kind === "ServiceAccount" && trail.length === 0 && (key === "secrets" || key === "imagePullSecrets")) return { kind: "keyed", key: "name" };
  return { kind: "replace" };
}

interface MergeContext {
  file: string;
  line: number | null;
  builtin: boolean;
  kind: string;
}

const DIRECTIVE = "$patch";

function refuseDirectives(ctx: MergeContext, patch: Record<string, unknown>, trail: readonly string[]): void {
  for (const k of Object.keys(patch)) {
    if (k.startsWith("$") && k !== DIRECTIVE) {
      throw new KustomizeError(ctx.file, [...trail, k].join("."), ctx.line, "this strategic merge patch directive is not supported");
    }
  }
  const d = patch[DIRECTIVE];
  if (d !== undefined && d !== "merge" && d !== "replace" && d !== "delete") {
    throw new KustomizeError(ctx.file, [...trail, DIRECTIVE].join("."), ctx.line, `unknown directive ${JSON.stringify(d)}`);
  }
}

/** Merges `patch` into `target` (a map) and returns the result; null when the patch deletes it. */
function mergeMap(ctx: MergeContext, target: Record<string, unknown> | undefined, patch: Record<string, unknown>, trail: string[]): Record<string, unknown> | null {
  refuseDirectives(ctx, patch, trail);
  const directive = patch[DIRECTIVE];
  if (directive === "delete") return null;
  const body = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== DIRECTIVE));
  if (directive === "replace" || target === undefined) return stripDirectives(ctx, body, trail);
  const out: Record<string, unknown> = { ...target };
  for (const [key, pv] of Object.entries(body)) {
    if (pv === null) {
      delete out[key];
      continue;
    }
    const tv = out[key];
    if (isPlainObject(pv)) {
      const merged = mergeMap(ctx, isPlainObject(tv) ? tv : undefined, pv, [...trail, key]);
      if (merged === null) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(pv)) {
      out[key] = mergeList(ctx, Array.isArray(tv) ? tv : undefined, pv, trail, key);
    } else {
      out[key] = pv;
    }
  }
  return out;
}

/** A patch value that lands where the target has nothing: directives must still not leak into the object. */
function stripDirectives(ctx: MergeContext, v: Record<string, unknown>, trail: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === DIRECTIVE) continue;
    if (x === null) continue;
    if (isPlainObject(x)) {
      const merged = mergeMap(ctx, undefined, x, [...trail, k]);
      if (merged !== null) out[k] = merged;
    } else if (Array.isArray(x)) out[k] = mergeList(ctx, undefined, x, trail, k);
    else out[k] = x;
  }
  return out;
}

function mergeList(ctx: MergeContext, target: unknown[] | undefined, patch: unknown[], trail: string[], key: string): unknown[] {
  const field = [...trail, key].join(".");
  // A `{ $patch: replace }` element replaces the list with the patch's other elements.
  const replaceAll = patch.some((el) => isPlainObject(el) && el[DIRECTIVE] === "replace" && Object.keys(el).length === 1);
  const items = patch.filter((el) => !(isPlainObject(el) && el[DIRECTIVE] === "replace" && Object.keys(el).length === 1));
  const strategy = replaceAll ? ({ kind: "replace" } as const) : listStrategy(ctx.builtin, ctx.kind, trail, key);
  const childTrail = [...trail, key, "[]"];

  if (strategy.kind === "union") {
    const out: unknown[] = [];
    for (const v of [...items, ...(target ?? [])]) if (!out.some((x) => x === v)) out.push(v);
    return out;
  }
  if (strategy.kind === "replace") {
    for (const el of items) if (isPlainObject(el) && el[DIRECTIVE] === "delete") throw new KustomizeError(ctx.file, field, ctx.line, "$patch: delete needs a list merged by key; this list is replaced whole");
    return items.map((el) => (isPlainObject(el) ? stripDirectives(ctx, el, childTrail) : el));
  }
  const k = strategy.key;
  const keyOf = (el: unknown): string | null => (isPlainObject(el) && el[k] !== undefined && el[k] !== null ? String(el[k]) : null);
  const existing = new Map<string, Record<string, unknown>>();
  for (const el of target ?? []) {
    const id = keyOf(el);
    if (id !== null && isPlainObject(el)) existing.set(id, el);
  }
  // kustomize's order: the patch's elements first (in the patch's order), then the target's others.
  const out: unknown[] = [];
  const done = new Set<string>();
  for (const el of items) {
    if (!isPlainObject(el)) throw new KustomizeError(ctx.file, field, ctx.line, `elements must be maps with "${k}"`);
    const id = keyOf(el);
    if (id === null) throw new KustomizeError(ctx.file, field, ctx.line, `every element needs its merge key "${k}"`);
    done.add(id);
    const merged = mergeMap(ctx, existing.get(id), el, childTrail);
    if (merged !== null && Object.keys(merged).length > 0) out.push(merged);
  }
  for (const el of target ?? []) {
    const id = keyOf(el);
    if (id === null || !done.has(id)) out.push(el);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON patches (RFC 6902)

const JsonOp = z.discriminatedUnion("op", [
  z.object({ op: z.literal("add"), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal("replace"), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal("test"), path: z.string(), value: z.unknown() }).strict(),
  z.object({ op: z.literal("remove"), path: z.string() }).strict(),
  z.object({ op: z.literal("move"), path: z.string(), from: z.string() }).strict(),
  z.object({ op: z.literal("copy"), path: z.string(), from: z.string() }).strict(),
]);
type JsonOp = z.infer<typeof JsonOp>;

function pointer(p: string): string[] {
  if (p === "") return [];
  if (!p.startsWith("/")) throw new Error(`"${p}" is not a JSON pointer`);
  return p
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

function applyJsonPatch(doc: unknown, ops: readonly JsonOp[]): unknown {
  let root = clone(doc);
  const parentOf = (segs: string[]): { parent: unknown; last: string } => {
    let node: unknown = root;
    for (const s of segs.slice(0, -1)) {
      if (Array.isArray(node)) node = node[Number(s)];
      else if (isPlainObject(node)) node = node[s];
      else node = undefined;
      if (node === undefined) throw new Error(`path /${segs.join("/")} does not exist`);
    }
    return { parent: node, last: segs[segs.length - 1]! };
  };
  const get = (p: string): unknown => {
    let node: unknown = root;
    for (const s of pointer(p)) {
      node = Array.isArray(node) ? node[Number(s)] : isPlainObject(node) ? node[s] : undefined;
      if (node === undefined) throw new Error(`path ${p} does not exist`);
    }
    return node;
  };
  const index = (arr: unknown[], s: string, forAdd: boolean): number => {
    if (forAdd && s === "-") return arr.length;
    const i = Number(s);
    if (!/^\d+$/.test(s) || i > arr.length || (!forAdd && i === arr.length)) throw new Error(`index ${s} is out of range`);
    return i;
  };
  const add = (p: string, value: unknown) => {
    const segs = pointer(p);
    if (segs.length === 0) return void (root = value);
    const { parent, last } = parentOf(segs);
    if (Array.isArray(parent)) parent.splice(index(parent, last, true), 0, value);
    else if (isPlainObject(parent)) parent[last] = value;
    else throw new Error(`cannot add at ${p}`);
  };
  const remove = (p: string) => {
    const segs = pointer(p);
    const { parent, last } = parentOf(segs);
    if (Array.isArray(parent)) parent.splice(index(parent, last, false), 1);
    else if (isPlainObject(parent) && last in parent) delete parent[last];
    else throw new Error(`path ${p} does not exist`);
  };
  for (const op of ops) {
    switch (op.op) {
      case "add":
        add(op.path, clone(op.value));
        break;
      case "remove":
        remove(op.path);
        break;
      case "replace":
        get(op.path);
        remove(op.path);
        add(op.path, clone(op.value));
        break;
      case "test":
        if (!deepEqual(get(op.path), op.value)) throw new Error(`test of ${op.path} failed`);
        break;
      case "move": {
        const v = get(op.from);
        remove(op.from);
        add(op.path, v);
        break;
      }
      case "copy":
        add(op.path, clone(get(op.from)));
        break;
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Images

/** Splits an image reference into name, tag and digest as kustomize does (a registry's port is part of the name). */
export function splitImage(image: string): { name: string; tag: string | null; digest: string | null } {
  const at = image.indexOf("@");
  const beforeDigest = at >= 0 ? image.slice(0, at) : image;
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const lastSlash = beforeDigest.lastIndexOf("/");
  const colon = beforeDigest.indexOf(":", lastSlash + 1);
  if (colon < 0) return { name: beforeDigest, tag: null, digest };
  return { name: beforeDigest.slice(0, colon), tag: beforeDigest.slice(colon + 1), digest };
}

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

function rewriteImage(image: string, rule: ImageRule): string | null {
  const parts = splitImage(image);
  if (parts.name !== rule.name) return null;
  let { tag, digest } = parts;
  const name = rule.newName ?? parts.name;
  // As in kustomize: a new tag or digest replaces both the old tag and the old digest.
  if (rule.newTag !== undefined && rule.digest !== undefined) [tag, digest] = [rule.newTag, rule.digest];
  else if (rule.newTag !== undefined) [tag, digest] = [rule.newTag, null];
  else if (rule.digest !== undefined) [tag, digest] = [null, rule.digest];
  return `${name}${tag ? `:${tag}` : ""}${digest ? `@${digest}` : ""}`;
}

/** Rewrites `image` in every `containers` / `initContainers` list anywhere in the object (so CRDs such as Rollouts work too). */
function applyImageRule(node: unknown, rule: ImageRule): boolean {
  let changed = false;
  if (Array.isArray(node)) {
    for (const el of node) changed = applyImageRule(el, rule) || changed;
  } else if (isPlainObject(node)) {
    for (const [key, value] of Object.entries(node)) {
      if ((key === "containers" || key === "initContainers") && Array.isArray(value)) {
        for (const c of value) {
          if (isPlainObject(c) && typeof c.image === "string") {
            const next = rewriteImage(c.image, rule);
            if (next !== null && next !== c.image) {
              c.image = next;
              changed = true;
            }
          }
        }
      }
      changed = applyImageRule(value, rule) || changed;
    }
  }
  return changed;
}

// ---------------------------------------------------------------------------------------------
// Output order

const ORDER_FIRST = [
  "Namespace",
  "ResourceQuota",
  "StorageClass",
  "CustomResourceDefinition",
  "ServiceAccount",
  "PodSecurityPolicy",
  "Role",
  "ClusterRole",
  "RoleBinding",
  "ClusterRoleBinding",
  "ConfigMap",
  "Secret",
  "Endpoints",
  "Service",
  "LimitRange",
  "PriorityClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "Deployment",
  "StatefulSet",
  "CronJob",
  "PodDisruptionBudget",
];
const ORDER_LAST = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

function kindRank(kind: string): number {
  const first = ORDER_FIRST.indexOf(kind);
  if (first >= 0) return first - ORDER_FIRST.length;
  const last = ORDER_LAST.indexOf(kind);
  return last >= 0 ? last + 1 : 0;
}

function gvkString(g: Gvk): string {
  return `${g.group || "~G"}_${g.version || "~V"}_${g.kind || "~K"}`;
}

/** kustomize's default ("legacy") output order: kinds by rank, then group/version/kind, namespace and name. */
function legacyCompare(a: RenderedObject, b: RenderedObject): number {
  const ga = gvkOf(a.object);
  const gb = gvkOf(b.object);
  const ra = kindRank(ga.kind);
  const rb = kindRank(gb.kind);
  if (ra !== rb) return ra - rb;
  const sa = gvkString(ga);
  const sb = gvkString(gb);
  if (sa !== sb) return sa < sb ? -1 : 1;
  const ka = `${a.object.metadata.namespace ?? ""}|${a.object.metadata.name}`;
  const kb = `${b.object.metadata.namespace ?? ""}|${b.object.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Parse cache: parsing YAML is most of a render's time, and the same files (a base under three
// overlays, an unchanged repository scanned again) come back. Keyed by path and content, so a
// changed file is parsed afresh; what it holds is never mutated (objects are cloned on use).

const CACHE_LIMIT = 4096;

class ParseCache<T> {
  private readonly entries = new Map<string, T>();

  get(file: string, text: string, parse: () => T): T {
    const key = `${file}\0${text}`;
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const value = parse();
    this.entries.set(key, value);
    if (this.entries.size > CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

const resourceFiles = new ParseCache<ParsedDocument[]>();
const kustomizations = new ParseCache<Kustomization>();

// ---------------------------------------------------------------------------------------------
// The build

class Repo {
  private readonly dirs = new Set<string>([""]);

  constructor(private readonly files: FileMap) {
    for (const file of Object.keys(files)) {
      let d = path.posix.dirname(file);
      while (d !== "." && !this.dirs.has(d)) {
        this.dirs.add(d);
        d = path.posix.dirname(d);
      }
    }
  }

  private isFile(p: string): boolean {
    return Object.hasOwn(this.files, p);
  }

  private kustomizationIn(dir: string, referencedFrom: { file: string; field: string; line: number | null } | null): Kustomization {
    const found = KUSTOMIZATION_FILE_NAMES.map((n) => (dir ? `${dir}/${n}` : n)).filter((p) => this.isFile(p));
    if (found.length > 1) throw new KustomizeError(dir || ".", null, null, `has more than one kustomization file (${found.join(", ")})`);
    const file = found[0];
    if (!file) {
      if (referencedFrom) throw new KustomizeError(referencedFrom.file, referencedFrom.field, referencedFrom.line, `${dir || "the repository root"} has no kustomization.yaml`);
      throw new KustomizeError(dir || ".", null, null, "has no kustomization.yaml");
    }
    const text = this.files[file]!;
    return kustomizations.get(file, text, () => parseKustomization(file, dir, text));
  }

  private resourceFile(file: string): ParsedDocument[] {
    const text = this.files[file]!;
    return resourceFiles.get(file, text, () => parseResourceFile(file, text));
  }

  build(dir: string, stack: readonly string[], referencedFrom: { file: string; field: string; line: number | null } | null = null): RenderedObject[] {
    if (stack.includes(dir)) {
      const cycle = `${[...stack, dir].join(" → ")} is a cycle`;
      if (referencedFrom) throw new KustomizeError(referencedFrom.file, referencedFrom.field, referencedFrom.line, cycle);
      throw new KustomizeError(dir, null, null, cycle);
    }
    const k = this.kustomizationIn(dir, referencedFrom);
    const inner = [...stack, dir];
    const out: RenderedObject[] = [];
    const ids = new Map<string, RenderedObject>();
    const add = (r: RenderedObject, field: string, line: number | null) => {
      const id = idOf(r.object);
      const other = ids.get(id);
      if (other) throw new KustomizeError(k.file, field, line, `${describe(r.object)} from ${r.source.file} is already added from ${other.source.file}`);
      ids.set(id, r);
      out.push(r);
    };

    const entries: { value: string; field: string }[] = [
      ...(k.data.resources ?? []).map((value, i) => ({ value, field: `resources[${i}]` })),
      ...(k.data.bases ?? []).map((value, i) => ({ value, field: `bases[${i}]` })),
    ];
    for (const { value, field } of entries) {
      const keys = field.startsWith("bases") ? ["bases", Number(field.slice(6, -1))] : ["resources", Number(field.slice(10, -1))];
      const line = k.line(keys);
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^(github\.com|gitlab\.com|bitbucket\.org)\//.test(value) || value.startsWith("git@")) {
        throw new KustomizeError(k.file, field, line, `remote resources such as ${value} are not supported: vendor them into the repository`);
      }
      const target = resolve(dir, value);
      if (target === null) throw new KustomizeError(k.file, field, line, `${value} is outside the repository`);
      if (this.isFile(target)) {
        if (!isWithin(dir, target)) throw new KustomizeError(k.file, field, line, `${value} is a file outside the kustomization's folder (kustomize refuses it): list its folder's kustomization instead`);
        for (const doc of this.resourceFile(target)) add({ object: clone(doc.object), source: { file: target, document: doc.document, line: doc.line }, transformedBy: [] }, field, line);
      } else if (this.dirs.has(target)) {
        for (const r of this.build(target, inner, { file: k.file, field, line })) add(r, field, line);
      } else {
        throw new KustomizeError(k.file, field, line, `${value} does not exist`);
      }
    }

    const result = this.transform(k, out);
    // kustomize sorts the final output only; bases hand their objects up in their own order.
    if (stack.length === 0 && k.data.sortOptions?.order !== "fifo") result.sort(legacyCompare);
    return result;
  }

  private transform(k: Kustomization, input: RenderedObject[]): RenderedObject[] {
    let objects = input;
    const note = (r: RenderedObject, t: Transformation) => {
      const last = r.transformedBy[r.transformedBy.length - 1];
      if (!last || last.file !== t.file || last.field !== t.field) r.transformedBy.push(t);
    };

    // 1. patchesStrategicMerge: files (within the folder) or inline patches.
    (k.data.patchesStrategicMerge ?? []).forEach((entry, i) => {
      const field = `patchesStrategicMerge[${i}]`;
      const line = k.line(["patchesStrategicMerge", i]);
      for (const patch of this.loadPatches(k, entry, field, line, true)) {
        if (!isPlainObject(patch.value)) throw new KustomizeError(patch.file, field, patch.line, "a strategic merge patch must be a map");
        objects = this.applyStrategicMerge(k, objects, patch.value, null, { file: patch.file, field, line: patch.line });
      }
    });

    // 2. patches: strategic merge or JSON 6902, by target or by the patch's own kind and name.
    (k.data.patches ?? []).forEach((entry, i) => {
      const field = `patches[${i}]`;
      const line = k.line(["patches", i]);
      const patches = entry.path !== undefined ? this.loadPatches(k, entry.path, `${field}.path`, line, false) : this.inlinePatches(k, entry.patch!, field, line);
      for (const patch of patches) {
        if (Array.isArray(patch.value)) {
          if (!entry.target) throw new KustomizeError(k.file, field, line, "a JSON patch needs a target");
          objects = this.applyJson6902(k, objects, patch.value, entry.target, field, line, { file: patch.file, field, line: patch.line });
        } else if (isPlainObject(patch.value)) {
          objects = this.applyStrategicMerge(k, objects, patch.value, entry.target ?? null, { file: patch.file, field, line: patch.line });
        } else {
          throw new KustomizeError(patch.file, field, patch.line, "a patch must be a map (strategic merge) or a list of operations (JSON patch)");
        }
      }
    });

    // 3. namespace
    const ns = k.data.namespace;
    if (ns !== undefined) {
      const t = { file: k.file, field: "namespace", line: k.line(["namespace"]) };
      for (const r of objects) if (this.setNamespace(r.object, ns)) note(r, t);
    }

    // 4. labels, then commonLabels
    (k.data.labels ?? []).forEach((entry, i) => {
      const pairs = k.stringMap(["labels", i, "pairs"]);
      const specs = entry.includeSelectors ? SELECTOR_LABEL_SPECS : entry.includeTemplates ? TEMPLATE_LABEL_SPECS : TEMPLATE_LABEL_SPECS.slice(0, 1);
      const t = { file: k.file, field: `labels[${i}]`, line: k.line(["labels", i]) };
      for (const r of objects) if (setPairs(r.object, specs, pairs)) note(r, t);
    });
    if (k.data.commonLabels) {
      const pairs = k.stringMap(["commonLabels"]);
      const t = { file: k.file, field: "commonLabels", line: k.line(["commonLabels"]) };
      for (const r of objects) if (setPairs(r.object, SELECTOR_LABEL_SPECS, pairs)) note(r, t);
    }

    // 5. commonAnnotations
    if (k.data.commonAnnotations) {
      const pairs = k.stringMap(["commonAnnotations"]);
      const t = { file: k.file, field: "commonAnnotations", line: k.line(["commonAnnotations"]) };
      for (const r of objects) if (setPairs(r.object, ANNOTATION_SPECS, pairs)) note(r, t);
    }

    // 6. patchesJson6902
    (k.data.patchesJson6902 ?? []).forEach((entry, i) => {
      const field = `patchesJson6902[${i}]`;
      const line = k.line(["patchesJson6902", i]);
      const patches = entry.path !== undefined ? this.loadPatches(k, entry.path, `${field}.path`, line, false) : this.inlinePatches(k, entry.patch!, field, line);
      for (const patch of patches) {
        if (!Array.isArray(patch.value)) throw new KustomizeError(patch.file, field, patch.line, "a JSON patch must be a list of operations");
        objects = this.applyJson6902(k, objects, patch.value, entry.target, field, line, { file: patch.file, field, line: patch.line });
      }
    });

    // 7. replicas
    (k.data.replicas ?? []).forEach((entry, i) => {
      const t = { file: k.file, field: `replicas[${i}]`, line: k.line(["replicas", i]) };
      const matched = objects.filter((r) => r.object.metadata.name === entry.name && REPLICA_KINDS.has(r.object.kind));
      if (matched.length === 0) throw new KustomizeError(k.file, t.field, t.line, `no Deployment, ReplicationController, ReplicaSet or StatefulSet is named ${entry.name}`);
      for (const r of matched) {
        const spec = isPlainObject(r.object.spec) ? r.object.spec : (r.object.spec = {});
        if ((spec as Record<string, unknown>).replicas !== entry.count) note(r, t);
        (spec as Record<string, unknown>).replicas = entry.count;
      }
    });

    // 8. images
    (k.data.images ?? []).forEach((entry, i) => {
      const rule: ImageRule = { name: entry.name };
      if (entry.newName !== undefined) rule.newName = entry.newName;
      if (entry.newTag !== undefined) rule.newTag = k.text(["images", i, "newTag"]) ?? String(entry.newTag);
      if (entry.digest !== undefined) rule.digest = entry.digest;
      const t = { file: k.file, field: `images[${i}]`, line: k.line(["images", i]) };
      for (const r of objects) if (applyImageRule(r.object, rule)) note(r, t);
    });

    return objects;
  }

  private inlinePatches(k: Kustomization, text: string, field: string, line: number | null): { value: unknown; file: string; line: number | null }[] {
    let docs: ParsedYamlDocument[];
    try {
      docs = parseYamlDocuments(k.file, text);
    } catch (e) {
      if (e instanceof KustomizeError) throw new KustomizeError(k.file, field, line, "the inline patch is not valid YAML");
      throw e;
    }
    return docs.filter((d) => d.value !== null && d.value !== undefined).map((d) => ({ value: d.value, file: k.file, line }));
  }

  /** A patch file's documents, or (for patchesStrategicMerge) an inline patch when no such file exists. */
  private loadPatches(k: Kustomization, entry: string, field: string, line: number | null, inlineAllowed: boolean): { value: unknown; file: string; line: number | null }[] {
    const target = resolve(k.dir, entry);
    if (target !== null && this.isFile(target)) {
      if (!isWithin(k.dir, target)) throw new KustomizeError(k.file, field, line, `${entry} is outside the kustomization's folder (kustomize refuses it)`);
      return parseYamlDocuments(target, this.files[target]!)
        .filter((d) => d.value !== null && d.value !== undefined)
        .map((d) => ({ value: d.value, file: target, line: d.line }));
    }
    if (inlineAllowed && /[\n:]/.test(entry)) return this.inlinePatches(k, entry, field, line);
    throw new KustomizeError(k.file, field, line, `${entry} does not exist`);
  }

  private applyStrategicMerge(k: Kustomization, objects: RenderedObject[], patch: Record<string, unknown>, target: Selector | null, t: Transformation): RenderedObject[] {
    let matched: RenderedObject[];
    if (target) {
      // As kustomize: a patch with a target applies to every selected object, whatever its own kind and name.
      matched = objects.filter((r) => selects(k.file, t.field, t.line, target, r.object));
      if (matched.length === 0) return objects;
    } else {
      const meta = isPlainObject(patch.metadata) ? patch.metadata : {};
      if (typeof patch.kind !== "string" || typeof meta.name !== "string") throw new KustomizeError(t.file, t.field, t.line, "a strategic merge patch without a target needs kind and metadata.name");
      const patchGvk = typeof patch.apiVersion === "string" ? gvkOf({ apiVersion: patch.apiVersion, kind: patch.kind }) : null;
      matched = objects.filter((r) => {
        const g = gvkOf(r.object);
        return (
          r.object.kind === patch.kind &&
          r.object.metadata.name === meta.name &&
          (patchGvk === null || (patchGvk.group === g.group && patchGvk.version === g.version)) &&
          (typeof meta.namespace !== "string" || (r.object.metadata.namespace ?? "") === meta.namespace)
        );
      });
      if (matched.length === 0) throw new KustomizeError(t.file, t.field, t.line, `no ${patch.kind} named ${meta.name} to patch`);
      if (matched.length > 1) throw new KustomizeError(t.file, t.field, t.line, `${patch.kind} ${meta.name} matches ${matched.length} objects (in namespaces ${matched.map((r) => r.object.metadata.namespace ?? "(none)").join(", ")}): name the namespace`);
    }
    const deleted = new Set<RenderedObject>();
    for (const r of matched) {
      const g = gvkOf(r.object);
      const ctx: MergeContext = { file: t.file, line: t.line, builtin: BUILTIN_GROUPS.has(g.group), kind: r.object.kind };
      // With a target, the patch's identity is the target's (so it cannot rename what it patches).
      const body = target ? { ...patch, apiVersion: r.object.apiVersion, kind: r.object.kind, metadata: { ...(isPlainObject(patch.metadata) ? patch.metadata : {}), name: r.object.metadata.name, ...(r.object.metadata.namespace !== undefined ? { namespace: r.object.metadata.namespace } : {}) } } : patch;
      const merged = mergeMap(ctx, r.object, body, []);
      if (merged === null) {
        deleted.add(r);
        continue;
      }
      this.checkIdentity(r, merged, t);
      r.object = merged as KubernetesObject;
      r.transformedBy.push(t);
    }
    return deleted.size ? objects.filter((r) => !deleted.has(r)) : objects;
  }

  private applyJson6902(k: Kustomization, objects: RenderedObject[], ops: unknown[], target: Selector, field: string, line: number | null, t: Transformation): RenderedObject[] {
    const parsed = z.array(JsonOp).safeParse(ops);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KustomizeError(t.file, field, t.line, `operation ${String(issue.path[0] ?? 0)} is not a JSON patch operation (${issue.message})`);
    }
    for (const r of objects) {
      if (!selects(k.file, `${field}.target`, line, target, r.object)) continue;
      let next: unknown;
      try {
        next = applyJsonPatch(r.object, parsed.data);
      } catch (e) {
        throw new KustomizeError(t.file, field, t.line, `cannot apply to ${describe(r.object)}: ${(e as Error).message}`);
      }
      if (!isPlainObject(next)) throw new KustomizeError(t.file, field, t.line, `turns ${describe(r.object)} into something that is not an object`);
      this.checkIdentity(r, next, t);
      r.object = next as KubernetesObject;
      r.transformedBy.push(t);
    }
    return objects;
  }

  /** kustomize refuses patches that rename an object or change its kind (without options this renderer does not support). */
  private checkIdentity(r: RenderedObject, next: Record<string, unknown>, t: Transformation): void {
    const meta = isPlainObject(next.metadata) ? next.metadata : {};
    if (next.kind !== r.object.kind || meta.name !== r.object.metadata.name) {
      throw new KustomizeError(t.file, t.field, t.line, `would change ${describe(r.object)}'s kind or name, which kustomize refuses`);
    }
  }

  private setNamespace(o: KubernetesObject, ns: string): boolean {
    let changed = false;
    const gvk = gvkOf(o);
    if (o.kind === "Namespace" && gvk.group === "") {
      // kustomize renames a Namespace object to the kustomization's namespace.
      changed = o.metadata.name !== ns;
      o.metadata.name = ns;
      return changed;
    }
    if (!CLUSTER_SCOPED.has(o.kind)) {
      changed = o.metadata.namespace !== ns;
      o.metadata.namespace = ns;
    }
    if ((o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding") && Array.isArray(o.subjects)) {
      // kustomize's default: only subjects named "default" (the default service account) follow the namespace.
      for (const s of o.subjects) {
        if (isPlainObject(s) && s.name === "default" && s.namespace !== ns) {
          s.namespace = ns;
          changed = true;
        }
      }
    }
    if (o.kind === "APIService" && gvk.group === "apiregistration.k8s.io" && isPlainObject(o.spec) && isPlainObject(o.spec.service)) {
      changed = o.spec.service.namespace !== ns || changed;
      o.spec.service.namespace = ns;
    }
    return changed;
  }
}
