// Prometheus HTTP API answers (/api/v1/query, /api/v1/query_range), as its published OpenAPI
// description states them (specs/prometheus-api-openapi-3.1.yaml: QueryOutputBody,
// QueryRangeOutputBody, QueryData, FloatSample, FloatSeries, Error). Objects are strict, as the
// description closes them (additionalProperties: false); the integration tests check real
// Prometheus answers against the description itself and against these schemas.
import { z } from "zod";

const Labels = z.record(z.string(), z.string());
/** [unix seconds, "value"]: the value is a string ("1", "NaN", "+Inf"). */
const Pair = z.tuple([z.number(), z.string()]);

const FloatSample = z.object({ metric: Labels, value: Pair }).strict();
const HistogramSample = z.object({ metric: Labels, histogram: z.tuple([z.number(), z.unknown()]) }).strict();
const FloatSeries = z.object({ metric: Labels, values: z.array(Pair) }).strict();
const HistogramSeries = z.object({ metric: Labels, histograms: z.array(z.tuple([z.number(), z.unknown()])) }).strict();

const stats = { stats: z.unknown().optional() };

export const QueryData = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: z.array(z.union([FloatSample, HistogramSample])), ...stats }).strict(),
  z.object({ resultType: z.literal("matrix"), result: z.array(z.union([FloatSeries, HistogramSeries])), ...stats }).strict(),
  z.object({ resultType: z.literal("scalar"), result: Pair, ...stats }).strict(),
  z.object({ resultType: z.literal("string"), result: z.tuple([z.number(), z.string()]), ...stats }).strict(),
]);
export type QueryData = z.infer<typeof QueryData>;

export const QueryOutputBody = z
  .object({
    status: z.literal("success"),
    data: QueryData,
    warnings: z.array(z.string()).optional(),
    infos: z.array(z.string()).optional(),
  })
  .strict();

export const ErrorBody = z.object({
  status: z.literal("error"),
  errorType: z.string(),
  error: z.string(),
});

/** Prometheus writes values as strings, with "+Inf", "-Inf" and "NaN" for the special ones. */
export function sampleValue(text: string): number {
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const n = Number(text);
  if (Number.isNaN(n)) throw new Error(`"${text}" is not a sample value`);
  return n;
}
