// The process's metrics source: Prometheus when PROMETHEUS_URL is set, else the sandbox's
// simulated counters when the sandbox cluster is the GitOps engine. One instance per process, so
// its short cache and last known values are shared by every caller.
import { db } from "../core/db/client.ts";
import { env } from "../core/env.ts";
import { MetricsUnavailableError, type MetricsSource } from "../core/ports/metrics-source.ts";
import { sandboxCluster } from "../delivery/engine.ts";
import { PrometheusMetricsSource } from "../integrations/prometheus/index.ts";
import { SandboxMetricsSource } from "./sandbox-source.ts";
import { observeTraffic } from "./sandbox-traffic.ts";

const globalForMetrics = globalThis as unknown as { pavedMetrics?: MetricsSource };

export function metricsSource(): MetricsSource {
  if (!globalForMetrics.pavedMetrics) {
    const prometheus = env().prometheus;
    globalForMetrics.pavedMetrics = prometheus
      ? new PrometheusMetricsSource({ url: prometheus.url })
      : new SandboxMetricsSource(async () => {
          const cluster = sandboxCluster();
          // Argo CD without Prometheus: nothing simulates traffic, and nothing real is configured.
          if (!cluster) throw new MetricsUnavailableError("No metrics source: set PROMETHEUS_URL (the sandbox's simulated metrics exist only with the sandbox cluster).");
          return observeTraffic(db(), cluster);
        });
  }
  return globalForMetrics.pavedMetrics;
}

/** For tests that change the configuration. */
export function setMetricsSource(source: MetricsSource | undefined): void {
  globalForMetrics.pavedMetrics = source;
}
