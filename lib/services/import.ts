// Importing a graph file (deployment-config.yaml or a Backstage catalog) and exporting one.
// An import is all-or-nothing: everything is checked first — owners, permissions, environments,
// unknown dependencies, cycles in the graph as it would be — and then written in one
// transaction, with one audit event. A dry run stops after the checks.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { canOnTeam } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Db } from "../core/db/client.ts";
import { db, transaction } from "../core/db/client.ts";
import { ConflictError, ForbiddenError, ValidationError, type FieldIssue } from "../core/errors.ts";
import { DependencyGraph, findCycle } from "./graph.ts";
import { parseImport, writeDeploymentConfig, type ImportedService } from "./formats.ts";
import type { ExportQuery, ImportQuery, ImportResult, Strategy } from "./schemas.ts";
import { DEFAULT_CANARY_STEPS, bumpGraph, checkEnvironments, cycleMessage, environmentNames, inPromotionOrder, lockGraph } from "./write.ts";

const CHUNK = 1000;
/** Imports that create or change at least this many services refresh the planner's statistics. */
const BULK = 200;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface ServiceValues {
  description: string;
  repository: string | null;
  strategy: Strategy;
  healthCheckPath: string;
  trafficSteps: number[];
  migrationScripts: string[];
  pathGlobs: string[];
  environments: string[];
}

const VALUE_KEYS = ["description", "repository", "strategy", "healthCheckPath", "trafficSteps", "migrationScripts", "pathGlobs", "environments"] as const;

function merged(current: ServiceValues, s: ImportedService, envs: readonly string[]): ServiceValues {
  const strategy = s.strategy ?? current.strategy;
  let trafficSteps = s.trafficSteps ?? current.trafficSteps;
  if (strategy !== "canary") trafficSteps = [];
  else if (!trafficSteps.length) trafficSteps = [...DEFAULT_CANARY_STEPS];
  return {
    description: s.description ?? current.description,
    repository: s.repository === undefined ? current.repository : s.repository,
    strategy,
    healthCheckPath: s.healthCheckPath ?? current.healthCheckPath,
    trafficSteps,
    migrationScripts: s.migrationScripts ?? current.migrationScripts,
    pathGlobs: s.pathGlobs ?? current.pathGlobs,
    environments: s.environments ? inPromotionOrder(s.environments, envs) : current.environments,
  };
}

const SERVICE_VALUE_COLUMNS = `"description", "repository", "strategy", "health_check_path", "traffic_steps", "migration_scripts", "path_globs", "environments"`;
const RECORD_TYPE = `"id" uuid, "name" text, "team_id" uuid, "description" text, "repository" text, "strategy" "deployment_strategy", "health_check_path" text, "traffic_steps" int[], "migration_scripts" text[], "path_globs" text[], "environments" text[]`;

function snake(v: ServiceValues) {
  return {
    description: v.description,
    repository: v.repository,
    strategy: v.strategy,
    health_check_path: v.healthCheckPath,
    traffic_steps: v.trafficSteps,
    migration_scripts: v.migrationScripts,
    path_globs: v.pathGlobs,
    environments: v.environments,
  };
}

const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export async function importGraph(actor: Actor, text: string, query: z.output<typeof ImportQuery>, requestId?: string): Promise<ImportResult> {
  const parsed = parseImport(text, query.format);
  const result = await transaction(
    async (tx) => {
      const revisionBefore = await lockGraph(tx, query.revision);
      const [existing, edges, teams, envs] = await Promise.all([
        tx.service.findMany({ select: { id: true, name: true, teamId: true, description: true, repository: true, strategy: true, healthCheckPath: true, trafficSteps: true, migrationScripts: true, pathGlobs: true, environments: true } }),
        tx.serviceDependency.findMany({ select: { serviceId: true, dependsOnId: true } }),
        tx.team.findMany({ select: { id: true, slug: true } }),
        environmentNames(tx),
      ]);
      const byName = new Map(existing.map((s) => [s.name, s]));
      const nameOf = new Map(existing.map((s) => [s.id, s.name]));
      const teamBySlug = new Map(teams.map((t) => [t.slug, t]));
      const currentDeps = new Map<string, string[]>(existing.map((s) => [s.name, []]));
      for (const e of edges) currentDeps.get(nameOf.get(e.serviceId)!)?.push(nameOf.get(e.dependsOnId)!);
      for (const list of currentDeps.values()) list.sort();

      const issues: FieldIssue[] = [];
      const forbidden: string[] = [];
      const inFile = new Set(parsed.services.map((s) => s.name));
      const fallbackTeam = query.team ? teamBySlug.get(query.team) : undefined;
      if (query.team && !fallbackTeam) issues.push({ path: ["team"], message: `There is no team "${query.team}".` });

      const plan: { s: ImportedService; id?: string; teamId: string; values: ServiceValues; deps: string[]; created: boolean; changed: boolean; depsChanged: boolean }[] = [];
      for (const s of parsed.services) {
        const at = `${s.name}${s.line ? ` (line ${s.line})` : ""}`;
        const current = byName.get(s.name);
        let teamId = current?.teamId;
        if (s.owner !== undefined) {
          const owner = teamBySlug.get(s.owner) ?? (parsed.format === "backstage" ? fallbackTeam : undefined);
          if (owner) teamId = owner.id;
          else if (!current) issues.push({ path: ["services", s.name, "owner"], message: `${at}: there is no team "${s.owner}"${parsed.format === "backstage" ? "; pass ?team= to own it" : ""}.` });
        }
        teamId ??= fallbackTeam?.id;
        if (!teamId) {
          issues.push({ path: ["services", s.name], message: `${at}: a new service needs an owner: add \`owner: <team>\` or pass ?team=<slug>.` });
          continue;
        }
        if (!canOnTeam(actor, "services.write", teamId) || (current && !canOnTeam(actor, "services.write", current.teamId))) forbidden.push(s.name);
        issues.push(...checkEnvironments(s.environments ?? [], envs, ["services", s.name, "environments"]));
        if (s.trafficSteps?.length && (s.strategy ?? current?.strategy) !== "canary") {
          issues.push({ path: ["services", s.name, "traffic_split"], message: `${at}: traffic_split applies to canary deployments only.` });
        }
        const unknown = s.dependsOn.filter((d) => !inFile.has(d) && !byName.has(d));
        if (unknown.length) issues.push({ path: ["services", s.name, "dependencies"], message: `${at}: unknown service${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}.` });
        const base: ServiceValues = current
          ? { ...current }
          : { description: "", repository: null, strategy: "rolling", healthCheckPath: "/health", trafficSteps: [], migrationScripts: [], pathGlobs: [], environments: envs };
        const values = merged(base, s, envs);
        const deps = [...s.dependsOn].sort();
        const depsChanged = !current || !sameList(currentDeps.get(s.name) ?? [], deps);
        const changed = !current || current.teamId !== teamId || VALUE_KEYS.some((k) => JSON.stringify(current[k]) !== JSON.stringify(values[k]));
        plan.push({ s, ...(current ? { id: current.id } : {}), teamId, values, deps, created: !current, changed, depsChanged });
      }
      if (issues.length) {
        const first = issues[0]!;
        throw new ValidationError(`Nothing was imported: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : ""}`, issues);
      }
      if (forbidden.length) {
        throw new ForbiddenError(`Nothing was imported: you may not change ${forbidden.slice(0, 10).join(", ")}${forbidden.length > 10 ? ` and ${forbidden.length - 10} more` : ""} (services.write on their team is needed).`, {
          services: forbidden,
        });
      }

      // The graph as it would be after the import: every file service's dependency list replaced.
      const after = new Map(currentDeps);
      for (const p of plan) after.set(p.s.name, p.deps);
      const cycle = findCycle(DependencyGraph.from([...after].map(([name, dependsOn]) => ({ name, dependsOn }))));
      if (cycle) throw new ConflictError(`Nothing was imported: ${cycleMessage(cycle)}`, { cycle });

      const result: ImportResult = {
        format: parsed.format,
        dryRun: query.dryRun,
        created: plan.filter((p) => p.created).map((p) => p.s.name).sort(),
        updated: plan.filter((p) => !p.created && (p.changed || p.depsChanged)).map((p) => p.s.name).sort(),
        unchanged: plan.filter((p) => !p.created && !p.changed && !p.depsChanged).map((p) => p.s.name).sort(),
        ignored: parsed.ignored,
        revision: revisionBefore,
      };
      if (query.dryRun || (!result.created.length && !result.updated.length)) return result;

      // Set-based writes: one statement per kind of change, rows passed as JSON (jsonb_to_recordset
      // turns JSON arrays into the array columns), so 2,000 services are a few statements, not
      // thousands of round trips.
      const ids = new Map(existing.map((s) => [s.name, s.id]));
      const created = plan.filter((p) => p.created);
      for (const p of created) ids.set(p.s.name, randomUUID());
      const rowsOf = (part: typeof plan) => JSON.stringify(part.map((p) => ({ id: ids.get(p.s.name), name: p.s.name, team_id: p.teamId, ...snake(p.values) })));
      for (const part of chunks(created)) {
        await tx.$executeRawUnsafe(
          `INSERT INTO "services" ("id", "name", "team_id", ${SERVICE_VALUE_COLUMNS}, "updated_at")
           SELECT x."id", x."name", x."team_id", ${SERVICE_VALUE_COLUMNS.replace(/"/g, "").split(", ").map((c) => `x."${c}"`).join(", ")}, now()
             FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_TYPE})`,
          rowsOf(part),
        );
      }
      for (const part of chunks(plan.filter((x) => !x.created && x.changed))) {
        await tx.$executeRawUnsafe(
          `UPDATE "services" s
              SET "team_id" = x."team_id", ${SERVICE_VALUE_COLUMNS.replace(/"/g, "").split(", ").map((c) => `"${c}" = x."${c}"`).join(", ")},
                  "revision" = s."revision" + 1, "updated_at" = now()
             FROM jsonb_to_recordset($1::jsonb) AS x(${RECORD_TYPE})
            WHERE s."id" = x."id"`,
          rowsOf(part),
        );
      }
      const rewired = plan.filter((p) => p.depsChanged);
      for (const part of chunks(rewired.filter((p) => !p.created))) {
        await tx.serviceDependency.deleteMany({ where: { serviceId: { in: part.map((p) => ids.get(p.s.name)!) } } });
      }
      const from: string[] = [];
      const to: string[] = [];
      for (const p of rewired) {
        for (const d of p.deps) {
          from.push(ids.get(p.s.name)!);
          to.push(ids.get(d)!);
        }
      }
      const newEdges = from.length;
      for (let i = 0; i < from.length; i += 10_000) {
        await tx.$executeRawUnsafe(
          `INSERT INTO "service_dependencies" ("service_id", "depends_on_id") SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
          from.slice(i, i + 10_000),
          to.slice(i, i + 10_000),
        );
      }
      result.revision = await bumpGraph(tx, actor);
      await recordAudit(tx, actor, {
        action: "graph.imported",
        target: { type: "graph", id: "services", label: `${parsed.format} import` },
        payload: {
          format: parsed.format,
          created: result.created.slice(0, 500),
          updated: result.updated.slice(0, 500),
          counts: { created: result.created.length, updated: result.updated.length, unchanged: result.unchanged.length, dependencies: newEdges },
          graphRevision: result.revision,
        },
        requestId,
      });
      return result;
    },
    { timeoutMs: 60_000 },
  );
  // A bulk import changes the tables' shape faster than autovacuum notices: refresh the planner's
  // statistics now, or the next reads plan for the old sizes (seq scans per row of a page).
  if (!result.dryRun && result.created.length + result.updated.length >= BULK) await db().$executeRawUnsafe(`ANALYZE "services", "service_dependencies"`);
  return result;
}

export async function exportGraph(db: Db, query: z.output<typeof ExportQuery>): Promise<string> {
  const where = query.services ? { name: { in: query.services } } : {};
  const rows = await db.service.findMany({
    where,
    select: {
      name: true,
      strategy: true,
      healthCheckPath: true,
      migrationScripts: true,
      trafficSteps: true,
      description: true,
      repository: true,
      pathGlobs: true,
      environments: true,
      team: { select: { slug: true } },
      dependencies: { select: { dependsOn: { select: { name: true } } } },
    },
  });
  if (query.services) {
    const found = new Set(rows.map((r) => r.name));
    const missing = query.services.filter((s) => !found.has(s));
    if (missing.length) throw new ValidationError(`Unknown service${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}.`, [{ path: ["services"], message: `Unknown: ${missing.join(", ")}.` }]);
  }
  return writeDeploymentConfig(
    rows.map((r) => ({
      name: r.name,
      dependsOn: r.dependencies.map((d) => d.dependsOn.name).sort(),
      strategy: r.strategy,
      healthCheckPath: r.healthCheckPath,
      migrationScripts: r.migrationScripts,
      trafficSteps: r.trafficSteps,
      owner: r.team.slug,
      description: r.description,
      repository: r.repository,
      pathGlobs: r.pathGlobs,
      environments: r.environments,
    })),
    { paved: query.paved },
  );
}
