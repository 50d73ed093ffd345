import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import { ChaosBody, ChaosDto } from "./schemas.ts";

export const sandboxMetricsContract = defineContract({
  method: "GET",
  path: "/api/v1/sandbox/metrics",
  tag: "Sandbox",
  summary: "Sandbox only: the sandbox cluster's simulated HTTP metrics in Prometheus' text format, for a Prometheus to scrape",
  description:
    "`http_requests_total{service,environment,code}` and `http_request_duration_seconds_bucket{service,environment,le}` (with `_sum` and `_count`) " +
    "for every application of the sandbox cluster, consistent with what it runs (bad versions, canary weights, chaos). No credentials: the data is simulated. 404 when Argo CD is the GitOps engine.",
  access: "public",
  response: z.string(),
  responseMediaType: "text/plain; version=0.0.4",
  errors: ["not_found"],
});

export const setChaosContract = defineContract({
  method: "POST",
  path: "/api/v1/sandbox/chaos",
  tag: "Sandbox",
  summary: "Sandbox only: break a service in an environment (errors or latency) for a demo to watch self-healing, or clear it",
  access: "slos.write",
  body: ChaosBody,
  response: ChaosDto,
  errors: ["not_found"],
});

export const listChaosContract = defineContract({
  method: "GET",
  path: "/api/v1/sandbox/chaos",
  tag: "Sandbox",
  summary: "Sandbox only: the chaos set, each with whether it still applies",
  access: "slos.read",
  response: z.object({ items: z.array(ChaosDto) }),
  errors: ["not_found"],
});

export const metricsContracts = [sandboxMetricsContract, setChaosContract, listChaosContract];
