// POST /api/v1/policies/evaluate: evaluate a subject against every policy.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { evaluate, evaluatePolicyContract } from "@/lib/policies";
import type { Subject } from "@/lib/policies/format";

export const POST = handle(evaluatePolicyContract, ({ actor, body }) =>
  evaluate(db(), body.subject as Subject, { request: { operation: body.operation ?? "CREATE", username: actor.login } }),
);
