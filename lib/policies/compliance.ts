// Compliance: a scheduled scan evaluates everything in scope — the manifests of the GitOps
// repository per environment, the Terraform plans next to them, and the template instances —
// against every policy, and stores the failures (with file and line) and the compliance per
// scope (overall, team, policy, environment), so the number has a trend and can be followed
// down to the object that breaks it. Compliance = evaluations passed / evaluations, where an
// evaluation is one policy applying to one object and a waived failure counts as passed.
import { db, transaction, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import { SYSTEM_ACTOR } from "../core/auth/actor.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { gitHost } from "../integrations/git-host.ts";
import { evaluateSubject } from "./engine.ts";
import type { Subject } from "./format.ts";
import { activeWaivers, policySet, withOpa } from "./service.ts";
import { env } from "../core/env.ts";
import { templateInstantiationSubject, terraformPlanSubject } from "./subjects.ts";
import { appBase, gitOpsRepositoryOf, readGitOpsFiles, renderEnvironment, terraformPlans } from "../gitops/repository.ts";
import { renderKustomization } from "../gitops/kustomize.ts";
import type { ComplianceDto, ViolationDto } from "./schemas.ts";

export interface ScopedSubject {
  subject: Subject;
  source: "gitops" | "terraform" | "template-instance";
  environment: string | null;
  team: string | null;
  file: string | null;
  line: number | null;
  /** The line a given violation points at (a Terraform plan: the resource its message names). */
  lineFor?: (message: string) => number | null;
  /**
   * Where to fix a given policy's violation, when that is not where the object is defined: an
   * overlay that introduced it (the base passes the policy, the rendered object does not).
   */
  locate?: (policy: string) => { file: string; line: number | null } | null;
}

/** Something in scope that could not be evaluated at all (an overlay that does not render). */
export interface ScopeProblem {
  message: string;
  environment: string | null;
  team: string | null;
  service: string | null;
  file: string;
  line: number | null;
}

/** Not a policy file: what a compliance run records when an object cannot be evaluated. */
export const UNEVALUATED = "paved:renderable";

/** Template instances that are in repositories now (pull request open or merged). */
export async function templateInstanceSubjects(client: Db): Promise<ScopedSubject[]> {
  const instances = await client.templateInstance.findMany({
    where: { status: { in: ["pull_request_open", "completed"] } },
    include: { template: true, version: true, team: true },
  });
  return instances.map((i) => ({
    subject: templateInstantiationSubject({
      template: i.template.name,
      version: i.version.version,
      lifecycle: i.version.lifecycle,
      templateType: i.template.type.replace(/_/g, "-"),
      team: i.team.slug,
      repo: i.repo,
      requester: i.createdBy,
      createRepo: i.createdRepo,
    }),
    source: "template-instance" as const,
    environment: null,
    team: i.team.slug,
    file: null,
    line: null,
  }));
}

/**
 * The GitOps repository's objects per environment (each overlay rendered, every object with the
 * file and line it comes from) and its Terraform plans. No repository yet: nothing in scope.
 */
export async function gitopsSubjects(
  host: GitHost,
  client: Db,
  policiesFailing: (subject: Subject) => Set<string> = () => new Set(),
): Promise<{ subjects: ScopedSubject[]; problems: ScopeProblem[] }> {
  const ref = gitOpsRepositoryOf(host);
  if (!(await host.getRepo(ref))) return { subjects: [], problems: [] };
  const files = await readGitOpsFiles(host, ref);
  const [environments, services] = await Promise.all([
    client.environment.findMany({ orderBy: { position: "asc" }, select: { name: true } }),
    client.service.findMany({ select: { name: true, team: { select: { slug: true } } } }),
  ]);
  const teamOf = new Map(services.map((s) => [s.name, s.team.slug]));
  const out: ScopedSubject[] = [];
  const problems: ScopeProblem[] = [];
  for (const { name: environment } of environments) {
    const render = renderEnvironment(files, environment);
    for (const p of render.problems) {
      problems.push({ message: p.message, environment, team: p.service ? (teamOf.get(p.service) ?? null) : null, service: p.service ?? null, file: p.file, line: p.line });
    }
    for (const app of render.apps) {
      let base: Map<string, Subject> | undefined;
      const baseObject = (kind: string, name: string | undefined): Subject | undefined => {
        if (!base) {
          try {
            base = new Map(renderKustomization(files, appBase(app.service)).map((b) => [`${b.object.kind}/${b.object.metadata?.name}`, b.object as unknown as Subject]));
          } catch {
            base = new Map();
          }
        }
        return base.get(`${kind}/${name}`);
      };
      for (const o of app.objects) {
        const subject = o.object as unknown as Subject;
        const overlayChanges = o.transformedBy.filter((t) => t.file.startsWith(`${app.dir}/`));
        out.push({
          subject,
          source: "gitops",
          environment,
          team: subject.metadata?.labels?.team ?? teamOf.get(app.service) ?? null,
          file: o.source.file,
          line: o.source.line,
          locate: (policy) => {
            const last = overlayChanges.at(-1);
            if (!last) return null;
            // The base object itself (before the overlay) passes this policy: the overlay brought the problem in.
            const before = baseObject(subject.kind, subject.metadata?.name);
            if (!before || policiesFailing(before).has(policy)) return null;
            return { file: last.file, line: last.line };
          },
        });
      }
    }
  }
  const plans = terraformPlans(files);
  for (const p of plans.problems) problems.push({ message: p.message, environment: p.environment ?? null, team: null, service: null, file: p.file, line: p.line });
  for (const p of plans.plans) {
    const lines = Object.entries(p.resourceLines);
    out.push({
      subject: terraformPlanSubject(`terraform-${p.environment}`, p.plan),
      source: "terraform",
      environment: p.environment,
      team: null,
      file: p.file,
      line: 1,
      lineFor: (message) => lines.find(([address]) => message.includes(address))?.[1] ?? 1,
    });
  }
  return { subjects: out, problems };
}

function percent(passed: number, evaluations: number): number | null {
  return evaluations === 0 ? null : Math.round((passed / evaluations) * 10_000) / 100;
}

export async function runComplianceScan(options: { host?: GitHost; now?: Date } = {}): Promise<{ runId: string; subjects: number; evaluations: number; passed: number; waived: number }> {
  const client = db();
  const host = options.host ?? gitHost();
  const now = options.now ?? new Date();
  const run = await client.complianceRun.create({ data: {} });
  try {
    const [{ policies }, waivers] = await Promise.all([policySet(), activeWaivers(client, now)]);
    const opaOn = Boolean(env().opa);
    const gitops = await gitopsSubjects(host, client, (subject) => new Set(evaluateSubject(policies, subject, { waivers: [], now }).results.map((r) => r.policy)));
    const subjects = [...gitops.subjects, ...(await templateInstanceSubjects(client))];
    // The overall figure exists even when nothing was in scope (the trend shows the scan ran).
    const tally = new Map<string, { scope: string; key: string; evaluations: number; passed: number }>([["overall|", { scope: "overall", key: "", evaluations: 0, passed: 0 }]]);
    const count = (scope: string, key: string | null, passed: boolean) => {
      if (key === null) return;
      const id = `${scope}|${key}`;
      const t = tally.get(id) ?? { scope, key, evaluations: 0, passed: 0 };
      t.evaluations++;
      if (passed) t.passed++;
      tally.set(id, t);
    };
    const results: { runId: string; policy: string; action: string; message: string; source: string; environment: string | null; team: string | null; subjectKind: string; subjectName: string; subjectNamespace: string | null; file: string | null; line: number | null; exceptionId: string | null }[] = [];
    let evaluations = 0;
    let passed = 0;
    let waived = 0;
    for (const s of subjects) {
      const cel = evaluateSubject(policies, s.subject, { waivers, now });
      const evaluation = opaOn ? await withOpa(cel, s.subject, waivers, now) : cel;
      for (const policy of evaluation.evaluated) {
        const failures = evaluation.results.filter((r) => r.policy === policy);
        // Audit-only policies record findings but are not part of the compliance number.
        const action = policies.find((p) => p.name === policy)?.action;
        const ok = failures.length === 0 || failures.every((f) => f.exception !== null);
        if (action !== "Audit") {
          evaluations++;
          if (ok) passed++;
          if (failures.length && ok) waived++;
          count("overall", "", ok);
          count("team", s.team, ok);
          count("policy", policy, ok);
          count("environment", s.environment, ok);
        }
        for (const f of failures) {
          results.push({
            runId: run.id,
            policy,
            action: f.action,
            message: f.message,
            source: s.source,
            environment: s.environment,
            team: s.team,
            subjectKind: s.subject.kind,
            subjectName: s.subject.metadata?.name ?? "(unnamed)",
            subjectNamespace: s.subject.metadata?.namespace ?? null,
            ...(s.locate?.(policy) ?? { file: s.file, line: s.lineFor ? s.lineFor(f.message) : s.line }),
            exceptionId: f.exception?.id ?? null,
          });
        }
      }
    }
    // What could not be evaluated fails: a broken overlay must not drop out of the number.
    for (const p of gitops.problems) {
      evaluations++;
      count("overall", "", false);
      count("team", p.team, false);
      count("policy", UNEVALUATED, false);
      count("environment", p.environment, false);
      results.push({
        runId: run.id,
        policy: UNEVALUATED,
        action: "Deny",
        message: `Could not be evaluated: ${p.message}`,
        source: "gitops",
        environment: p.environment,
        team: p.team,
        subjectKind: "Kustomization",
        subjectName: p.service ?? p.file,
        subjectNamespace: null,
        file: p.file,
        line: p.line,
        exceptionId: null,
      });
    }
    const takenAt = new Date();
    await transaction(
      async (tx) => {
        if (results.length) await tx.complianceResult.createMany({ data: results });
        await tx.complianceSnapshot.createMany({ data: [...tally.values()].map((t) => ({ runId: run.id, takenAt, scope: t.scope, key: t.key, evaluations: t.evaluations, passed: t.passed })) });
        await tx.complianceRun.update({ where: { id: run.id }, data: { finishedAt: takenAt, subjects: subjects.length, evaluations, passed, waived } });
        // Findings are kept for a week (the page shows the last run); the figures for the trend, for half a year.
        await tx.complianceResult.deleteMany({ where: { run: { startedAt: { lt: new Date(now.getTime() - 7 * 86_400_000) } } } });
        await tx.complianceSnapshot.deleteMany({ where: { takenAt: { lt: new Date(now.getTime() - 183 * 86_400_000) } } });
        await tx.complianceRun.deleteMany({ where: { startedAt: { lt: new Date(now.getTime() - 183 * 86_400_000) } } });
        await recordAudit(tx, SYSTEM_ACTOR, {
          action: "compliance.scanned",
          target: { type: "compliance_run", id: run.id, label: `${subjects.length} objects` },
          payload: { subjects: subjects.length, evaluations, passed, waived, percent: percent(passed, evaluations) },
        });
      },
      { timeoutMs: 60_000 },
    );
    return { runId: run.id, subjects: subjects.length, evaluations, passed, waived };
  } catch (e) {
    await client.complianceRun.update({ where: { id: run.id }, data: { finishedAt: new Date(), error: (e as Error).message } });
    throw e;
  }
}

export async function getCompliance(client: Db, options: { trendPoints?: number } = {}): Promise<ComplianceDto> {
  const last = await client.complianceRun.findFirst({ where: { finishedAt: { not: null }, error: null }, orderBy: { startedAt: "desc" } });
  if (!last) return { lastRun: null, overall: null, byTeam: [], byPolicy: [], byEnvironment: [], trend: [] };
  const [snapshots, trend] = await Promise.all([
    client.complianceSnapshot.findMany({ where: { runId: last.id } }),
    client.complianceSnapshot.findMany({ where: { scope: "overall" }, orderBy: { takenAt: "desc" }, take: options.trendPoints ?? 60 }),
  ]);
  const scoped = (scope: string) =>
    snapshots
      .filter((s) => s.scope === scope)
      .map((s) => ({ key: s.key, evaluations: s.evaluations, passed: s.passed, percent: percent(s.passed, s.evaluations) }))
      .sort((a, b) => (a.percent ?? 101) - (b.percent ?? 101) || a.key.localeCompare(b.key));
  const overall = snapshots.find((s) => s.scope === "overall");
  return {
    lastRun: {
      id: last.id,
      startedAt: last.startedAt.toISOString(),
      finishedAt: last.finishedAt?.toISOString() ?? null,
      subjects: last.subjects,
      evaluations: last.evaluations,
      passed: last.passed,
      waived: last.waived,
      error: last.error,
    },
    overall: overall ? { key: "", evaluations: overall.evaluations, passed: overall.passed, percent: percent(overall.passed, overall.evaluations) } : null,
    byTeam: scoped("team"),
    byPolicy: scoped("policy"),
    byEnvironment: scoped("environment").sort((a, b) => a.key.localeCompare(b.key)),
    trend: trend.reverse().map((t) => ({ takenAt: t.takenAt.toISOString(), percent: percent(t.passed, t.evaluations) })),
  };
}

export async function listViolations(client: Db, q: { policy?: string; team?: string; environment?: string; waived?: "true" | "false"; limit?: number }): Promise<ViolationDto[]> {
  const last = await client.complianceRun.findFirst({ where: { finishedAt: { not: null }, error: null }, orderBy: { startedAt: "desc" } });
  if (!last) return [];
  const rows = await client.complianceResult.findMany({
    where: {
      runId: last.id,
      ...(q.policy ? { policy: q.policy } : {}),
      ...(q.team ? { team: q.team } : {}),
      ...(q.environment ? { environment: q.environment } : {}),
      ...(q.waived === "true" ? { exceptionId: { not: null } } : q.waived === "false" ? { exceptionId: null } : {}),
    },
    orderBy: [{ policy: "asc" }, { subjectName: "asc" }],
    take: q.limit ?? 200,
  });
  return rows.map((r) => ({
    id: r.id,
    policy: r.policy,
    action: r.action,
    message: r.message,
    source: r.source,
    environment: r.environment,
    team: r.team,
    subject: { kind: r.subjectKind, name: r.subjectName, namespace: r.subjectNamespace },
    file: r.file,
    line: r.line,
    exceptionId: r.exceptionId,
  }));
}

