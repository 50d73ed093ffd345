// POST /api/v1/webhooks/alertmanager: Alertmanager's notifications (its credentials first, then the body).
import { env } from "@/lib/core/env";
import { handle, Reply } from "@/lib/core/http/handler";
import { alertmanagerWebhookRoute, checkWebhookCredentials, readWebhookBody, receiveAlerts } from "@/lib/incidents";

export const POST = handle(alertmanagerWebhookRoute, async ({ request, requestId }) => {
  checkWebhookCredentials(request.headers.get("authorization"), env().alertmanagerWebhook);
  return new Reply(202, await receiveAlerts(await readWebhookBody(request), requestId));
});
