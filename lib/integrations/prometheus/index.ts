// Prometheus: the MetricsSource adapter over its HTTP API, and the connection check of /api/health.
export { PrometheusMetricsSource, MAX_RANGE_POINTS, type PrometheusSourceOptions } from "./metrics-source.ts";
export { checkPrometheus } from "./health.ts";
