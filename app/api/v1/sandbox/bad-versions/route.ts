// POST /api/v1/sandbox/bad-versions: the sandbox cluster's switch for demos and tests.
import { handle } from "@/lib/core/http/handler";
import { NotFoundError } from "@/lib/core/errors";
import { badVersionContract, sandboxCluster } from "@/lib/delivery";

export const POST = handle(badVersionContract, async ({ body }) => {
  const cluster = sandboxCluster();
  if (!cluster) throw new NotFoundError("The sandbox cluster (Paved is connected to Argo CD)");
  if (body.bad) await cluster.markBadVersion(body.service, body.version, body.mode);
  else await cluster.clearBadVersion(body.service, body.version);
  return body;
});
