// Metrics: the process's MetricsSource (Prometheus, or the sandbox's simulated counters), the
// sandbox's exposition endpoint and chaos switch.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { metricsSource, setMetricsSource } from "./source.ts";
export { SandboxMetricsSource, trafficProvider } from "./sandbox-source.ts";
export { observeTraffic, sandboxExposition, setChaos, listChaos, forgetObservation, CHAOS_MODES, type ChaosMode } from "./sandbox-traffic.ts";
export { parsePromQL, evaluate } from "./promql.ts";
