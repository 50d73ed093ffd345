// The graph's file formats, as pure functions (no database):
// - the seed's deployment-config.yaml (`services.<name>.dependencies`, `deployment_strategy`,
//   `health_check`, `migration_scripts`, `traffic_split`), read and written, so that an export
//   read back and exported again gives the same text — written in the seed's own style (services
//   in deployment order, flow lists, quoted health checks);
// - Backstage catalog-info.yaml (Component/Resource entities, `spec.dependsOn`), read.
// Parsing reports every problem with its line and column; nothing is written here.
import { isMap, isScalar } from "yaml";
import { z } from "zod";
import { ValidationError } from "../core/errors.ts";
import { invalidFile as invalid, parseYamlDocuments, plainValue, positionOf, zodIssuesWithLines, type ImportIssue } from "../core/yaml.ts";

export type { ImportIssue } from "../core/yaml.ts";
import { DependencyGraph, planWaves } from "./graph.ts";
import { MAX_SERVICES_PER_IMPORT, SERVICE_NAME, StrategySchema, TrafficSteps, type Strategy } from "./schemas.ts";

/** What a file says about one service. Absent fields leave the service's current value alone. */
export interface ImportedService {
  name: string;
  /** The owning team's slug, when the file names one. */
  owner?: string;
  dependsOn: string[];
  strategy?: Strategy;
  healthCheckPath?: string;
  migrationScripts?: string[];
  trafficSteps?: number[];
  description?: string;
  repository?: string | null;
  pathGlobs?: string[];
  environments?: string[];
  /** 1-based line of the service's entry, for error messages. */
  line: number;
}

export interface ParsedImport {
  format: "deployment-config" | "backstage";
  services: ImportedService[];
  ignored: { entity: string; reason: string }[];
}

const ServiceNameKey = z.string().regex(SERVICE_NAME, "Service names are lower-case letters, digits and inner hyphens (at most 63).");
const Str = (max: number) => z.string().max(max);

const DeploymentConfigService = z
  .object({
    dependencies: z.array(ServiceNameKey).max(200).nullish(),
    deployment_strategy: StrategySchema.optional(),
    health_check: Str(200)
      .regex(/^\/[\x21-\x7e]*$/, "A path starting with `/`, without spaces.")
      .optional(),
    migration_scripts: z.array(Str(200).min(1)).max(50).optional(),
    traffic_split: TrafficSteps.optional(),
    // Paved's own fields (written by an export with paved=true).
    owner: Str(40).min(1).optional(),
    description: Str(2000).optional(),
    repository: Str(140)
      .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, "`owner/name`.")
      .nullable()
      .optional(),
    paths: z.array(Str(300).min(1)).max(50).optional(),
    environments: z.array(Str(63).min(1)).max(20).optional(),
  })
  .strict();

const DeploymentConfig = z
  .object({
    services: z.record(ServiceNameKey, DeploymentConfigService.nullable()),
  })
  .strict();

export function parseDeploymentConfig(text: string): ParsedImport {
  const { docs, counter } = parseYamlDocuments(text);
  if (docs.length !== 1) throw invalid("deployment config", [{ path: [], message: docs.length ? "Expected one YAML document, found several." : "The file is empty." }]);
  const doc = docs[0]!;
  const result = DeploymentConfig.safeParse(plainValue(doc));
  if (!result.success) throw invalid("deployment config", zodIssuesWithLines(doc, counter, result.error));
  const entries = Object.entries(result.data.services);
  if (entries.length > MAX_SERVICES_PER_IMPORT) throw invalid("deployment config", [{ path: ["services"], message: `At most ${MAX_SERVICES_PER_IMPORT} services per import.` }]);
  // Each service's line, from one pass over the services map (not a search per service).
  const lineOf = new Map<string, number>();
  const servicesNode = doc.get("services", true);
  if (isMap(servicesNode)) {
    for (const pair of servicesNode.items) {
      if (isScalar(pair.key) && pair.key.range) lineOf.set(String(pair.key.value), counter.linePos(pair.key.range[0]).line);
    }
  }
  const services = entries.map(([name, s]): ImportedService => {
    const out: ImportedService = { name, dependsOn: [...new Set(s?.dependencies ?? [])], line: lineOf.get(name) ?? 0 };
    if (s?.deployment_strategy) out.strategy = s.deployment_strategy;
    if (s?.health_check !== undefined) out.healthCheckPath = s.health_check;
    if (s?.migration_scripts) out.migrationScripts = s.migration_scripts;
    if (s?.traffic_split) out.trafficSteps = s.traffic_split;
    if (s?.owner) out.owner = s.owner;
    if (s?.description !== undefined) out.description = s.description;
    if (s?.repository !== undefined) out.repository = s.repository;
    if (s?.paths) out.pathGlobs = s.paths;
    if (s?.environments) out.environments = s.environments;
    return out;
  });
  return { format: "deployment-config", services, ignored: [] };
}

const BackstageEntity = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.object({
    name: z.string().min(1).max(63),
    namespace: z.string().optional(),
    description: z.string().max(2000).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .object({
      owner: z.string().optional(),
      dependsOn: z.array(z.string()).max(200).optional(),
    })
    .loose()
    .optional(),
});

const IMPORTED_KINDS = new Set(["component", "resource"]);

/** "component:default/backend-api", "resource:database", "backend-api" → its kind and name. */
export function parseEntityRef(ref: string, defaultKind = "component"): { kind: string; name: string } {
  const m = /^(?:([A-Za-z][\w-]*):)?(?:([\w.-]+)\/)?([\w.-]+)$/.exec(ref.trim());
  if (!m) return { kind: "", name: "" };
  return { kind: (m[1] ?? defaultKind).toLowerCase(), name: m[3]! };
}

export function parseBackstageCatalog(text: string): ParsedImport {
  const { docs, counter } = parseYamlDocuments(text);
  if (!docs.length) throw invalid("Backstage catalog", [{ path: [], message: "The file is empty." }]);
  const services: ImportedService[] = [];
  const ignored: ParsedImport["ignored"] = [];
  const issues: ImportIssue[] = [];
  docs.forEach((doc, index) => {
    const result = BackstageEntity.safeParse(plainValue(doc));
    if (!result.success) {
      issues.push(...zodIssuesWithLines(doc, counter, result.error).map((i) => ({ ...i, path: [`document ${index + 1}`, ...i.path] })));
      return;
    }
    const e = result.data;
    const label = `${e.kind}:${e.metadata.name}`;
    if (!e.apiVersion.startsWith("backstage.io/")) {
      ignored.push({ entity: label, reason: `not a Backstage entity (apiVersion ${e.apiVersion})` });
      return;
    }
    if (!IMPORTED_KINDS.has(e.kind.toLowerCase())) {
      ignored.push({ entity: label, reason: `${e.kind} entities are not services (only Component and Resource are imported)` });
      return;
    }
    const line = positionOf(doc, counter, ["metadata", "name"])?.line ?? 0;
    if (!SERVICE_NAME.test(e.metadata.name)) {
      issues.push({ path: [`document ${index + 1}`, "metadata", "name"], message: `"${e.metadata.name}" is not a valid service name (lower-case letters, digits and inner hyphens).`, line, column: 1 });
      return;
    }
    const dependsOn: string[] = [];
    for (const ref of e.spec?.dependsOn ?? []) {
      const { kind, name } = parseEntityRef(ref);
      if (!IMPORTED_KINDS.has(kind)) {
        ignored.push({ entity: `${label} → ${ref}`, reason: `dependencies on ${kind || "unparseable"} entities are not service dependencies` });
        continue;
      }
      if (!SERVICE_NAME.test(name)) {
        issues.push({ path: [`document ${index + 1}`, "spec", "dependsOn"], message: `"${ref}" does not name a valid service.`, line });
        continue;
      }
      if (!dependsOn.includes(name)) dependsOn.push(name);
    }
    const service: ImportedService = { name: e.metadata.name, dependsOn, line };
    if (e.spec?.owner) service.owner = parseEntityRef(e.spec.owner, "group").name;
    if (e.metadata.description !== undefined) service.description = e.metadata.description;
    const slug = e.metadata.annotations?.["github.com/project-slug"];
    if (slug && /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/.test(slug)) service.repository = slug;
    services.push(service);
  });
  if (issues.length) throw invalid("Backstage catalog", issues);
  const seen = new Set<string>();
  for (const s of services) {
    if (seen.has(s.name)) throw invalid("Backstage catalog", [{ path: [s.name], message: `"${s.name}" is defined twice.`, line: s.line }]);
    seen.add(s.name);
  }
  if (services.length > MAX_SERVICES_PER_IMPORT) throw invalid("Backstage catalog", [{ path: [], message: `At most ${MAX_SERVICES_PER_IMPORT} services per import.` }]);
  return { format: "backstage", services, ignored };
}

/** Backstage files carry `apiVersion: backstage.io/...`; anything else is read as a deployment config. */
export function parseImport(text: string, format: "auto" | "deployment-config" | "backstage"): ParsedImport {
  if (text.trim() === "") throw new ValidationError("The file is empty.", [{ path: [], message: "Send the YAML as the request body." }]);
  const chosen = format === "auto" ? (/^\s*apiVersion:\s*["']?backstage\.io\//m.test(text) ? "backstage" : "deployment-config") : format;
  return chosen === "backstage" ? parseBackstageCatalog(text) : parseDeploymentConfig(text);
}

/** A service as the exporter needs it. */
export interface ExportedService {
  name: string;
  dependsOn: readonly string[];
  strategy: Strategy;
  healthCheckPath: string;
  migrationScripts: readonly string[];
  trafficSteps: readonly number[];
  owner?: string;
  description?: string;
  repository?: string | null;
  pathGlobs?: readonly string[];
  environments?: readonly string[];
}

const flowList = (items: readonly (string | number)[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;
const PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;

/**
 * Writes deployment-config.yaml in the seed's style: services in deployment order (waves, by name
 * within a wave, and each service's dependencies in that order), a blank line between services, flow
 * lists, the health check quoted. Services
 * whose dependencies lie outside the export are ordered by the part of the graph they share.
 */
export function writeDeploymentConfig(services: readonly ExportedService[], options: { paved?: boolean } = {}): string {
  const byName = new Map(services.map((s) => [s.name, s]));
  const graph = DependencyGraph.from(services.map((s) => ({ name: s.name, dependsOn: s.dependsOn.filter((d) => byName.has(d)) })));
  const order = planWaves(graph).waves.flat();
  const position = new Map(order.map((name, i) => [name, i]));
  // Dependencies in deployment order too (outside the export: after, by name), as the seed writes them.
  const inOrder = (deps: readonly string[]) =>
    [...deps].sort((a, b) => (position.get(a) ?? Infinity) - (position.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0));
  const blocks = order.map((name) => {
    const s = byName.get(name)!;
    const lines = [`  ${name}:`, `    dependencies: ${flowList(inOrder(s.dependsOn))}`, `    deployment_strategy: ${s.strategy}`, `    health_check: ${JSON.stringify(s.healthCheckPath)}`];
    if (s.migrationScripts.length) lines.push(`    migration_scripts: ${flowList(s.migrationScripts)}`);
    if (s.strategy === "canary" && s.trafficSteps.length) lines.push(`    traffic_split: [${s.trafficSteps.join(", ")}]`);
    if (options.paved) {
      if (s.owner) lines.push(`    owner: ${PLAIN.test(s.owner) ? s.owner : JSON.stringify(s.owner)}`);
      if (s.description) lines.push(`    description: ${JSON.stringify(s.description)}`);
      if (s.repository) lines.push(`    repository: ${JSON.stringify(s.repository)}`);
      if (s.pathGlobs?.length) lines.push(`    paths: ${flowList(s.pathGlobs)}`);
      if (s.environments) lines.push(`    environments: ${flowList(s.environments)}`);
    }
    return lines.join("\n");
  });
  return blocks.length ? `services:\n${blocks.join("\n\n")}\n` : "services: {}\n";
}
