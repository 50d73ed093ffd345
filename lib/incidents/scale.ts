// auto-scale's change to the GitOps repository, as a pure function of its files: the service's
// overlay `replicas` entry for its workload set to a new count (kustomize's replicas transformer),
// with the rest of the file (comments, order, quoting) as it was. Checked by rendering the result:
// if something else in the overlay (a patch, another entry) would still decide the replicas, it
// refuses rather than commit a change that changes nothing.
import YAML, { isMap, isSeq, type YAMLMap } from "yaml";
import { RuleViolationError } from "../core/errors.ts";
import type { FileMap, KubernetesObject } from "../gitops/kustomize.ts";
import { overlayKustomizationPath, renderApp } from "../gitops/repository.ts";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Rollout"]);

function workloadOf(files: FileMap, service: string, environment: string): KubernetesObject {
  const objects = renderApp(files, service, environment).map((r) => r.object);
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  const w = workloads.find((o) => o.metadata.name === service) ?? (workloads.length === 1 ? workloads[0] : undefined);
  if (!w) throw new RuleViolationError(`The ${environment} overlay of ${service} has no workload named ${service} to scale.`);
  return w;
}

/** The replicas the overlay gives the service's workload (Kubernetes' default of 1 when unset). */
export function replicasIn(files: FileMap, service: string, environment: string): { workload: string; replicas: number } {
  const w = workloadOf(files, service, environment);
  const r = (w.spec as { replicas?: unknown } | undefined)?.replicas;
  return { workload: w.metadata.name, replicas: typeof r === "number" && Number.isInteger(r) ? r : 1 };
}

/** The next count: double, at least one more, at most `max`. */
export function scaledUp(current: number, max: number): number {
  return Math.min(max, Math.max(current + 1, current * 2));
}

/** The overlay's kustomization.yaml with the workload's replicas set to `count`. */
export function setReplicas(files: FileMap, service: string, environment: string, count: number): { path: string; content: string; from: number; to: number } {
  const path = overlayKustomizationPath(service, environment);
  const text = files[path];
  if (text === undefined) throw new RuleViolationError(`There is no ${path} to scale ${service} in ${environment} with.`);
  const { workload, replicas: from } = replicasIn(files, service, environment);
  const doc = YAML.parseDocument(text);
  if (doc.errors.length || !isMap(doc.contents)) throw new RuleViolationError(`${path} is not a valid kustomization.`);
  let list = doc.get("replicas");
  if (!isSeq(list)) {
    doc.set("replicas", doc.createNode([]));
    list = doc.get("replicas");
  }
  if (!isSeq(list)) throw new RuleViolationError(`${path}: replicas is not a list.`);
  const entry = list.items.find((i): i is YAMLMap => isMap(i) && i.get("name") === workload);
  if (entry) entry.set("count", count);
  else list.add(doc.createNode({ name: workload, count }));
  const content = doc.toString();
  const after = replicasIn({ ...files, [path]: content }, service, environment);
  if (after.replicas !== count) throw new RuleViolationError(`Setting replicas in ${path} would not change ${service}'s replicas in ${environment} (it would have ${after.replicas}): something else in the overlay decides them.`);
  return { path, content, from, to: count };
}
