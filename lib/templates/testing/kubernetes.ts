// Kubernetes manifests, kustomize files and Argo CD Applications, checked structurally (no
// cluster, kustomize or kubeconform here): every object has apiVersion, kind and a valid
// metadata.name; labels are valid label values; workloads select their own pods and name an
// image; kustomizations refer to files the template renders; an Application points at a
// rendered folder and a destination.
import type { Failure, OutputFile } from "./types.ts";
import { dirname, isRecord, joinPath } from "./util.ts";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const WORKLOADS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

function labelProblems(labels: unknown, where: string): string[] {
  if (labels === undefined) return [];
  if (!isRecord(labels)) return [`${where} must be a mapping`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(labels)) {
    if (typeof v !== "string") out.push(`${where}.${k} must be a string (quote it)`);
    else if (v.length > 63 || !LABEL_VALUE.test(v)) out.push(`${where}.${k}: "${v}" is not a valid label value`);
  }
  return out;
}

function workloadProblems(doc: Record<string, unknown>): string[] {
  const out: string[] = [];
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const template = isRecord(spec.template) ? spec.template : {};
  const podLabels = isRecord(template.metadata) && isRecord(template.metadata.labels) ? template.metadata.labels : {};
  const selector = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : null;
  if (!selector) out.push("spec.selector.matchLabels is missing");
  else for (const [k, v] of Object.entries(selector)) if (podLabels[k] !== v) out.push(`spec.selector.matchLabels.${k} does not match the pod template's labels`);
  out.push(...labelProblems(isRecord(template.metadata) ? template.metadata.labels : undefined, "spec.template.metadata.labels"));
  const podSpec = isRecord(template.spec) ? template.spec : {};
  const containers = Array.isArray(podSpec.containers) ? podSpec.containers : [];
  if (containers.length === 0) out.push("spec.template.spec.containers is empty");
  containers.forEach((c, i) => {
    if (!isRecord(c)) return void out.push(`containers[${i}] is not a mapping`);
    if (typeof c.name !== "string" || !c.name) out.push(`containers[${i}] has no name`);
    if (typeof c.image !== "string" || !c.image) out.push(`containers[${i}] has no image`);
    for (const p of Array.isArray(c.ports) ? c.ports : []) {
      const port = isRecord(p) ? p.containerPort : undefined;
      if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) out.push(`containers[${i}] has an invalid containerPort ${String(port)}`);
    }
  });
  if (spec.replicas !== undefined && (typeof spec.replicas !== "number" || !Number.isInteger(spec.replicas) || spec.replicas < 0)) out.push("spec.replicas must be a whole number");
  return out;
}

function serviceProblems(doc: Record<string, unknown>): string[] {
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const out: string[] = [];
  if (ports.length === 0) out.push("spec.ports is empty");
  ports.forEach((p, i) => {
    if (!isRecord(p) || typeof p.port !== "number" || p.port < 1 || p.port > 65535) out.push(`spec.ports[${i}].port must be a port number`);
  });
  if (spec.selector !== undefined && !isRecord(spec.selector)) out.push("spec.selector must be a mapping");
  return out;
}

/** A reference from a kustomization: a rendered file, or a folder holding a kustomization.yaml. */
function resolves(dir: string, ref: string, output: Map<string, OutputFile>): boolean {
  if (/^[a-z]+:\/\//.test(ref) || ref.startsWith("github.com/")) return true;
  const target = joinPath(dir, ref);
  if (target === null) return false;
  return output.has(target) || ["kustomization.yaml", "kustomization.yml", "Kustomization"].some((k) => output.has(`${target}/${k}`));
}

function kustomizationProblems(file: OutputFile, doc: Record<string, unknown>, output: Map<string, OutputFile>): string[] {
  const out: string[] = [];
  const dir = dirname(file.path);
  for (const key of ["resources", "components", "crds"]) {
    const list = doc[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      out.push(`${key} must be a list`);
      continue;
    }
    for (const ref of list) if (typeof ref !== "string" || !resolves(dir, ref, output)) out.push(`${key}: ${String(ref)} is not rendered by this template`);
  }
  for (const p of Array.isArray(doc.patches) ? doc.patches : []) {
    if (isRecord(p) && typeof p.path === "string" && !resolves(dir, p.path, output)) out.push(`patches: ${p.path} is not rendered by this template`);
  }
  for (const [i, img] of (Array.isArray(doc.images) ? doc.images : []).entries()) {
    if (!isRecord(img) || typeof img.name !== "string") out.push(`images[${i}] has no name`);
    else if (img.newTag !== undefined && typeof img.newTag !== "string") out.push(`images[${i}].newTag must be a string (quote it)`);
  }
  for (const [i, r] of (Array.isArray(doc.replicas) ? doc.replicas : []).entries()) {
    if (!isRecord(r) || typeof r.name !== "string" || typeof r.count !== "number") out.push(`replicas[${i}] needs a name and a numeric count`);
  }
  return out;
}

function applicationProblems(doc: Record<string, unknown>, output: Map<string, OutputFile>): string[] {
  const out: string[] = [];
  const spec = isRecord(doc.spec) ? doc.spec : {};
  if (typeof spec.project !== "string") out.push("spec.project is missing");
  const source = isRecord(spec.source) ? spec.source : null;
  if (!source && !Array.isArray(spec.sources)) out.push("spec.source is missing");
  if (source) {
    if (typeof source.repoURL !== "string" || !source.repoURL) out.push("spec.source.repoURL is missing");
    if (typeof source.path === "string" && ![...output.keys()].some((p) => p.startsWith(`${source.path}/`))) {
      out.push(`spec.source.path ${source.path} holds no file that this template renders`);
    }
  }
  const dest = isRecord(spec.destination) ? spec.destination : null;
  if (!dest || (typeof dest.server !== "string" && typeof dest.name !== "string")) out.push("spec.destination needs a server or a name");
  else if (dest.namespace !== undefined && (typeof dest.namespace !== "string" || !DNS_SUBDOMAIN.test(dest.namespace))) out.push(`spec.destination.namespace "${String(dest.namespace)}" is not a valid namespace`);
  return out;
}

export function checkKubernetes(file: OutputFile, docs: unknown[], output: Map<string, OutputFile>): Failure[] {
  const problems: string[] = [];
  docs.forEach((doc, i) => {
    const at = docs.length > 1 ? `document ${i + 1}: ` : "";
    if (!isRecord(doc)) return void problems.push(`${at}is not a Kubernetes object`);
    const kind = typeof doc.kind === "string" ? doc.kind : null;
    if (typeof doc.apiVersion !== "string" || !doc.apiVersion) problems.push(`${at}apiVersion is missing`);
    if (!kind) problems.push(`${at}kind is missing`);
    const isKustomization = kind === "Kustomization" && String(doc.apiVersion).startsWith("kustomize.config.k8s.io/");
    const metadata = isRecord(doc.metadata) ? doc.metadata : null;
    if (!isKustomization) {
      const name = metadata?.name;
      if (typeof name !== "string" || !name) problems.push(`${at}metadata.name is missing`);
      else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) problems.push(`${at}metadata.name "${name}" is not a valid Kubernetes name`);
      if (metadata?.namespace !== undefined && (typeof metadata.namespace !== "string" || !DNS_SUBDOMAIN.test(metadata.namespace))) problems.push(`${at}metadata.namespace "${String(metadata.namespace)}" is not valid`);
    }
    problems.push(...labelProblems(metadata?.labels, `${at}metadata.labels`));
    const specific =
      isKustomization ? kustomizationProblems(file, doc, output)
      : kind && WORKLOADS.has(kind) ? workloadProblems(doc)
      : kind === "Service" ? serviceProblems(doc)
      : kind === "Application" && String(doc.apiVersion).startsWith("argoproj.io/") ? applicationProblems(doc, output)
      : [];
    problems.push(...specific.map((p) => `${at}${kind}: ${p}`));
  });
  return problems.map((message) => ({ check: "kubernetes", file: file.path, message }));
}
