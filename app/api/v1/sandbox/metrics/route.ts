// GET /api/v1/sandbox/metrics: the sandbox cluster's simulated metrics, for Prometheus to scrape.
import { db } from "@/lib/core/db/client";
import { NotFoundError } from "@/lib/core/errors";
import { handle } from "@/lib/core/http/handler";
import { sandboxCluster } from "@/lib/delivery";
import { sandboxExposition, sandboxMetricsContract } from "@/lib/metrics";

export const GET = handle(sandboxMetricsContract, async () => {
  const cluster = sandboxCluster();
  if (!cluster) throw new NotFoundError("The sandbox cluster (Paved is connected to Argo CD)");
  return sandboxExposition(db(), cluster);
});
