// GET and POST /api/v1/sandbox/chaos: break a service in the sandbox on purpose (or clear it), and list what is set.
import { db } from "@/lib/core/db/client";
import { NotFoundError } from "@/lib/core/errors";
import { handle } from "@/lib/core/http/handler";
import { sandboxCluster } from "@/lib/delivery";
import { listChaos, listChaosContract, setChaos, setChaosContract } from "@/lib/metrics";

function cluster() {
  const c = sandboxCluster();
  if (!c) throw new NotFoundError("The sandbox cluster (Paved is connected to Argo CD)");
  return c;
}

export const GET = handle(listChaosContract, async () => ({ items: await listChaos(db(), cluster()) }));
export const POST = handle(setChaosContract, ({ actor, body, requestId }) => setChaos(db(), cluster(), actor, body, requestId));
