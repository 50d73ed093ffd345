// The sandbox's GitOps repository, demo/gitops: what a real organisation's Argo CD would sync. One
// kustomize base and an overlay per environment for each demo service, an Argo CD Application per
// service and environment, an AppProject per team, Terraform sources with the JSON of CI's latest
// plan per environment, and a README. Generated from the demo organisation (prisma/seed's
// DEMO_SERVICES and DEMO_ENVIRONMENTS, passed in) so that names, teams and health checks agree
// with the database.
//
// Realistic and deliberately imperfect: mostly compliant, with a few true violations of Paved's
// policies (DEMO_KNOWN_ISSUES) so that the Governance page has something honest to show. The
// README lists them from that same table, and lib/gitops/demo-repository.test.ts checks that the
// rendered repository has exactly these.
import { appBase, appOverlay, argoApplicationPath, overlayKustomizationPath, terraformPlanPath } from "../../gitops/repository.ts";
import { SANDBOX_OWNER } from "./git-host.ts";
import { seedSandboxRepos, type SandboxRepoSeed } from "./seed.ts";

export const GITOPS_REPO_NAME = "gitops";

export interface GitOpsDemoService {
  name: string;
  team: string;
  healthCheckPath: string;
  description?: string;
}

export interface GitOpsDemoOptions {
  /** What the Argo CD Applications sync from. */
  repoUrl?: string;
  /** Branch-per-environment repositories: the branch each environment's Applications follow (default: main). */
  branches?: Readonly<Record<string, string>>;
}

const DEFAULT_REPO_URL = `https://github.com/${SANDBOX_OWNER}/${GITOPS_REPO_NAME}.git`;
const REGISTRY = "ghcr.io/acme";

/** A deliberate policy violation in the demo repository: which policy, where, and the story behind it. */
export interface DemoKnownIssue {
  policy: string;
  /** The subject: "Deployment frontend", "Terraform plan staging". */
  subject: string;
  environments: readonly string[];
  /** Repository path of the file to fix. */
  file: string;
  description: string;
}

const ALL_ENVS = ["dev", "staging", "production"] as const;

export const DEMO_KNOWN_ISSUES: readonly DemoKnownIssue[] = [
  {
    policy: "require-run-as-non-root",
    subject: "Deployment frontend",
    environments: ALL_ENVS,
    file: "apps/frontend/base/deployment.yaml",
    description: "nginx binds port 80 as root; the storefront team plans to move to nginx-unprivileged.",
  },
  {
    policy: "require-internal-load-balancer",
    subject: "Service api-gateway",
    environments: ALL_ENVS,
    file: "apps/api-gateway/base/service.yaml",
    description: "A LoadBalancer without `service.beta.kubernetes.io/azure-load-balancer-internal: \"true\"` (payments-gateway shows the compliant way).",
  },
  {
    policy: "restrict-image-registries",
    subject: "StatefulSet search-index",
    environments: ALL_ENVS,
    file: "apps/search-service/base/elasticsearch.yaml",
    description: "Elasticsearch straight from docker.io/elastic instead of a mirror in ghcr.io/acme.",
  },
  {
    policy: "require-resource-limits",
    subject: "Deployment notification-service",
    environments: ALL_ENVS,
    file: "apps/notification-service/base/deployment.yaml",
    description: "The smtp-relay sidecar has a CPU limit but no memory limit.",
  },
  {
    policy: "disallow-latest-tag",
    subject: "Deployment checkout-web",
    environments: ["dev"],
    file: "apps/checkout-web/overlays/dev/kustomization.yaml",
    description: "dev follows main with `newTag: latest`; staging and production pin versions.",
  },
  {
    policy: "require-workload-labels",
    subject: "Deployment catalog-service",
    environments: ALL_ENVS,
    file: "apps/catalog-service/base/deployment.yaml",
    description: "Has the `team` label but not `service`.",
  },
  {
    policy: "terraform-no-public-buckets",
    subject: "Terraform plan dev",
    environments: ["dev"],
    file: terraformPlanPath("dev"),
    description: "aws_s3_bucket_acl.assets is `public-read` and its public access block is off, opened to share a preview with an agency.",
  },
  {
    policy: "terraform-no-open-ingress",
    subject: "Terraform plan staging",
    environments: ["staging"],
    file: terraformPlanPath("staging"),
    description: "aws_security_group.bastion accepts SSH (22) from 0.0.0.0/0, opened for a contractor. (aws_security_group.edge is open on 443 in every environment: allowed, it is the public entry point.)",
  },
];

// ---------------------------------------------------------------------------------------------
// Per-service settings: versions (production behind staging behind dev), replicas, sizes

interface AppSettings {
  versions: Record<(typeof ALL_ENVS)[number], string>;
  replicas: Record<(typeof ALL_ENVS)[number], number>;
  resources?: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
  /** Ports besides http (8080). */
  ports?: { name: string; containerPort: number }[];
  /** A PodDisruptionBudget in production. */
  pdb?: boolean;
}

const SMALL = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const MEDIUM = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } };
const LARGE = { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "2", memory: "2Gi" } };

const APP_SETTINGS: Record<string, AppSettings> = {
  database: { versions: { production: "2.3.0", staging: "2.3.0", dev: "2.4.0-rc.1" }, replicas: { production: 1, staging: 1, dev: 1 }, resources: LARGE, ports: [{ name: "postgres", containerPort: 5432 }] },
  "backend-api": { versions: { production: "1.4.0", staging: "1.5.0", dev: "1.6.0-rc.1" }, replicas: { production: 4, staging: 2, dev: 1 }, resources: MEDIUM, pdb: true },
  frontend: { versions: { production: "3.1.2", staging: "3.2.0", dev: "3.3.0-rc.2" }, replicas: { production: 4, staging: 2, dev: 1 }, pdb: true },
  "worker-service": { versions: { production: "1.8.1", staging: "1.8.1", dev: "1.9.0" }, replicas: { production: 3, staging: 2, dev: 1 }, resources: MEDIUM },
  "message-broker": { versions: { production: "1.12.0", staging: "1.12.0", dev: "1.12.0" }, replicas: { production: 3, staging: 3, dev: 1 }, resources: MEDIUM, ports: [{ name: "amqp", containerPort: 5672 }] },
  "auth-service": { versions: { production: "2.7.0", staging: "2.7.0", dev: "2.8.0-rc.1" }, replicas: { production: 3, staging: 2, dev: 1 } },
  "api-gateway": { versions: { production: "1.21.0", staging: "1.22.0", dev: "1.22.0" }, replicas: { production: 3, staging: 2, dev: 1 }, resources: MEDIUM, ports: [{ name: "https", containerPort: 8443 }], pdb: true },
  ledger: { versions: { production: "0.14.3", staging: "0.15.0", dev: "0.16.0-rc.1" }, replicas: { production: 3, staging: 2, dev: 1 }, resources: MEDIUM },
  "payments-gateway": { versions: { production: "2.2.1", staging: "2.3.0", dev: "2.3.0" }, replicas: { production: 3, staging: 2, dev: 1 }, resources: MEDIUM, pdb: true },
  "fraud-detection": { versions: { production: "0.9.0", staging: "0.9.2", dev: "0.10.0-rc.1" }, replicas: { production: 2, staging: 1, dev: 1 }, resources: LARGE },
  "catalog-service": { versions: { production: "4.0.3", staging: "4.0.3", dev: "4.1.0" }, replicas: { production: 3, staging: 2, dev: 1 } },
  "search-service": { versions: { production: "1.3.0", staging: "1.4.0", dev: "1.4.1" }, replicas: { production: 2, staging: 2, dev: 1 } },
  "checkout-web": { versions: { production: "2.5.0", staging: "2.6.0", dev: "latest" }, replicas: { production: 4, staging: 2, dev: 1 }, pdb: true },
  "notification-service": { versions: { production: "1.1.0", staging: "1.1.0", dev: "1.2.0-rc.3" }, replicas: { production: 2, staging: 1, dev: 1 } },
};

function settingsOf(name: string): AppSettings {
  return APP_SETTINGS[name] ?? { versions: { production: "1.0.0", staging: "1.0.0", dev: "1.0.0" }, replicas: { production: 2, staging: 2, dev: 1 } };
}

function versionIn(s: AppSettings, env: string): string {
  return (s.versions as Record<string, string>)[env] ?? s.versions.staging;
}

function replicasIn(s: AppSettings, env: string): number {
  return (s.replicas as Record<string, number>)[env] ?? s.replicas.staging;
}

// ---------------------------------------------------------------------------------------------
// Manifests

function labelLines(svc: GitOpsDemoService, indent: string, withService = svc.name !== "catalog-service"): string {
  return [`app.kubernetes.io/name: ${svc.name}`, `team: ${svc.team}`, ...(withService ? [`service: ${svc.name}`] : [])].map((l) => `${indent}${l}`).join("\n");
}

const CONTAINER_SECURITY = `          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]`;

function resourcesBlock(r: { requests: { cpu: string; memory: string }; limits: { cpu?: string; memory?: string } }, indent = "          "): string {
  const limits = Object.entries(r.limits)
    .map(([k, v]) => `${indent}    ${k}: ${v}`)
    .join("\n");
  return `${indent}resources:
${indent}  requests:
${indent}    cpu: ${r.requests.cpu}
${indent}    memory: ${r.requests.memory}
${indent}  limits:
${limits}`;
}

function deployment(svc: GitOpsDemoService, s: AppSettings): string {
  const frontend = svc.name === "frontend";
  const port = frontend ? 80 : 8080;
  const ports = [{ name: "http", containerPort: port }, ...(s.ports ?? [])]
    .map((p) => `            - name: ${p.name}\n              containerPort: ${p.containerPort}\n              protocol: TCP`)
    .join("\n");
  const podSecurity = frontend
    ? `      # nginx binds port 80 as root. TODO(storefront): move to nginx-unprivileged and set runAsNonRoot.
      securityContext:
        fsGroup: 101
        seccompProfile:
          type: RuntimeDefault`
    : `      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault`;
  const containerSecurity = frontend
    ? `          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
              add: [NET_BIND_SERVICE]`
    : CONTAINER_SECURITY;
  const sidecar =
    svc.name === "notification-service"
      ? `
        - name: smtp-relay
          image: ${REGISTRY}/smtp-relay:2.3.1
          ports:
            - name: smtp
              containerPort: 2525
              protocol: TCP
${resourcesBlock({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m" } })}
${CONTAINER_SECURITY}`
      : "";
  return `# ${svc.name}: the same in every environment. Each overlay sets the namespace, the image tag
# and the replicas; change those there, and this file for every environment at once.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${svc.name}
  labels:
${labelLines(svc, "    ")}
    app.kubernetes.io/part-of: acme-shop
spec:
  replicas: 1
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      app.kubernetes.io/name: ${svc.name}
  template:
    metadata:
      labels:
${labelLines(svc, "        ")}
    spec:
      automountServiceAccountToken: false
${podSecurity}
      containers:
        - name: ${svc.name}
          image: ${REGISTRY}/${svc.name}:${s.versions.production}
          ports:
${ports}
          env:
            - name: LOG_LEVEL
              value: info
          readinessProbe:
            httpGet:
              path: ${svc.healthCheckPath}
              port: http
            periodSeconds: 5
          livenessProbe:
            httpGet:
              path: ${svc.healthCheckPath}
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
${resourcesBlock(s.resources ?? SMALL)}
${containerSecurity}
          volumeMounts:
            - name: tmp
              mountPath: /tmp${sidecar}
      volumes:
        - name: tmp
          emptyDir: {}
`;
}

function service(svc: GitOpsDemoService, s: AppSettings): string {
  const extraPorts = (s.ports ?? []).map((p) => `    - name: ${p.name}\n      port: ${p.name === "https" ? 443 : p.containerPort}\n      targetPort: ${p.name}\n      protocol: TCP`);
  const ports = [`    - name: http\n      port: 80\n      targetPort: http\n      protocol: TCP`, ...extraPorts].join("\n");
  let annotations = "";
  let type = "ClusterIP";
  if (svc.name === "api-gateway") {
    type = "LoadBalancer";
    annotations = `  annotations:
    service.beta.kubernetes.io/azure-load-balancer-health-probe-request-path: ${svc.healthCheckPath}
`;
  } else if (svc.name === "payments-gateway") {
    // The compliant way: the acquirers reach it over a private link, never the internet.
    type = "LoadBalancer";
    annotations = `  annotations:
    service.beta.kubernetes.io/azure-load-balancer-internal: "true"
    service.beta.kubernetes.io/azure-load-balancer-internal-subnet: acquirer-link
`;
  }
  return `apiVersion: v1
kind: Service
metadata:
  name: ${svc.name}
  labels:
${labelLines(svc, "    ")}
${annotations}spec:
  type: ${type}
  selector:
    app.kubernetes.io/name: ${svc.name}
  ports:
${ports}
`;
}

function elasticsearch(svc: GitOpsDemoService): string {
  return `# The search index: Elasticsearch, run by the ${svc.team} team next to ${svc.name}.
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: search-index
  labels:
    app.kubernetes.io/name: search-index
    app.kubernetes.io/part-of: acme-shop
    team: ${svc.team}
    service: ${svc.name}
spec:
  serviceName: search-index
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: search-index
  template:
    metadata:
      labels:
        app.kubernetes.io/name: search-index
        team: ${svc.team}
        service: ${svc.name}
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: elasticsearch
          image: docker.io/elastic/elasticsearch:8.15.3
          env:
            - name: ES_JAVA_OPTS
              value: -Xms2g -Xmx2g
            - name: cluster.name
              value: search-index
          ports:
            - name: http
              containerPort: 9200
              protocol: TCP
            - name: transport
              containerPort: 9300
              protocol: TCP
          readinessProbe:
            tcpSocket:
              port: http
            periodSeconds: 10
${resourcesBlock({ requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "2", memory: "4Gi" } })}
          securityContext:
            allowPrivilegeEscalation: false
            capabilities:
              drop: [ALL]
          volumeMounts:
            - name: data
              mountPath: /usr/share/elasticsearch/data
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: [ReadWriteOnce]
        resources:
          requests:
            storage: 20Gi
---
apiVersion: v1
kind: Service
metadata:
  name: search-index
  labels:
    app.kubernetes.io/name: search-index
    team: ${svc.team}
    service: ${svc.name}
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: search-index
  ports:
    - name: http
      port: 9200
      targetPort: http
    - name: transport
      port: 9300
      targetPort: transport
`;
}

function baseKustomization(svc: GitOpsDemoService): string {
  const extra = svc.name === "search-service" ? "  - elasticsearch.yaml\n" : "";
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
${extra}`;
}

function overlayKustomization(svc: GitOpsDemoService, s: AppSettings, env: string): string {
  const tag = versionIn(s, env);
  const header =
    svc.name === "checkout-web" && env === "dev"
      ? `# dev follows main: CI pushes :latest on every merge.`
      : `# ${svc.name} in ${env}. Paved promotes a release by changing newTag below (Argo CD syncs it).`;
  const extraResources = env === "production" && s.pdb ? "  - pdb.yaml\n" : "";
  const searchIndex = svc.name === "search-service" && env === "dev" ? `  - name: search-index\n    count: 1\n` : "";
  const patches = svc.name === "backend-api" && env === "dev" ? "patches:\n  - path: debug-logging.yaml\n" : "";
  return `${header}
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${svc.name}-${env}
resources:
  - ../../base
${extraResources}labels:
  - pairs:
      environment: ${env}
images:
  - name: ${REGISTRY}/${svc.name}
    newTag: ${tag}
replicas:
  - name: ${svc.name}
    count: ${replicasIn(s, env)}
${searchIndex}${patches}`;
}

function pdb(svc: GitOpsDemoService): string {
  return `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${svc.name}
  labels:
${labelLines(svc, "    ")}
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${svc.name}
`;
}

const DEBUG_LOGGING = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend-api
spec:
  template:
    spec:
      containers:
        - name: backend-api
          env:
            - name: LOG_LEVEL
              value: debug
`;

function application(svc: GitOpsDemoService, env: string, repoUrl: string, branch: string): string {
  const path = appOverlay(svc.name, env);
  return `# Argo CD syncs ${path} into the namespace ${svc.name}-${env}.
# Register it once: kubectl apply -n argocd -f ${argoApplicationPath(svc.name, env)}
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${svc.name}-${env}
  namespace: argocd
  labels:
    team: ${svc.team}
    service: ${svc.name}
    environment: ${env}
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: ${svc.team}
  source:
    repoURL: ${repoUrl}
    targetRevision: ${branch}
    path: ${path}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${svc.name}-${env}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
`;
}

function appProject(team: string, services: readonly GitOpsDemoService[], repoUrl: string): string {
  const destinations = services.map((s) => `    - server: https://kubernetes.default.svc\n      namespace: ${s.name}-*`).join("\n");
  return `# The ${team} team's services may only be deployed from this repository into their own namespaces.
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: ${team}
  namespace: argocd
spec:
  description: Services of the ${team} team
  sourceRepos:
    - ${repoUrl}
  destinations:
${destinations}
  clusterResourceWhitelist:
    - group: ""
      kind: Namespace
`;
}

// ---------------------------------------------------------------------------------------------
// Terraform: sources per environment and the JSON of CI's latest plan

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

interface TfResource {
  type: string;
  name: string;
  /** What the configuration sets (written to main.tf); nested lists of objects are blocks. */
  config: Record<string, Json>;
  /** Attributes the provider computes. */
  computed: Record<string, Json>;
  /** The state before this plan; null when the plan creates the resource. */
  before: Record<string, Json> | null;
}

const TF_VERSION = "1.9.8";
const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";
const REGION = "eu-west-1";

function tags(team: string, costCenter: string): Record<string, Json> {
  return { team, "cost-center": costCenter };
}

function ingress(port: number, cidr: string, description: string): Record<string, Json> {
  return { description, from_port: port, to_port: port, protocol: "tcp", cidr_blocks: [cidr], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false };
}

const EGRESS_ALL = { description: "All outbound", from_port: 0, to_port: 0, protocol: "-1", cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: [], prefix_list_ids: [], security_groups: [], self: false };

function terraformResources(env: string): TfResource[] {
  const account = "123456789012";
  const vpc = { dev: "vpc-0a1b2c3d4e5f60718", staging: "vpc-0b2c3d4e5f6071829", production: "vpc-0c3d4e5f60718293a" }[env] ?? "vpc-0d4e5f60718293a4b";
  const bucket = `acme-${env}-storefront-assets`;
  const publicPreview = env === "dev";
  const dbClass = { dev: "db.t4g.medium", staging: "db.r6g.large", production: "db.r6g.2xlarge" }[env] ?? "db.t4g.medium";
  const bastionOpen = env === "staging";
  const vpnCidr = "10.20.0.0/16";
  const sg = (name: string, description: string, rules: Record<string, Json>[]): Pick<TfResource, "config" | "computed"> => ({
    config: { name: `acme-${env}-${name}`, description, vpc_id: vpc, ingress: rules, egress: [EGRESS_ALL], tags: tags("platform", "CC-1100") },
    computed: { id: `sg-0${env.length}${name.length}4f1c2d3e4f5a6b`, arn: `arn:aws:ec2:${REGION}:${account}:security-group/sg-0${env.length}${name.length}4f1c2d3e4f5a6b`, owner_id: account, revoke_rules_on_delete: false, name_prefix: "" },
  });
  const edge = sg("edge", "Public HTTPS entry point (api-gateway load balancer)", [ingress(443, "0.0.0.0/0", "HTTPS from the internet")]);
  const bastion = sg("bastion", "SSH to the bastion host", [ingress(22, bastionOpen ? "0.0.0.0/0" : vpnCidr, bastionOpen ? "SSH for the contractor (temporary)" : "SSH from the VPN")]);
  const bucketAcl = { bucket, acl: publicPreview ? "public-read" : "private" };
  const block = (open: boolean) => ({ bucket, block_public_acls: !open, block_public_policy: !open, ignore_public_acls: !open, restrict_public_buckets: !open });
  const db = (instanceClass: string) => ({
    identifier: `acme-${env}-primary`,
    engine: "postgres",
    engine_version: "16.4",
    instance_class: instanceClass,
    allocated_storage: env === "production" ? 500 : 100,
    storage_type: "gp3",
    storage_encrypted: true,
    multi_az: env === "production",
    publicly_accessible: false,
    backup_retention_period: env === "production" ? 14 : 3,
    deletion_protection: env !== "dev",
    username: "paved",
    manage_master_user_password: true,
    tags: tags("platform", "CC-1100"),
  });

  // "same": an existing resource this plan leaves as it is.
  const drafts: (Omit<TfResource, "before"> & { before: Record<string, Json> | null | "same" })[] = [
    {
      type: "aws_s3_bucket",
      name: "assets",
      config: { bucket, force_destroy: false, tags: tags("storefront", "CC-2100") },
      computed: { id: bucket, arn: `arn:aws:s3:::${bucket}`, bucket_domain_name: `${bucket}.s3.amazonaws.com`, region: REGION, object_lock_enabled: false },
      before: "same",
    },
    { type: "aws_s3_bucket_public_access_block", name: "assets", config: block(publicPreview), computed: { id: bucket }, before: publicPreview ? { ...block(false), id: bucket } : "same" },
    { type: "aws_s3_bucket_acl", name: "assets", config: bucketAcl, computed: { id: `${bucket},${bucketAcl.acl}`, expected_bucket_owner: "" }, before: publicPreview ? { ...bucketAcl, acl: "private", id: `${bucket},private`, expected_bucket_owner: "" } : "same" },
    {
      type: "aws_db_instance",
      name: "primary",
      config: db(dbClass),
      computed: { id: `db-${env.toUpperCase()}PRIMARY7Q2W`, arn: `arn:aws:rds:${REGION}:${account}:db:acme-${env}-primary`, address: `acme-${env}-primary.c9x8y7z6.${REGION}.rds.amazonaws.com`, port: 5432 },
      // Production grows from db.r6g.xlarge in this plan.
      before: env === "production" ? { ...db("db.r6g.xlarge") } : "same",
    },
    { type: "aws_security_group", name: "edge", ...edge, before: "same" },
    { type: "aws_security_group", name: "bastion", ...bastion, before: bastionOpen ? { ...bastion.config, ...bastion.computed, ingress: [ingress(22, vpnCidr, "SSH from the VPN")] } : "same" },
    {
      type: "aws_sqs_queue",
      name: "notifications",
      config: { name: `acme-${env}-notifications`, message_retention_seconds: 345600, visibility_timeout_seconds: 60, sqs_managed_sse_enabled: true, tags: tags("platform", "CC-1100") },
      computed: { id: `https://sqs.${REGION}.amazonaws.com/${account}/acme-${env}-notifications`, arn: `arn:aws:sqs:${REGION}:${account}:acme-${env}-notifications`, url: `https://sqs.${REGION}.amazonaws.com/${account}/acme-${env}-notifications` },
      // dev gets its queue in this plan.
      before: env === "dev" ? null : "same",
    },
  ];
  return drafts.map((r) => {
    const before = r.before === "same" ? { ...r.config, ...r.computed } : r.before;
    return { ...r, before: before === null ? null : withTagsAll(before, env) };
  });
}

/** The provider's default_tags are merged into tags_all. */
function withTagsAll(values: Record<string, Json>, env: string): Record<string, Json> {
  if (!("tags" in values)) return values;
  return { ...values, tags_all: { ...(values.tags as Record<string, Json>), environment: env, "managed-by": "terraform" } };
}

function address(r: TfResource): string {
  return `${r.type}.${r.name}`;
}

function isBlockList(v: Json): v is Record<string, Json>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x));
}

function hclValue(v: Json, indent: string): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null) return "null";
  if (Array.isArray(v)) return `[${v.map((x) => hclValue(x, indent)).join(", ")}]`;
  if (typeof v === "object") {
    const width = Math.max(...Object.keys(v).map((k) => hclKey(k).length));
    const body = Object.entries(v)
      .map(([k, x]) => `${indent}  ${hclKey(k).padEnd(width)} = ${hclValue(x, `${indent}  `)}`)
      .join("\n");
    return `{\n${body}\n${indent}}`;
  }
  return String(v);
}

function hclKey(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k);
}

function hclBody(config: Record<string, Json>, indent: string): string {
  const attrs = Object.entries(config).filter(([, v]) => !isBlockList(v));
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  const lines = attrs.map(([k, v]) => `${indent}${k.padEnd(width)} = ${hclValue(v, indent)}`);
  for (const [k, v] of Object.entries(config)) {
    if (!isBlockList(v)) continue;
    for (const block of v) {
      const inner = Object.fromEntries(Object.entries(block).filter(([, x]) => !(Array.isArray(x) && x.length === 0) && x !== false));
      lines.push("", `${indent}${k} {`, hclBody(inner, `${indent}  `), `${indent}}`);
    }
  }
  return lines.join("\n");
}

function mainTf(env: string): string {
  const resources = terraformResources(env)
    .map((r) => `resource "${r.type}" "${r.name}" {\n${hclBody(r.config, "  ")}\n}`)
    .join("\n\n");
  return `# Cloud resources around the ${env} cluster. CI runs \`terraform plan\` on every pull request
# and commits \`terraform show -json\` of the plan to ../../plans/${env}.json, which Paved checks
# against the organisation's policies before anyone applies it.
terraform {
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  backend "s3" {
    bucket         = "acme-terraform-state"
    key            = "environments/${env}/terraform.tfstate"
    region         = "${REGION}"
    dynamodb_table = "acme-terraform-locks"
    encrypt        = true
  }
}

provider "aws" {
  region = "${REGION}"

  default_tags {
    tags = {
      environment  = "${env}"
      "managed-by" = "terraform"
    }
  }
}

${resources}
`;
}

function planJson(env: string): string {
  const resources = terraformResources(env);
  const sensitive = (values: Record<string, Json>): Record<string, Json> => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(values)) {
      if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === "object" && x !== null ? {} : false)) as Json[];
      else if (typeof v === "object" && v !== null) out[k] = {};
    }
    return out;
  };
  const changes = resources.map((r) => {
    const created = r.before === null;
    const after = withTagsAll({ ...r.config, ...(created ? {} : r.computed) }, env);
    const unchanged = !created && JSON.stringify(r.before) === JSON.stringify(withTagsAll({ ...r.config, ...r.computed }, env));
    const actions = created ? ["create"] : unchanged ? ["no-op"] : ["update"];
    return {
      address: address(r),
      mode: "managed",
      type: r.type,
      name: r.name,
      provider_name: AWS_PROVIDER,
      change: {
        actions,
        before: r.before,
        after,
        after_unknown: created ? Object.fromEntries(Object.keys(r.computed).map((k) => [k, true])) : {},
        before_sensitive: r.before === null ? false : sensitive(r.before),
        after_sensitive: sensitive(after),
      },
    };
  });
  const plan = {
    format_version: "1.2",
    terraform_version: TF_VERSION,
    planned_values: {
      root_module: {
        resources: changes.map((c) => ({ address: c.address, mode: "managed", type: c.type, name: c.name, provider_name: AWS_PROVIDER, schema_version: 0, values: c.change.after, sensitive_values: c.change.after_sensitive })),
      },
    },
    resource_changes: changes,
    prior_state: {
      format_version: "1.0",
      terraform_version: TF_VERSION,
      values: {
        root_module: {
          resources: changes
            .filter((c) => c.change.before !== null)
            .map((c) => ({ address: c.address, mode: "managed", type: c.type, name: c.name, provider_name: AWS_PROVIDER, schema_version: 0, values: c.change.before, sensitive_values: c.change.before_sensitive })),
        },
      },
    },
    configuration: {
      provider_config: {
        aws: { name: "aws", full_name: AWS_PROVIDER, version_constraint: "~> 5.70", expressions: { region: { constant_value: REGION } } },
      },
      root_module: {
        resources: resources.map((r) => ({
          address: address(r),
          mode: "managed",
          type: r.type,
          name: r.name,
          provider_config_key: "aws",
          expressions: Object.fromEntries(Object.entries(r.config).map(([k, v]) => [k, isBlockList(v) ? v.map((b) => Object.fromEntries(Object.entries(b).map(([bk, bv]) => [bk, { constant_value: bv }]))) : { constant_value: v }])),
          schema_version: 0,
        })),
      },
    },
    timestamp: { dev: "2025-11-24T08:12:41Z", staging: "2025-11-21T16:47:05Z", production: "2025-11-19T10:03:27Z" }[env] ?? "2025-11-24T08:00:00Z",
    applyable: true,
    complete: true,
    errored: false,
  };
  return `${JSON.stringify(plan, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// README

function readme(services: readonly GitOpsDemoService[], environments: readonly string[]): string {
  const issues = DEMO_KNOWN_ISSUES.map((i) => `| \`${i.policy}\` | ${i.subject} | ${i.environments.join(", ")} | \`${i.file}\` | ${i.description} |`).join("\n");
  // The service the release managers' demo promotes, when it is there.
  const example = (services.find((s) => s.name === "backend-api") ?? services[0])?.name ?? "frontend";
  return `# gitops

The desired state of Acme's ${services.length} services in ${environments.join(", ")}: Argo CD syncs
it, Paved promotes releases by committing to it. A sandbox repository, kept in Paved's data folder:
its commits, branches and pull requests are real git.

## Layout

\`\`\`
apps/<service>/base/                      kustomize base: Deployment, Service (the same everywhere)
apps/<service>/overlays/<environment>/    kustomization.yaml: namespace, image tag, replicas
argocd/<service>-<environment>.yaml       Argo CD Application syncing that overlay (auto-sync, prune, self-heal)
argocd/projects/<team>.yaml               Argo CD AppProject: a team deploys only its own services
infrastructure/terraform/environments/<environment>/main.tf   cloud resources around each cluster
infrastructure/terraform/plans/<environment>.json             \`terraform show -json\` of CI's latest plan
policies/                                 what Paved checks here
\`\`\`

Each service is deployed to the namespace \`<service>-<environment>\`, from images in
\`${REGISTRY}/<service>\`. Bases carry the labels \`team\` and \`service\`, resource requests and
limits, probes on the service's health check path, and run as non-root.

## Promoting a release

A promotion changes one line: the \`newTag\` of the service's image in the target environment's
overlay, e.g. \`${overlayKustomizationPath(example, "production")}\`:

\`\`\`yaml
images:
  - name: ${REGISTRY}/${example}
    newTag: ${versionIn(settingsOf(example), "production")}
\`\`\`

Paved commits it (through a pull request for protected environments), Argo CD syncs it. Production
runs behind staging, staging behind dev; a rollback is a revert of that commit, so it works under
auto-sync. Everything else about a service changes in its base, for every environment at once.

## Known issues the demo shows

The repository is mostly compliant. These are deliberate, so that Paved's Governance page has
something true to show; fix one (in a pull request) and watch its compliance figure move.

| policy | subject | environments | file | why |
|---|---|---|---|---|
${issues}
`;
}

const POLICIES_README = `# Policies

Paved evaluates the organisation's policies (Paved's \`policies/\` folder) against every overlay
of this repository as kustomize renders it, and against the Terraform plans in
\`infrastructure/terraform/plans/\`: in the compliance scan, and as a gate on every promotion.
Violations link back to the file and line here. Exceptions (waivers, with an expiry date) are
granted in Paved, not in this repository.
`;

// ---------------------------------------------------------------------------------------------
// The repository

/** Every file of demo/gitops, by path. */
export function demoGitOpsFiles(services: readonly GitOpsDemoService[], environments: readonly string[], options: GitOpsDemoOptions = {}): Record<string, string> {
  const repoUrl = options.repoUrl ?? DEFAULT_REPO_URL;
  const files: Record<string, string> = {};
  for (const svc of services) {
    const s = settingsOf(svc.name);
    const base = appBase(svc.name);
    files[`${base}/kustomization.yaml`] = baseKustomization(svc);
    files[`${base}/deployment.yaml`] = deployment(svc, s);
    files[`${base}/service.yaml`] = service(svc, s);
    if (svc.name === "search-service") files[`${base}/elasticsearch.yaml`] = elasticsearch(svc);
    for (const env of environments) {
      files[overlayKustomizationPath(svc.name, env)] = overlayKustomization(svc, s, env);
      if (env === "production" && s.pdb) files[`${appOverlay(svc.name, env)}/pdb.yaml`] = pdb(svc);
      if (svc.name === "backend-api" && env === "dev") files[`${appOverlay(svc.name, env)}/debug-logging.yaml`] = DEBUG_LOGGING;
      files[argoApplicationPath(svc.name, env)] = application(svc, env, repoUrl, options.branches?.[env] ?? "main");
    }
  }
  const teams = [...new Set(services.map((s) => s.team))].sort();
  for (const team of teams) {
    files[`argocd/projects/${team}.yaml`] = appProject(
      team,
      services.filter((s) => s.team === team),
      repoUrl,
    );
  }
  for (const env of environments) {
    files[`infrastructure/terraform/environments/${env}/main.tf`] = mainTf(env);
    files[terraformPlanPath(env)] = planJson(env);
  }
  files["policies/README.md"] = POLICIES_README;
  files["README.md"] = readme(services, environments);
  return files;
}

/** The seed of demo/gitops, for seedSandboxRepos. */
export function demoGitOpsRepo(services: readonly GitOpsDemoService[], environments: readonly (string | { name: string })[], options: GitOpsDemoOptions = {}): SandboxRepoSeed {
  const envs = environments.map((e) => (typeof e === "string" ? e : e.name));
  return {
    owner: SANDBOX_OWNER,
    name: GITOPS_REPO_NAME,
    description: "Desired state of every service per environment: kustomize bases and overlays, Argo CD Applications, Terraform plans.",
    files: demoGitOpsFiles(services, envs, options),
  };
}

/** Creates demo/gitops unless it exists (then it is left as it is, promotions included). Returns whether it created it. */
export async function seedGitOpsRepo(dataDir: string, services: readonly GitOpsDemoService[], environments: readonly (string | { name: string })[], options: GitOpsDemoOptions = {}): Promise<boolean> {
  const created = await seedSandboxRepos(dataDir, [demoGitOpsRepo(services, environments, options)]);
  return created.length > 0;
}
