// deploy/kubernetes (plain manifests + kustomize) checked without a cluster:
// - every object is a valid Kubernetes object: kubernetes-models' validators (types, required
//   fields) plus TypeScript's excess-property check against kubernetes-models' own types, which
//   catches a misspelt field (`periodSecond`) that the validators let through;
// - it renders with Paved's kustomize (lib/gitops/kustomize.ts): namespace and image applied;
// - the wiring holds: several web replicas and a separate worker, the commands the Dockerfile and
//   package.json run, the port the image exposes, probes on real routes with parameters the route
//   accepts, the external PostgreSQL and AUTH_SECRET from a Secret, a configuration that Paved
//   itself parses, migrations before any container starts, resources, non-root security contexts,
//   PodDisruptionBudgets and a Service that select the pods;
// - Paved's own policies (policies/) pass every workload, warnings included.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { healthContract } from "../../lib/api/health.ts";
import { ENV_DOCS, parseEnv } from "../../lib/core/env.ts";
import { renderKustomization, type KubernetesObject } from "../../lib/gitops/kustomize.ts";
import { evaluateSubject, loadPolicies } from "../../lib/policies/engine.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DIR = "deploy/kubernetes";

/** kind → the kubernetes-models class and the module and interface of its type. */
const MODELS: Record<string, { model: new (data: never) => { validate(): void }; module: string; type: string }> = {
  Deployment: { model: Deployment, module: "kubernetes-models/apps/v1/Deployment", type: "IDeployment" },
  Service: { model: Service, module: "kubernetes-models/v1/Service", type: "IService" },
  ConfigMap: { model: ConfigMap, module: "kubernetes-models/v1/ConfigMap", type: "IConfigMap" },
  ServiceAccount: { model: ServiceAccount, module: "kubernetes-models/v1/ServiceAccount", type: "IServiceAccount" },
  PodDisruptionBudget: { model: PodDisruptionBudget, module: "kubernetes-models/policy/v1/PodDisruptionBudget", type: "IPodDisruptionBudget" },
  NetworkPolicy: { model: NetworkPolicy, module: "kubernetes-models/networking.k8s.io/v1/NetworkPolicy", type: "INetworkPolicy" },
};

interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string; optional?: boolean } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { runAsNonRoot?: boolean; allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: { name: string; emptyDir?: object }[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
}
interface DeploymentObject extends KubernetesObject {
  spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}

const kustomization = YAML.parse(readFileSync(path.join(ROOT, DIR, "kustomization.yaml"), "utf8")) as { resources: string[]; namespace?: string; images?: { name: string; newName?: string; newTag?: string }[] };
const files = Object.fromEntries(readdirSync(path.join(ROOT, DIR)).map((f) => [`${DIR}/${f}`, readFileSync(path.join(ROOT, DIR, f), "utf8")]));
/** Each manifest as written (before kustomize). */
const written = kustomization.resources.flatMap((f) =>
  YAML.parseAllDocuments(files[`${DIR}/${f}`] ?? "").map((d) => ({ file: f, object: d.toJS() as KubernetesObject })),
);
const rendered = renderKustomization(files, DIR).map((r) => r.object);
const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

const find = <T extends KubernetesObject = KubernetesObject>(kind: string, name: string) => {
  const o = rendered.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o as T;
};
const web = () => find<DeploymentObject>("Deployment", "paved-web");
const worker = () => find<DeploymentObject>("Deployment", "paved-worker");
const deployments = () => [web(), worker()];
const allContainers = (d: DeploymentObject) => [...(d.spec.template.spec.initContainers ?? []), ...d.spec.template.spec.containers];
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("deploy/kubernetes: valid objects", () => {
  it("lists every manifest in the folder, each object of a kind it knows", () => {
    const manifests = Object.keys(files)
      .map((f) => path.basename(f))
      .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
      .sort();
    expect([...kustomization.resources].sort()).toEqual(manifests);
    expect(written.length).toBeGreaterThanOrEqual(8);
    for (const { file, object } of written) expect(MODELS[object.kind], `${file}: ${object.kind}`).toBeDefined();
  });

  it("validates every object with kubernetes-models, as written and as rendered", () => {
    for (const object of [...written.map((w) => w.object), ...rendered]) {
      const Model = MODELS[object.kind]!.model;
      expect(() => new Model(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it("has no field the Kubernetes types do not know (TypeScript's excess-property check)", () => {
    const file = path.join(ROOT, "__kubernetes_manifests__.ts");
    const imports = Object.values(MODELS).map((m) => `import type { ${m.type} } from "${m.module}";`);
    const consts = written.map((w, i) => `export const o${i}: ${MODELS[w.object.kind]!.type} = ${JSON.stringify(w.object, null, 1)};`);
    const source = [...imports, ...consts].join("\n");
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      target: ts.ScriptTarget.ES2022,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : read(name, language, ...rest));
    const program = ts.createProgram([file], options, host);
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`;
    });
    expect(problems).toEqual([]);
    // The check bites: a misspelt probe field is refused.
    const typo = `import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";\nexport const x: IDeployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { selector: {}, template: { spec: { containers: [{ name: "c", livenessProbe: { periodSecond: 3 } }] } } } };`;
    host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, typo, language) : read(name, language, ...rest));
    const refused = ts.getPreEmitDiagnostics(ts.createProgram([file], options, host)).map((d) => ts.flattenDiagnosticMessageText(d.messageText, " "));
    expect(refused.join("\n")).toMatch(/periodSecond/);
  }, 60_000);

  it("renders with kustomize: the namespace and the image of the registry", () => {
    expect(kustomization.namespace).toBe("paved");
    for (const o of rendered) expect(o.metadata.namespace, `${o.kind} ${o.metadata.name}`).toBe("paved");
    const image = kustomization.images?.find((i) => i.name === "paved");
    expect(image?.newTag).toMatch(/^\d+\.\d+\.\d+$/);
    for (const d of deployments()) for (const c of allContainers(d)) expect(c.image).toBe(`${image?.newName}:${image?.newTag}`);
    for (const { object } of written.filter((w) => w.object.kind === "Deployment")) {
      for (const c of allContainers(object as DeploymentObject)) expect(c.image).toBe("paved");
    }
  });
});

describe("deploy/kubernetes: wiring", () => {
  it("runs several web replicas with the image's launcher and a separate worker Deployment with `npm run worker`", () => {
    expect(web().spec.replicas).toBeGreaterThanOrEqual(2);
    expect(worker().spec.replicas).toBeGreaterThanOrEqual(1);
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    expect(web().spec.template.spec.containers[0]?.command).toEqual(JSON.parse(cmd ?? "[]"));
    expect(worker().spec.template.spec.containers[0]?.command?.join(" ")).toBe(pkg.scripts.worker);
    expect(web().spec.template.spec.containers).toHaveLength(1);
    expect(worker().spec.template.spec.containers).toHaveLength(1);
  });

  it("migrates before any container starts, in both Deployments", () => {
    for (const d of deployments()) {
      const init = d.spec.template.spec.initContainers ?? [];
      expect(init.map((c) => c.command?.join(" "))).toEqual([pkg.scripts.migrate]);
      expect(init[0]?.envFrom).toEqual(d.spec.template.spec.containers[0]?.envFrom);
    }
  });

  it("serves on the port the image exposes, and the Service sends its traffic there", () => {
    const exposed = Number(/^EXPOSE\s+(\d+)/m.exec(dockerfile)?.[1]);
    const container = web().spec.template.spec.containers[0]!;
    expect(container.ports).toEqual([{ name: "http", containerPort: exposed, protocol: "TCP" }]);
    expect(container.env).toContainEqual({ name: "PORT", value: String(exposed) });
    const service = find<KubernetesObject & { spec: { selector: Record<string, string>; ports: { targetPort: string | number }[] } }>("Service", "paved");
    expect(matches(service.spec.selector, web().spec.template.metadata.labels)).toBe(true);
    expect(matches(service.spec.selector, worker().spec.template.metadata.labels)).toBe(false);
    expect(service.spec.ports.map((p) => p.targetPort)).toEqual(["http"]);
  });

  it("probes real routes: readiness on /api/health, liveness and start-up on /api/health?probe=live", () => {
    const container = web().spec.template.spec.containers[0]!;
    const probes = { readiness: container.readinessProbe, liveness: container.livenessProbe, startup: container.startupProbe };
    for (const [name, probe] of Object.entries(probes)) {
      const url = new URL(probe?.httpGet?.path ?? "", "http://pod");
      expect(url.pathname, name).toBe(healthContract.path);
      expect(probe?.httpGet?.port, name).toBe("http");
      // The route accepts the query (its contract parses it) and the route file exists.
      const query = Object.fromEntries(url.searchParams);
      expect(healthContract.query.safeParse(query).success, `${name}: ${url.search}`).toBe(true);
      expect(() => readFileSync(path.join(ROOT, "app", healthContract.path, "route.ts")), name).not.toThrow();
    }
    // Readiness asks the database (503 when it does not answer); liveness must not.
    expect(new URL(probes.readiness?.httpGet?.path ?? "", "http://pod").search).toBe("");
    expect(new URL(probes.liveness?.httpGet?.path ?? "", "http://pod").searchParams.get("probe")).toBe("live");
    expect(new URL(probes.startup?.httpGet?.path ?? "", "http://pod").searchParams.get("probe")).toBe("live");
  });

  it("takes the database and the session secret from a Secret, the rest from a ConfigMap Paved parses", () => {
    const config = find<KubernetesObject & { data: Record<string, string> }>("ConfigMap", "paved-config");
    for (const d of deployments()) {
      for (const c of allContainers(d)) {
        expect(c.envFrom).toEqual([
          { configMapRef: { name: "paved-config" } },
          { secretRef: { name: "paved" } },
          { secretRef: { name: "paved-integrations", optional: true } },
        ]);
        for (const e of c.env ?? []) expect(ENV_DOCS, e.name).toHaveProperty(e.name);
      }
    }
    // No Secret in the manifests (Paved's own disallow-plain-secrets policy): they are created with kubectl.
    expect(rendered.some((o) => o.kind === "Secret")).toBe(false);
    expect(files[`${DIR}/kustomization.yaml`]).toMatch(/create secret generic paved\b[\s\S]*DATABASE_URL[\s\S]*AUTH_SECRET/);
    // Every key is a variable Paved reads, and with the Secret's keys the configuration parses.
    expect(Object.keys(config.data).filter((k) => !(k in ENV_DOCS))).toEqual([]);
    const parsed = parseEnv({ ...config.data, DATABASE_URL: "postgresql://paved:secret@db.internal:5432/paved", AUTH_SECRET: "x".repeat(44), PORT: "3000" });
    expect(parsed).toMatchObject({ sandbox: false, worker: false, embedded: false, dataDir: "/app/.data" });
    expect(parsed.authUrl).toMatch(/^https:/);
    // The data folder is the image's.
    expect(dockerfile).toMatch(/PAVED_DATA_DIR=\/app\/\.data/);
  });

  it("runs every container as a non-root user without privileges, on a read-only root with writable scratch folders", () => {
    for (const d of deployments()) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe("paved");
      const scratch = new Set((pod.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name));
      for (const c of allContainers(d)) {
        expect(c.securityContext, c.name).toEqual({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
        for (const needed of ["/app/.data", "/tmp"]) expect(scratch.has(mounts[needed] ?? ""), `${d.metadata.name}/${c.name}: ${needed}`).toBe(true);
      }
    }
    // The Next.js server writes its cache.
    const mounts = web().spec.template.spec.containers[0]?.volumeMounts?.map((m) => m.mountPath);
    expect(mounts).toContain("/app/.next/cache");
    // The image's user is uid 1000 (`node` in node:20-bookworm-slim).
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it("gives every container CPU and memory requests and limits, and the web server a grace period beyond the launcher's", () => {
    for (const d of deployments()) {
      for (const c of allContainers(d)) {
        expect(Object.keys(c.resources?.requests ?? {}).sort(), c.name).toEqual(["cpu", "memory"]);
        expect(Object.keys(c.resources?.limits ?? {}).sort(), c.name).toEqual(["cpu", "memory"]);
      }
    }
    expect(web().spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
  });

  it("has a PodDisruptionBudget per Deployment that selects exactly its pods", () => {
    const budgets = rendered.filter((o) => o.kind === "PodDisruptionBudget") as (KubernetesObject & { spec: { maxUnavailable?: number; selector: { matchLabels: Record<string, string> } } })[];
    expect(budgets).toHaveLength(2);
    for (const d of deployments()) {
      const mine = budgets.filter((b) => matches(b.spec.selector.matchLabels, d.spec.template.metadata.labels));
      expect(mine, d.metadata.name).toHaveLength(1);
      expect(mine[0]?.spec.maxUnavailable).toBe(1);
      expect(mine[0]?.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
      expect((d.spec.replicas ?? 1) - (mine[0]?.spec.maxUnavailable ?? 0)).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("deploy/kubernetes: Paved's own policies", () => {
  let policies: Awaited<ReturnType<typeof loadPolicies>>;
  beforeAll(async () => {
    policies = await loadPolicies(path.join(ROOT, "policies"));
  });

  it("pass every rendered object, with no warning either", () => {
    expect(policies.errors).toEqual([]);
    let evaluatedWorkloads = 0;
    for (const o of rendered) {
      const result = evaluateSubject(policies.policies, o as never, { request: { operation: "CREATE" } });
      expect(result.results.filter((r) => r.action !== "Audit"), `${o.kind} ${o.metadata.name}`).toEqual([]);
      if (o.kind === "Deployment") {
        expect(result.evaluated).toEqual(expect.arrayContaining(["require-run-as-non-root", "require-resource-limits", "disallow-latest-tag", "restrict-image-registries", "require-workload-labels"]));
        evaluatedWorkloads++;
      }
    }
    expect(evaluatedWorkloads).toBe(2);
  });
});
