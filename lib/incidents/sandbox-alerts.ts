// The sandbox's stand-in for Prometheus' rule evaluation and Alertmanager, so that a demo heals
// itself with neither: chaos burns an SLO's budget in the simulated metrics, and this evaluation
// fires the SLO's burn-rate alert through the webhook's own code path, which opens the incident
// and runs the playbook; once the error rate recovers, it resolves the alert and the incident
// closes with its MTTR.
//
// When it runs (sandboxAlertsMode): only while the metrics source is the sandbox's simulated
// traffic (no PROMETHEUS_URL: with one, Prometheus evaluates the generated rules itself) and no
// Alertmanager is configured (neither ALERTMANAGER_WEBHOOK_TOKEN nor ALERTMANAGER_WEBHOOK_USERNAME
// and _PASSWORD set: configured credentials mean that a real Alertmanager sends the alerts; the
// sandbox's default token does not count), with the sandbox cluster as the GitOps engine (whose
// traffic the sandbox metrics simulate). Otherwise the job does nothing.
//
// What one evaluation does (evaluateSandboxAlerts), every 10 s (the job, in jobs.ts):
// 1. for every SLO with alerting on, the error ratio of its SLI over each window of its
//    multi-window burn-rate conditions (burnRateRules: 1 h and 5 m, 6 h and 30 m page; 1 d and
//    2 h, 3 d and 6 h ticket), every window divided by the compression factor
//    (PAVED_SANDBOX_ALERT_COMPRESSION, default 60: 1 h → 60 s, 5 m → 5 s), asked of the metrics
//    source in ONE batch at one evaluation time;
// 2. per SLO and severity, the generated alert's condition: some pair with both its long and its
//    short window above factor × budget, series matched by their labels as the generated `and`
//    matches them (sloRuleGroups; the unit tests check it against the generated expression);
// 3. what changed since the alerts it sent before, read back from alert_events (receiver
//    "paved-sandbox"): a newly firing alert starts now, one still firing keeps its start, one
//    whose condition no longer holds (or whose SLO is gone or stopped alerting) resolves now;
//    while an SLO's queries fail its alerts stay as they are, as Prometheus keeps its alerts when
//    a rule evaluation fails;
// 4. those changes as an Alertmanager webhook body (version 4) handed to receiveAlerts, the
//    webhook's own code: each alert is stored once per fingerprint, start and status, and the
//    same jobs open and close incidents and run playbooks behind the same guardrails.
// Labels are exactly the generated alert's (alertname SloErrorBudgetBurn; the recorded series'
// slo_id, service, slo and environment; the rule's severity and automation), and the fingerprint
// is Alertmanager's own (FNV-1a 64 over the sorted label names and values), so that an alert from
// here and the same alert from a real Alertmanager are one alert.
//
// Idempotency: an evaluation runs at the start of its 10-second slot, so two evaluations in one
// slot (a duplicate job, a retry) send the same start time and receiveAlerts stores the alert
// once; a later evaluation finds it stored and sends nothing.
import { z } from "zod";
import { db as defaultDb, type Db } from "../core/db/client.ts";
import { env, type Env } from "../core/env.ts";
import { JOBS_SCHEMA } from "../core/jobs/boss.ts";
import type { JobContext } from "../core/jobs/define.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import type { BatchItem, MetricSample, MetricsSource } from "../core/ports/metrics-source.ts";
import { sandboxCluster } from "../delivery/engine.ts";
import { metricsSource } from "../metrics/source.ts";
import { sloInclude, toRuleSlo } from "../slos/read.ts";
import { ALERT_NAME, WINDOW_HOURS, burnRateRules, errorBudget, sloRuleGroups, sloUrl, type AlertingRule, type RecordingRule, type RuleOptions, type RuleSlo } from "../slos/rules.ts";
import type { RuleWindow } from "../slos/schemas.ts";
import { WINDOW_PLACEHOLDER, sliQueries } from "../slos/sli.ts";
import { sandboxAlertsJob } from "./jobs.ts";
import { AlertmanagerWebhookBody, type WebhookAlert } from "./schemas.ts";
import { receiveAlerts } from "./webhook.ts";

/** The receiver name of the alerts this evaluation sends (how it finds its own alerts again). */
export const SANDBOX_ALERTS_RECEIVER = "paved-sandbox";
/** How often the alerts are evaluated (Prometheus' evaluation_interval). */
export const SANDBOX_ALERTS_INTERVAL_MS = 10_000;
/** Alertmanager's "not set" time, the endsAt of a firing alert. */
const ZERO_TIME = "0001-01-01T00:00:00Z";
/** Alertmanager's webhook carries at most this many alerts per body (the schema's limit). */
const ALERTS_PER_BODY = 1000;

export type Severity = "page" | "ticket";
const SEVERITIES: readonly Severity[] = ["page", "ticket"];

// ---- When it runs ------------------------------------------------------------------------------

export type SandboxAlertsMode = { active: true } | { active: false; reason: string };

/** Whether Paved evaluates the alerts itself: sandbox metrics, and no Alertmanager configured. */
export function sandboxAlertsMode(config: Pick<Env, "alertmanagerWebhookToken" | "alertmanagerWebhook">, metricsKind: MetricsSource["kind"], sandboxCluster = true): SandboxAlertsMode {
  if (metricsKind !== "sandbox") return { active: false, reason: "Paved reads a real Prometheus (PROMETHEUS_URL), which evaluates the generated rules itself." };
  if (!sandboxCluster) return { active: false, reason: "Argo CD is the GitOps engine and no Prometheus is configured: nothing simulates traffic, so there is nothing to evaluate." };
  if (config.alertmanagerWebhookToken || config.alertmanagerWebhook.basic) {
    return { active: false, reason: "An Alertmanager is configured (ALERTMANAGER_WEBHOOK_TOKEN, or ALERTMANAGER_WEBHOOK_USERNAME and _PASSWORD): the alerts come from it." };
  }
  return { active: true };
}

/** The evaluation instant of a run at `nowMs`: the start of its 10-second slot. */
export function evaluationSlot(nowMs: number): Date {
  return new Date(Math.floor(nowMs / SANDBOX_ALERTS_INTERVAL_MS) * SANDBOX_ALERTS_INTERVAL_MS);
}

/** When the next run may start: just after the next slot begins. */
export function nextSlot(nowMs: number): Date {
  return new Date(evaluationSlot(nowMs).getTime() + SANDBOX_ALERTS_INTERVAL_MS + 50);
}

// ---- Queries -------------------------------------------------------------------------------------

/** An alert window divided by the compression factor, as a PromQL duration: 1h / 60 → "60s", 5m / 7 → "42857ms". */
export function compressedWindow(window: RuleWindow, compression: number): string {
  const ms = Math.max(1, Math.round((WINDOW_HOURS[window] * 3_600_000) / compression));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The SLI's error ratio over a compressed window: the query of the generated recording rule for that window. */
export function errorRatioQuery(slo: RuleSlo, window: RuleWindow, compression: number): string {
  return sliQueries(slo, WINDOW_PLACEHOLDER).errorRatio.split(WINDOW_PLACEHOLDER).join(compressedWindow(window, compression));
}

// ---- Conditions ----------------------------------------------------------------------------------

/** What the metrics source answered for one window's error ratio. */
export type WindowAnswer = { ok: true; samples: readonly MetricSample[] } | { ok: false; error: string };

export type BurnState = { state: "firing" | "ok" } | { state: "unknown"; reason: string };

const signature = (labels: Record<string, string>) =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== "__name__")
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/**
 * The generated alert's condition for one severity: `(long > t and short > t) or …` over its
 * pairs of windows, t = factor × budget. A pair whose query failed is unknown; the alert is firing
 * when some pair holds, unknown when none holds but some is unknown, else ok. No data, and NaN
 * (no traffic at all), are not above any threshold.
 */
export function burnState(slo: Pick<RuleSlo, "window" | "objective">, severity: Severity, ratios: ReadonlyMap<RuleWindow, WindowAnswer>): BurnState {
  const budget = errorBudget(slo.objective);
  const unknown: string[] = [];
  for (const rule of burnRateRules(slo.window).filter((r) => r.severity === severity)) {
    const threshold = rule.factor * budget;
    const long = ratios.get(rule.long);
    const short = ratios.get(rule.short);
    const failed = ([[rule.long, long], [rule.short, short]] as const).filter(([, a]) => !a || !a.ok);
    if (failed.length) {
      for (const [w, a] of failed) unknown.push(`${w}: ${a && !a.ok ? a.error : "not asked"}`);
      continue;
    }
    const above = new Set((long as Extract<WindowAnswer, { ok: true }>).samples.filter((s) => s.value > threshold).map((s) => signature(s.labels)));
    if ((short as Extract<WindowAnswer, { ok: true }>).samples.some((s) => s.value > threshold && above.has(signature(s.labels)))) return { state: "firing" };
  }
  return unknown.length ? { state: "unknown", reason: [...new Set(unknown)].join("; ") } : { state: "ok" };
}

// ---- Alerts --------------------------------------------------------------------------------------

const FNV_OFFSET = 14695981039346656037n;
const FNV_PRIME = 1099511628211n;
const U64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

function fnv(hash: bigint, bytes: Iterable<number>): bigint {
  let h = hash;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & U64;
  return h;
}

/**
 * Alertmanager's fingerprint of a label set (Prometheus' `LabelSet.Fingerprint`): FNV-1a 64 over
 * each label name and value in name order, each followed by the byte 0xff, as 16 hex digits.
 */
export function alertFingerprint(labels: Record<string, string>): string {
  let h = FNV_OFFSET;
  for (const name of Object.keys(labels).sort()) {
    h = fnv(h, utf8.encode(name));
    h = fnv(h, [0xff]);
    h = fnv(h, utf8.encode(labels[name]!));
    h = fnv(h, [0xff]);
  }
  return h.toString(16).padStart(16, "0");
}

export interface SandboxAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
}

/**
 * The alert Prometheus would send for an SLO's generated rule of this severity: the recorded
 * series' labels (slo_id, service, slo, environment), then the rule's (service, slo, severity,
 * automation), and alertname; the rule's annotations; a link to the SLO's page.
 */
export function sandboxAlertOf(slo: RuleSlo, severity: Severity, options: RuleOptions = {}): SandboxAlert {
  const [group] = sloRuleGroups({ ...slo, alerting: true }, options);
  const rule = group!.rules.find((r): r is AlertingRule => "alert" in r && r.labels.severity === severity)!;
  const recorded = group!.rules.find((r): r is RecordingRule => "record" in r)!;
  return { labels: { alertname: rule.alert, ...recorded.labels, ...rule.labels }, annotations: rule.annotations, generatorURL: sloUrl(slo, options) };
}

/** An alert as this evaluation found it. */
export interface EvaluatedAlert extends SandboxAlert {
  fingerprint: string;
  state: BurnState["state"];
}

/** An alert sent before that has not resolved yet (read back from alert_events). */
export interface OpenAlert extends SandboxAlert {
  fingerprint: string;
  startsAt: Date;
}

/**
 * What to send now: every alert that fires and is not open yet (starting now), and every open
 * alert that no longer fires (resolved now, with its own start): its condition is ok, its SLO is
 * no longer evaluated, or a later start of the same alert is open. Unknown alerts stay as they are.
 */
export function alertChanges(evaluated: readonly EvaluatedAlert[], open: readonly OpenAlert[], now: Date): WebhookAlert[] {
  const byFingerprint = new Map(evaluated.map((e) => [e.fingerprint, e]));
  const openByFingerprint = new Map<string, OpenAlert[]>();
  for (const o of open) openByFingerprint.set(o.fingerprint, [...(openByFingerprint.get(o.fingerprint) ?? []), o]);
  const out: WebhookAlert[] = [];
  for (const e of evaluated) {
    if (e.state === "firing" && !openByFingerprint.has(e.fingerprint)) {
      out.push({ status: "firing", labels: e.labels, annotations: e.annotations, startsAt: now.toISOString(), endsAt: ZERO_TIME, generatorURL: e.generatorURL, fingerprint: e.fingerprint });
    }
  }
  for (const [fingerprint, starts] of openByFingerprint) {
    const e = byFingerprint.get(fingerprint);
    const stillOpen = e && (e.state === "firing" || e.state === "unknown");
    starts
      .sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime())
      .forEach((o, i) => {
        if (i === 0 && stillOpen) return;
        const endsAt = new Date(Math.max(now.getTime(), o.startsAt.getTime()));
        out.push({ status: "resolved", labels: o.labels, annotations: o.annotations, startsAt: o.startsAt.toISOString(), endsAt: endsAt.toISOString(), generatorURL: o.generatorURL, fingerprint });
      });
  }
  return out;
}

/** The labels every alert shares (Alertmanager's commonLabels). */
function commonLabels(alerts: readonly WebhookAlert[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (!first) return {};
  return Object.fromEntries(Object.entries(first.labels).filter(([k, v]) => rest.every((a) => a.labels[k] === v)));
}

/** Alertmanager webhook bodies (version 4) carrying these alerts, grouped by alertname, at most 1,000 per body. */
export function webhookBodies(alerts: readonly WebhookAlert[]): AlertmanagerWebhookBody[] {
  const bodies: AlertmanagerWebhookBody[] = [];
  for (let i = 0; i < alerts.length; i += ALERTS_PER_BODY) {
    const chunk = alerts.slice(i, i + ALERTS_PER_BODY);
    bodies.push(
      AlertmanagerWebhookBody.parse({
        version: "4",
        groupKey: `{}:{alertname="${ALERT_NAME}"}`,
        truncatedAlerts: 0,
        status: chunk.some((a) => a.status === "firing") ? "firing" : "resolved",
        receiver: SANDBOX_ALERTS_RECEIVER,
        groupLabels: { alertname: ALERT_NAME },
        commonLabels: commonLabels(chunk),
        commonAnnotations: {},
        externalURL: "",
        alerts: chunk,
      }),
    );
  }
  return bodies;
}

// ---- One evaluation ------------------------------------------------------------------------------

export interface SandboxAlertsOptions {
  db: Db;
  metrics: MetricsSource;
  /** The evaluation time (default: now). */
  now?: Date;
  /** The factor every alert window is divided by (default: PAVED_SANDBOX_ALERT_COMPRESSION). */
  compression?: number;
  /** Paved's public URL, for the links in the alerts (as in the generated rules). */
  baseUrl?: string;
}

export interface SandboxAlertsReport {
  at: string;
  compression: number;
  /** SLOs evaluated (alerting on). */
  slos: number;
  /** Queries of the one batch. */
  queries: number;
  /** Alerts firing after this evaluation (new or kept). */
  firing: { service: string; slo: string; severity: Severity; fingerprint: string }[];
  /** Alerts left as they were because their queries failed. */
  unknown: { service: string; slo: string; severity: Severity; reason: string }[];
  /** What was sent to receiveAlerts, and what it made of it. */
  sent: { firing: number; resolved: number };
  accepted: number;
  duplicates: number;
}

const JsonLabels = z.record(z.string(), z.string()).catch({});

/** The alerts this evaluation sent that have not resolved. */
async function openSandboxAlerts(db: Db): Promise<OpenAlert[]> {
  const rows = await db.$queryRaw<{ fingerprint: string; startsAt: Date; labels: unknown; annotations: unknown; generatorUrl: string }[]>`
    SELECT f."fingerprint", f."starts_at" AS "startsAt", f."labels", f."annotations", f."generator_url" AS "generatorUrl"
    FROM "alert_events" f
    WHERE f."receiver" = ${SANDBOX_ALERTS_RECEIVER} AND f."status" = 'firing'
      AND NOT EXISTS (SELECT 1 FROM "alert_events" r WHERE r."fingerprint" = f."fingerprint" AND r."starts_at" = f."starts_at" AND r."status" = 'resolved')`;
  return rows.map((r) => ({ fingerprint: r.fingerprint, startsAt: r.startsAt, labels: JsonLabels.parse(r.labels), annotations: JsonLabels.parse(r.annotations), generatorURL: r.generatorUrl }));
}

function answerOf(item: BatchItem | undefined): WindowAnswer {
  if (!item) return { ok: false, error: "no answer" };
  return item.ok ? { ok: true, samples: item.result.samples } : { ok: false, error: item.error.message };
}

/** Evaluates every alerting SLO's burn-rate alerts once and sends what changed through the webhook's code path. */
export async function evaluateSandboxAlerts(options: SandboxAlertsOptions): Promise<SandboxAlertsReport> {
  const now = options.now ?? new Date();
  const compression = options.compression ?? env().sandboxAlertCompression;
  if (!(Number.isFinite(compression) && compression >= 1)) throw new Error(`The sandbox's alert compression must be a number of at least 1, not ${compression}.`);
  const rows = await options.db.slo.findMany({ where: { alerting: true }, include: sloInclude, orderBy: { id: "asc" } });
  // An SLO whose stored SLI no longer parses is not evaluated (its open alerts resolve).
  const slos = rows.flatMap((row) => {
    try {
      return [toRuleSlo(row)];
    } catch {
      return [];
    }
  });
  const plan = slos.map((slo) => {
    const windows = [...new Set(burnRateRules(slo.window).flatMap((r) => [r.long, r.short]))];
    return { slo, queries: new Map(windows.map((w) => [w, errorRatioQuery(slo, w, compression)])) };
  });
  const queries = [...new Set(plan.flatMap((p) => [...p.queries.values()]))];
  const items = queries.length ? await options.metrics.queryBatch(queries, { time: now }) : [];
  const answers = new Map(queries.map((q, i) => [q, answerOf(items[i])]));

  const evaluated: EvaluatedAlert[] = [];
  const report: SandboxAlertsReport = { at: now.toISOString(), compression, slos: slos.length, queries: queries.length, firing: [], unknown: [], sent: { firing: 0, resolved: 0 }, accepted: 0, duplicates: 0 };
  for (const { slo, queries: byWindow } of plan) {
    const ratios = new Map([...byWindow].map(([w, q]) => [w, answers.get(q)!]));
    for (const severity of SEVERITIES) {
      const burn = burnState(slo, severity, ratios);
      const alert = sandboxAlertOf(slo, severity, { baseUrl: options.baseUrl });
      const fingerprint = alertFingerprint(alert.labels);
      evaluated.push({ ...alert, fingerprint, state: burn.state });
      if (burn.state === "firing") report.firing.push({ service: slo.service, slo: slo.name, severity, fingerprint });
      if (burn.state === "unknown") report.unknown.push({ service: slo.service, slo: slo.name, severity, reason: burn.reason });
    }
  }
  const changes = alertChanges(evaluated, await openSandboxAlerts(options.db), now);
  for (const body of webhookBodies(changes)) {
    const receipt = await receiveAlerts(body);
    report.accepted += receipt.accepted;
    report.duplicates += receipt.duplicates;
  }
  report.sent = { firing: changes.filter((c) => c.status === "firing").length, resolved: changes.filter((c) => c.status === "resolved").length };
  return report;
}

// ---- The job: a 10-second chain, restarted every minute if lost -----------------------------------

/** Jobs of the 10-second chain (sent by a run, for the next slot) that are waiting or running, other than `exceptId`. */
async function chainedJobs(db: Db, exceptId: string, states: readonly string[]): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND id <> $2::uuid AND state::text = ANY($3::text[]) AND data->>'chained' = 'true'`,
    sandboxAlertsJob.name,
    exceptId,
    [...states],
  );
  return rows[0]?.n ?? 0;
}

export interface SandboxAlertsTickResult {
  active: boolean;
  reason?: string;
  at?: string;
  firing?: number;
  sent?: { firing: number; resolved: number };
  error?: string;
  /** The next run of the chain, when this run queued it. */
  next?: string | null;
}

/**
 * One run of the job. A chained run (sent by the previous run) evaluates and queues the next run
 * for the next 10-second slot, unless one is already waiting. The per-minute scheduled run only
 * restarts the chain: it does nothing while a chained run is waiting or running (the previous run
 * queues the next before it completes, so a live chain always has one). Whatever the evaluation
 * does, even failing, the chain goes on; a run lost with its worker expires after a minute and
 * the next scheduled run starts a new chain.
 */
export async function sandboxAlertsTick(data: { chained?: boolean }, ctx: Pick<JobContext, "jobId" | "log">, db: Db = defaultDb()): Promise<SandboxAlertsTickResult> {
  const metrics = metricsSource();
  const mode = sandboxAlertsMode(env(), metrics.kind, metrics.kind === "sandbox" && sandboxCluster() !== null);
  if (!mode.active) return { active: false, reason: mode.reason };
  // The job client, its tables and this queue exist before the chain is looked up (and sent to).
  await prepareJob(sandboxAlertsJob);
  if (!data.chained && (await chainedJobs(db, ctx.jobId, ["created", "retry", "active"])) > 0) return { active: true, reason: "The 10-second chain is running." };
  const result: SandboxAlertsTickResult = { active: true };
  try {
    const report = await evaluateSandboxAlerts({ db, metrics, now: evaluationSlot(Date.now()), baseUrl: env().authUrl });
    Object.assign(result, { at: report.at, firing: report.firing.length, sent: report.sent });
    if (report.sent.firing || report.sent.resolved) ctx.log.info({ sent: report.sent, firing: report.firing }, "sandbox alerts sent");
  } catch (err) {
    ctx.log.warn({ err }, "sandbox alert evaluation failed");
    result.error = (err as Error).message;
  }
  result.next = null;
  if ((await chainedJobs(db, ctx.jobId, ["created", "retry"])) === 0) {
    const startAfter = nextSlot(Date.now());
    await sendJob(sandboxAlertsJob, { chained: true }, { singletonKey: "sandbox-alerts", startAfter });
    result.next = startAfter.toISOString();
  }
  return result;
}
