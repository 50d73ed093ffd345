// Reading SLOs: lists and single SLOs as DTOs (with the queries that compute them, and their
// status when a metrics lookup is given), their Prometheus rules, and the OpenSLO export.
import type { z } from "zod";
import type { Db, Tx } from "../core/db/client.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import { writeOpenSlo } from "./formats.ts";
import { rulesFile, type RuleOptions, type RuleSlo } from "./rules.ts";
import { SliSchema, type Automation, type ExportSlosQuery, type ListSlosQuery, type RulesQuery, type SloDto, type SloFreshness, type SloKind, type SloStatus, type SloWindow } from "./schemas.ts";
import { sliQueries } from "./sli.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const sloInclude = {
  service: { select: { name: true, team: { select: { id: true, slug: true, name: true, color: true } } } },
  ownerTeam: { select: { id: true, slug: true, name: true, color: true } },
} as const;

type SloRow = {
  id: string;
  name: string;
  displayName: string;
  description: string;
  kind: string;
  objective: number;
  window: string;
  sli: unknown;
  environment: string;
  alerting: boolean;
  automation: string;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  service: { name: string; team: { id: string; slug: string; name: string; color: string } };
  ownerTeam: { id: string; slug: string; name: string; color: string };
};

/** An SLO's status as the metrics source gave it, and how fresh it is. */
export interface LiveStatus {
  status: SloStatus | null;
  freshness: SloFreshness | null;
}

/**
 * Where an SLO's status comes from: given SLOs (a page of them at once), their status and its
 * freshness, by id. `liveStatus()` (live.ts) asks the metrics source, in one batch per call;
 * without a lookup, `status` and `freshness` are null.
 */
export type StatusLookup = (slos: readonly RuleSlo[]) => Promise<Map<string, LiveStatus>>;

/** A stored SLO as the rule generator and formats see it. The JSON column is parsed, never trusted. */
export function toRuleSlo(row: SloRow): RuleSlo {
  return {
    id: row.id,
    name: row.name,
    displayName: row.displayName,
    service: row.service.name,
    kind: row.kind as SloKind,
    objective: row.objective,
    window: row.window as SloWindow,
    sli: SliSchema.parse(row.sli),
    environment: row.environment,
    alerting: row.alerting,
    automation: row.automation as Automation,
  };
}

const teamRef = (t: { slug: string; name: string; color: string }) => ({ slug: t.slug, name: t.name, color: t.color });

export function toDto(row: SloRow, live: LiveStatus | null = null): SloDto {
  const slo = toRuleSlo(row);
  const q = sliQueries(slo, slo.window);
  return {
    id: row.id,
    name: row.name,
    displayName: row.displayName,
    description: row.description,
    service: { name: row.service.name, team: teamRef(row.service.team) },
    ownerTeam: teamRef(row.ownerTeam),
    kind: slo.kind,
    objective: row.objective,
    window: slo.window,
    sli: slo.sli,
    environment: row.environment,
    alerting: row.alerting,
    automation: slo.automation,
    queries: { good: q.good, bad: q.bad, total: q.total, errorRatio: q.errorRatio },
    status: live?.status ?? null,
    freshness: live?.freshness ?? null,
    revision: row.revision,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function withStatus(rows: SloRow[], lookup?: StatusLookup): Promise<SloDto[]> {
  if (!lookup || rows.length === 0) return rows.map((r) => toDto(r));
  const statuses = await lookup(rows.map(toRuleSlo));
  return rows.map((r) => toDto(r, statuses.get(r.id) ?? null));
}

function where(filter: { service?: string | undefined; team?: string | undefined; kind?: SloKind | undefined; q?: string | undefined }) {
  return {
    ...(filter.service ? { service: { name: filter.service } } : {}),
    ...(filter.team ? { ownerTeam: { slug: filter.team } } : {}),
    ...(filter.kind ? { kind: filter.kind } : {}),
    ...(filter.q
      ? {
          OR: [
            { name: { contains: filter.q, mode: "insensitive" as const } },
            { displayName: { contains: filter.q, mode: "insensitive" as const } },
            { service: { name: { contains: filter.q, mode: "insensitive" as const } } },
          ],
        }
      : {}),
  };
}

const ORDER = [{ service: { name: "asc" as const } }, { name: "asc" as const }];

export async function listSlos(db: Db | Tx, query: ListSlosQuery, options: { status?: StatusLookup } = {}): Promise<{ items: SloDto[]; total: number; limit: number; offset: number }> {
  const filter = where(query);
  const [rows, total] = await Promise.all([
    db.slo.findMany({ where: filter, include: sloInclude, orderBy: ORDER, take: query.limit, skip: query.offset }),
    db.slo.count({ where: filter }),
  ]);
  return { items: await withStatus(rows, options.status), total, limit: query.limit, offset: query.offset };
}

export async function findSloRow(db: Db | Tx, id: string): Promise<SloRow | null> {
  if (!UUID.test(id)) return null;
  return db.slo.findUnique({ where: { id }, include: sloInclude });
}

export async function getSlo(db: Db | Tx, id: string, options: { status?: StatusLookup } = {}): Promise<SloDto> {
  const row = await findSloRow(db, id);
  if (!row) throw new NotFoundError("SLO", id);
  return (await withStatus([row], options.status))[0]!;
}

/** One SLO's rule file. */
export async function sloRules(db: Db | Tx, id: string, options: RuleOptions = {}): Promise<string> {
  const row = await findSloRow(db, id);
  if (!row) throw new NotFoundError("SLO", id);
  return rulesFile([toRuleSlo(row)], { ...options, header: `Prometheus rules for the SLO ${row.service.name}/${row.name}, generated by Paved; do not edit by hand.` });
}

async function checkFilter(db: Db | Tx, filter: { service?: string | undefined; team?: string | undefined }): Promise<void> {
  if (filter.service && !(await db.service.findUnique({ where: { name: filter.service }, select: { id: true } }))) {
    throw new ValidationError(`There is no service "${filter.service}".`, [{ path: ["service"], message: `Unknown service "${filter.service}".` }]);
  }
  if (filter.team && !(await db.team.findUnique({ where: { slug: filter.team }, select: { id: true } }))) {
    throw new ValidationError(`There is no team "${filter.team}".`, [{ path: ["team"], message: `Unknown team "${filter.team}".` }]);
  }
}

/** Every SLO's rules in one file (for Prometheus' `rule_files`), optionally for one service or team. */
export async function allSloRules(db: Db | Tx, query: z.output<typeof RulesQuery>, options: RuleOptions = {}): Promise<string> {
  await checkFilter(db, query);
  const rows = await db.slo.findMany({ where: where(query), include: sloInclude, orderBy: ORDER });
  const scope = query.service ? ` of ${query.service}` : query.team ? ` owned by ${query.team}` : "";
  return rulesFile(rows.map(toRuleSlo), {
    ...options,
    header: `Prometheus rules for ${rows.length} SLO${rows.length === 1 ? "" : "s"}${scope}, generated by Paved; do not edit by hand.\nLoad with rule_files; check with promtool check rules.`,
  });
}

export async function exportSlos(db: Db | Tx, query: z.output<typeof ExportSlosQuery>): Promise<string> {
  await checkFilter(db, query);
  const rows = await db.slo.findMany({ where: where(query), include: sloInclude, orderBy: ORDER });
  return writeOpenSlo(
    rows.map((r) => {
      const s = toRuleSlo(r);
      return { ...s, displayName: r.displayName, description: r.description, ownerTeam: r.ownerTeam.slug };
    }),
  );
}
