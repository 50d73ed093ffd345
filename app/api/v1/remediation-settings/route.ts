// GET and PATCH /api/v1/remediation-settings: self-healing's guardrails.
import { db } from "@/lib/core/db/client";
import { handle } from "@/lib/core/http/handler";
import { getRemediationSettings, getRemediationSettingsContract, patchRemediationSettings, patchRemediationSettingsContract } from "@/lib/incidents";

export const GET = handle(getRemediationSettingsContract, () => getRemediationSettings(db()));
export const PATCH = handle(patchRemediationSettingsContract, ({ actor, body, requestId }) => patchRemediationSettings(db(), actor, body, requestId));
