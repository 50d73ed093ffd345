// Importing SLOs from OpenSLO or Sloth files, all or nothing: the file is parsed and every SLO
// checked (PromQL, kinds, windows) by formats.ts; then, in one transaction, every service, owner
// team and environment must exist and the caller must hold `slos.define` on each service's team
// (and on any other owner team) before anything is written. SLOs are matched by service and
// name: new ones are created, changed ones updated (revision bumped), the rest left alone. One
// audit event records the import. A dry run stops after the checks.
import type { Actor } from "../core/auth/actor.ts";
import { canOnTeam } from "../core/auth/actor.ts";
import { canonicalJson } from "../core/audit/hash.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction } from "../core/db/client.ts";
import { ForbiddenError, ValidationError, type FieldIssue } from "../core/errors.ts";
import { parseSloImport, type ImportedSlo } from "./formats.ts";
import type { ImportSlosResult, Sli } from "./schemas.ts";
import { environmentIssue, knownEnvironments } from "./write.ts";

interface SloValues {
  displayName: string;
  description: string;
  kind: string;
  objective: number;
  window: string;
  sli: Sli;
  environment: string;
  alerting: boolean;
  automation: string;
  ownerTeamId: string;
}

export async function importSlos(actor: Actor, text: string, query: { format: "openslo" | "sloth"; dryRun: boolean }, requestId?: string): Promise<ImportSlosResult> {
  const parsed = parseSloImport(text, query.format);
  return transaction(
    async (tx) => {
      const serviceNames = [...new Set(parsed.slos.map((s) => s.service))];
      const [services, teams, envs] = await Promise.all([
        tx.service.findMany({ where: { name: { in: serviceNames } }, select: { id: true, name: true, team: { select: { id: true, slug: true } } } }),
        tx.team.findMany({ select: { id: true, slug: true } }),
        knownEnvironments(tx),
      ]);
      const serviceByName = new Map(services.map((s) => [s.name, s]));
      const teamBySlug = new Map(teams.map((t) => [t.slug, t]));
      const existing = await tx.slo.findMany({ where: { serviceId: { in: services.map((s) => s.id) } } });
      const existingByKey = new Map(existing.map((e) => [`${e.serviceId}/${e.name}`, e]));

      const issues: FieldIssue[] = [];
      const forbidden = new Set<string>();
      const plan: { s: ImportedSlo; serviceId: string; id?: string; data: SloValues; created: boolean; changed: boolean }[] = [];
      for (const s of parsed.slos) {
        const at = `${s.where}${s.line ? ` (line ${s.line})` : ""}`;
        const service = serviceByName.get(s.service);
        if (!service) {
          issues.push({ path: [s.where, "service"], message: `${at}: there is no service "${s.service}".` });
          continue;
        }
        const current = existingByKey.get(`${service.id}/${s.name}`);
        const ownerSlug = s.ownerTeam;
        const owner = ownerSlug ? teamBySlug.get(ownerSlug) : undefined;
        if (ownerSlug && !owner) issues.push({ path: [s.where, "ownerTeam"], message: `${at}: there is no team "${ownerSlug}".` });
        const ownerTeamId = owner?.id ?? current?.ownerTeamId ?? service.team.id;
        const environment = s.environment ?? current?.environment ?? "production";
        issues.push(...environmentIssue(environment, envs, [s.where, "environment"]).map((i) => ({ ...i, message: `${at}: ${i.message}` })));
        if (!canOnTeam(actor, "slos.define", service.team.id) || (ownerTeamId !== service.team.id && ownerTeamId !== current?.ownerTeamId && !canOnTeam(actor, "slos.define", ownerTeamId))) {
          forbidden.add(`${s.service}/${s.name}`);
        }
        const data: SloValues = {
          displayName: s.displayName ?? current?.displayName ?? "",
          description: s.description ?? current?.description ?? "",
          kind: s.kind,
          objective: s.objective,
          window: s.window,
          sli: s.sli,
          environment,
          alerting: s.alerting ?? current?.alerting ?? true,
          automation: s.automation ?? current?.automation ?? "none",
          ownerTeamId,
        };
        // jsonb keeps its own key order: compare canonical JSON.
        const changed = !current || (Object.keys(data) as (keyof SloValues)[]).some((k) => canonicalJson(current[k]) !== canonicalJson(data[k]));
        plan.push({ s, serviceId: service.id, ...(current ? { id: current.id } : {}), data, created: !current, changed });
      }
      if (issues.length) {
        throw new ValidationError(`Nothing was imported: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more problems)` : ""}`, issues);
      }
      if (forbidden.size) {
        const list = [...forbidden];
        throw new ForbiddenError(`Nothing was imported: you may not change ${list.slice(0, 10).join(", ")}${list.length > 10 ? ` and ${list.length - 10} more` : ""} (slos.define on the service's team is needed).`, {
          permission: "slos.define",
          slos: list,
        });
      }
      const key = (p: (typeof plan)[number]) => `${p.s.service}/${p.s.name}`;
      const result: ImportSlosResult = {
        format: parsed.format,
        dryRun: query.dryRun,
        created: plan.filter((p) => p.created).map(key).sort(),
        updated: plan.filter((p) => !p.created && p.changed).map(key).sort(),
        unchanged: plan.filter((p) => !p.created && !p.changed).map(key).sort(),
        ignored: parsed.ignored,
      };
      if (query.dryRun || (!result.created.length && !result.updated.length)) return result;
      for (const p of plan) {
        const data = { ...p.data, sli: p.data.sli as object };
        if (p.created) await tx.slo.create({ data: { ...data, serviceId: p.serviceId, name: p.s.name } });
        else if (p.changed) await tx.slo.update({ where: { id: p.id! }, data: { ...data, revision: { increment: 1 } } });
      }
      await recordAudit(tx, actor, {
        action: "slo.imported",
        target: { type: "slos", id: parsed.format, label: `${parsed.format} import` },
        payload: { format: parsed.format, created: result.created.slice(0, 500), updated: result.updated.slice(0, 500), counts: { created: result.created.length, updated: result.updated.length, unchanged: result.unchanged.length } },
        requestId,
      });
      return result;
    },
    { timeoutMs: 60_000 },
  );
}
