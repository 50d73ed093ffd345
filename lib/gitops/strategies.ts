// Deployment strategies on a real cluster, as manifests in the GitOps repository written from a
// service's settings. Rolling is the Deployment's own RollingUpdate. Canary and blue-green are an
// Argo Rollouts `Rollout` that points at the service's Deployment (`workloadRef`, so the
// Deployment stays the one place the pod template lives and promotions keep changing one image
// tag), with:
// - canary: a step per traffic weight, each followed by an indefinite pause that Paved resumes
//   after its own analysis, and an AnalysisTemplate on Prometheus (error ratio) that Argo
//   Rollouts runs in the background; with a mesh, Istio VirtualService weights (and the
//   DestinationRule subsets) instead of replica ratios;
// - blue-green: an active and a preview Service, promoted by Paved (no auto-promotion).
// The files go in apps/<service>/base/strategy.yaml, listed in the base kustomization.
import YAML, { isSeq } from "yaml";
import { appBase } from "./repository.ts";
import { KUSTOMIZATION_FILE_NAMES, type FileMap } from "./kustomize.ts";

export interface StrategySettings {
  name: string;
  strategy: "rolling" | "blue_green" | "canary";
  trafficSteps: readonly number[];
  healthCheckPath: string;
}

export interface StrategyOptions {
  /** "istio" to route canary traffic with VirtualService weights; null for replica ratios. */
  mesh: "istio" | null;
  /** Address of the Prometheus the AnalysisTemplate queries. */
  prometheusAddress: string;
  /** Error ratio above which the background analysis fails the canary. */
  maxErrorRatio: number;
}

export const DEFAULT_STRATEGY_OPTIONS: StrategyOptions = { mesh: null, prometheusAddress: "http://prometheus.monitoring.svc:9090", maxErrorRatio: 0.05 };

export const STRATEGY_FILE = "strategy.yaml";

type Manifest = Record<string, unknown>;

const labels = (s: StrategySettings) => ({ "app.kubernetes.io/name": s.name, "app.kubernetes.io/managed-by": "paved" });

export function analysisTemplate(s: StrategySettings, o: StrategyOptions): Manifest {
  const selector = `service="${s.name}"`;
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AnalysisTemplate",
    metadata: { name: `${s.name}-error-ratio`, labels: labels(s) },
    spec: {
      metrics: [
        {
          name: "error-ratio",
          interval: "1m",
          failureLimit: 1,
          successCondition: `result[0] <= ${o.maxErrorRatio}`,
          provider: {
            prometheus: {
              address: o.prometheusAddress,
              query: `sum(rate(http_requests_total{${selector},code=~"5.."}[2m])) / clamp_min(sum(rate(http_requests_total{${selector}}[2m])), 1e-9)`,
            },
          },
        },
      ],
    },
  };
}

/** The manifests for a service's strategy; empty for rolling (the Deployment does it). */
export function strategyManifests(s: StrategySettings, options: Partial<StrategyOptions> = {}): Manifest[] {
  const o = { ...DEFAULT_STRATEGY_OPTIONS, ...options };
  if (s.strategy === "rolling") return [];
  const workloadRef = { apiVersion: "apps/v1", kind: "Deployment", name: s.name, scaleDown: "progressively" };
  if (s.strategy === "blue_green") {
    return [
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "Rollout",
        metadata: { name: s.name, labels: labels(s) },
        spec: {
          workloadRef,
          revisionHistoryLimit: 5,
          strategy: { blueGreen: { activeService: s.name, previewService: `${s.name}-preview`, autoPromotionEnabled: false, scaleDownDelaySeconds: 60 } },
        },
      },
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `${s.name}-preview`, labels: labels(s) },
        spec: { selector: { "app.kubernetes.io/name": s.name }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
      },
    ];
  }
  const weights = s.trafficSteps.length ? s.trafficSteps : [10, 50, 100];
  const steps: Manifest[] = [];
  for (const w of weights) {
    steps.push({ setWeight: w });
    if (w < 100) steps.push({ pause: {} });
  }
  const canary: Record<string, unknown> = {
    canaryService: `${s.name}-canary`,
    stableService: s.name,
    steps,
    analysis: { templates: [{ templateName: `${s.name}-error-ratio` }], startingStep: 1 },
  };
  const out: Manifest[] = [];
  if (o.mesh === "istio") {
    canary.trafficRouting = { istio: { virtualService: { name: s.name, routes: ["primary"] }, destinationRule: { name: s.name, canarySubsetName: "canary", stableSubsetName: "stable" } } };
    delete canary.canaryService;
    delete canary.stableService;
  }
  out.push({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: s.name, labels: labels(s) }, spec: { workloadRef, revisionHistoryLimit: 5, strategy: { canary } } });
  out.push(analysisTemplate(s, o));
  if (o.mesh === "istio") {
    out.push({
      apiVersion: "networking.istio.io/v1beta1",
      kind: "VirtualService",
      metadata: { name: s.name, labels: labels(s) },
      spec: {
        hosts: [s.name],
        http: [
          {
            name: "primary",
            route: [
              { destination: { host: s.name, subset: "stable" }, weight: 100 },
              { destination: { host: s.name, subset: "canary" }, weight: 0 },
            ],
          },
        ],
      },
    });
    out.push({
      apiVersion: "networking.istio.io/v1beta1",
      kind: "DestinationRule",
      metadata: { name: s.name, labels: labels(s) },
      spec: { host: s.name, subsets: [{ name: "stable", labels: { "app.kubernetes.io/name": s.name } }, { name: "canary", labels: { "app.kubernetes.io/name": s.name } }] },
    });
  } else {
    out.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: `${s.name}-canary`, labels: labels(s) },
      spec: { selector: { "app.kubernetes.io/name": s.name }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    });
  }
  return out;
}

/**
 * The file changes that make the repository's base for `s.name` carry its strategy: the
 * strategy file written (or removed for rolling) and listed in (or dropped from) the base
 * kustomization's resources. Empty when the repository already says so.
 */
export function strategyFileChanges(files: FileMap, s: StrategySettings, options: Partial<StrategyOptions> = {}): { path: string; content: string | null }[] {
  const base = appBase(s.name);
  const kustomizationPath = KUSTOMIZATION_FILE_NAMES.map((n) => `${base}/${n}`).find((p) => Object.hasOwn(files, p));
  if (!kustomizationPath) return [];
  const strategyPath = `${base}/${STRATEGY_FILE}`;
  const manifests = strategyManifests(s, options);
  const content = manifests.length
    ? `# Written by Paved from the service's settings (strategy ${s.strategy}${s.strategy === "canary" ? `, steps ${(s.trafficSteps.length ? s.trafficSteps : [10, 50, 100]).join("/")}` : ""}). Change them in Paved.\n${manifests.map((m) => YAML.stringify(m, { lineWidth: 0 })).join("---\n")}`
    : null;
  const changes: { path: string; content: string | null }[] = [];
  if ((files[strategyPath] ?? null) !== content) changes.push({ path: strategyPath, content });
  const doc = YAML.parseDocument(files[kustomizationPath]!);
  const resources = doc.get("resources", true);
  const list = isSeq(resources) ? resources.items.map((i) => String((i as { value?: unknown }).value ?? i)) : [];
  const listed = list.includes(STRATEGY_FILE);
  if (content && !listed) {
    if (isSeq(resources)) resources.add(doc.createNode(STRATEGY_FILE));
    else doc.set("resources", [STRATEGY_FILE]);
    changes.push({ path: kustomizationPath, content: doc.toString({ lineWidth: 0 }) });
  } else if (!content && listed && isSeq(resources)) {
    resources.items = resources.items.filter((i) => String((i as { value?: unknown }).value ?? i) !== STRATEGY_FILE);
    changes.push({ path: kustomizationPath, content: doc.toString({ lineWidth: 0 }) });
  }
  return changes;
}
