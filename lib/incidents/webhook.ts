// POST /api/v1/webhooks/alertmanager: Alertmanager's notifications in. The route is public to the
// session/API-token machinery (Alertmanager holds no Paved account); it checks its own
// credentials, the bearer token or basic credentials of the configuration, before it reads the
// body, so that an unauthenticated caller learns nothing and changes nothing.
//
// Fast by design: the request only stores each alert once (fingerprint + startsAt + status; a
// repeated delivery stores nothing) and queues one job per new alert, in one transaction with its
// audit event. Incidents and playbooks are the jobs' work (process.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import { SYSTEM_ACTOR, type Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import type { Env } from "../core/env.ts";
import { AppError, UnauthenticatedError } from "../core/errors.ts";
import { readJsonBody } from "../core/http/body.ts";
import { zodIssues } from "../core/http/handler.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { processAlertJob } from "./jobs.ts";
import { AlertmanagerWebhookBody, type WebhookAlert } from "./schemas.ts";

export const ALERTMANAGER_ACTOR: Actor = { ...SYSTEM_ACTOR, login: "alertmanager", name: "Alertmanager" };

const digest = (s: string) => createHash("sha256").update(s).digest();
/** Constant-time comparison (of digests, so that lengths leak nothing either). */
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

/** Throws 401 unless the Authorization header carries the configured bearer token or basic credentials. */
export function checkWebhookCredentials(authorization: string | null, config: Env["alertmanagerWebhook"]): void {
  if (!config.token && !config.basic) {
    throw new UnauthenticatedError("The Alertmanager webhook has no credentials configured: set ALERTMANAGER_WEBHOOK_TOKEN (or ALERTMANAGER_WEBHOOK_USERNAME and ALERTMANAGER_WEBHOOK_PASSWORD).");
  }
  if (!authorization) throw new UnauthenticatedError("Send the webhook's bearer token or basic credentials (Alertmanager's http_config).");
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer && config.token && same(bearer[1]!, config.token)) return;
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (basic && config.basic) {
    const decoded = Buffer.from(basic[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0 && same(decoded.slice(0, colon), config.basic.username) && same(decoded.slice(colon + 1), config.basic.password)) return;
  }
  throw new UnauthenticatedError("The webhook credentials are not valid.");
}

/** Alertmanager's zero time ("0001-01-01T00:00:00Z") means "not set". */
export function alertTime(text: string): Date | null {
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1 ? null : d;
}

/** Reads and checks the body (after the credentials): 400 naming each field that is wrong. */
export async function readWebhookBody(req: Request): Promise<AlertmanagerWebhookBody> {
  const raw = await readJsonBody(req);
  const parsed = AlertmanagerWebhookBody.safeParse(raw);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    const first = issues[0];
    throw new AppError("invalid_input", `Not an Alertmanager webhook (version 4) body: ${first ? `${first.path.join(".") || "body"}: ${first.message}` : "invalid"}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`, { in: "body", issues });
  }
  for (const [i, alert] of parsed.data.alerts.entries()) {
    if (!alertTime(alert.startsAt)) throw new AppError("invalid_input", `Not an Alertmanager webhook (version 4) body: alerts.${i}.startsAt: the alert has no start time.`, { in: "body", issues: [{ path: ["alerts", i, "startsAt"], message: "The alert has no start time." }] });
  }
  return parsed.data;
}

function eventOf(body: AlertmanagerWebhookBody, alert: WebhookAlert): Prisma.AlertEventCreateManyInput {
  return {
    fingerprint: alert.fingerprint,
    startsAt: alertTime(alert.startsAt)!,
    status: alert.status,
    endsAt: alertTime(alert.endsAt),
    alertname: alert.labels.alertname ?? "",
    labels: alert.labels,
    annotations: alert.annotations,
    generatorUrl: alert.generatorURL,
    receiver: body.receiver,
    groupKey: body.groupKey,
  };
}

/** Stores each alert not seen before and queues its processing; a duplicate delivery stores and queues nothing. */
export async function receiveAlerts(body: AlertmanagerWebhookBody, requestId?: string): Promise<{ accepted: number; duplicates: number }> {
  await prepareJob(processAlertJob);
  const created = await transaction(async (tx) => {
    const rows = await tx.alertEvent.createManyAndReturn({
      data: body.alerts.map((a) => eventOf(body, a)),
      skipDuplicates: true,
      select: { id: true, fingerprint: true, status: true, startsAt: true, alertname: true },
    });
    for (const row of rows) await sendJob(processAlertJob, { alertEventId: row.id }, { tx, singletonKey: row.id });
    if (rows.length) {
      await recordAudit(tx, ALERTMANAGER_ACTOR, {
        action: "alerts.received",
        target: { type: "alertmanager-receiver", id: body.receiver, label: body.receiver },
        payload: { groupKey: body.groupKey, alerts: rows.map((r) => ({ alertname: r.alertname, fingerprint: r.fingerprint, status: r.status, startsAt: r.startsAt.toISOString() })) },
        requestId: requestId ?? null,
      });
    }
    return rows.length;
  });
  return { accepted: created, duplicates: body.alerts.length - created };
}
