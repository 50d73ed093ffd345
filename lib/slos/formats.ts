// SLO file formats, as pure functions (no database):
// - OpenSLO v1 (`apiVersion: openslo/v1`, `kind: SLO` with an inline ratioMetric indicator whose
//   good or bad and total queries come from a Prometheus metric source), read and written; Paved's
//   own fields (kind, environment, alerting, automation, owner, an HTTP SLI's parameters) ride in
//   `metadata.annotations` under `paved.dev/`, so that an export reads back as the same SLOs;
// - Sloth `prometheus/v1` specs (`service`, `slos[]` with `objective` and
//   `sli.events.error_query`/`total_query`), read.
// Queries keep Sloth's `{{.window}}` placeholder for the range. Every problem is reported with
// its line and column; an import is all or nothing (import.ts checks the database side).
import YAML, { isScalar, type Document, type LineCounter } from "yaml";
import { z } from "zod";
import { ValidationError } from "../core/errors.ts";
import { invalidFile as invalid, parseYamlDocuments, plainValue, positionOf, zodIssuesWithLines, type ImportIssue } from "../core/yaml.ts";

export type { ImportIssue } from "../core/yaml.ts";
import { checkPromql } from "./promql.ts";
import { sliIssues, sliQueries, WINDOW_PLACEHOLDER } from "./sli.ts";
import { AUTOMATIONS, HttpSli, SLO_NAME, SLO_WINDOWS, type Automation, type SloKind, type SloWindow, type Sli } from "./schemas.ts";

export const MAX_SLOS_PER_IMPORT = 2000;

/** What a file says about one SLO. Absent optional fields leave an existing SLO's values alone. */
export interface ImportedSlo {
  service: string;
  name: string;
  displayName?: string;
  description?: string;
  kind: SloKind;
  objective: number;
  window: SloWindow;
  sli: Sli;
  alerting?: boolean;
  automation?: Automation;
  environment?: string;
  ownerTeam?: string;
  /** Where it is, for messages: "document 2" or "slos[1]", and its line. */
  where: string;
  line: number;
}

export interface ParsedSlos {
  format: "openslo" | "sloth";
  slos: ImportedSlo[];
  ignored: { document: string; reason: string }[];
}

// --- YAML with positions ---------------------------------------------------------------------

function parseDocuments(text: string): ReturnType<typeof parseYamlDocuments> {
  if (text.trim() === "") throw new ValidationError("The file is empty.", [{ path: [], message: "Send the YAML as the request body." }]);
  return parseYamlDocuments(text);
}

/** The position of a value's text (for PromQL inside a YAML scalar: the query's own line and column are added to it). */
function valuePosition(doc: Document, counter: LineCounter, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  const node = doc.getIn(path, true) as { range?: [number, number, number]; type?: string } | undefined;
  if (!node || !isScalar(node) || !node.range) return positionOf(doc, counter, path);
  const p = counter.linePos(node.range[0]);
  // Block scalars (| and >) start their text on the next line; columns are then the query's own.
  if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") return { line: p.line + 1, column: 0 };
  const quoted = node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" ? 1 : 0;
  return { line: p.line, column: p.col + quoted };
}

function sliIssuesAt(doc: Document, counter: LineCounter, kind: SloKind, sli: Sli, queryPaths: Partial<Record<"good" | "bad" | "total", (string | number)[]>>, prefix: (string | number)[], fallback: (string | number)[]): ImportIssue[] {
  return sliIssues(kind, sli, []).map((issue) => {
    const field = issue.path[0] as "good" | "bad" | "total" | undefined;
    const path = field && queryPaths[field] ? queryPaths[field]! : fallback;
    const at = valuePosition(doc, counter, path);
    const inQuery = (issue as ImportIssue).line !== undefined && at;
    const pos = inQuery
      ? { line: at.line + (issue as ImportIssue).line! - 1, column: (issue as ImportIssue).line === 1 && at.column > 0 ? at.column + (issue as ImportIssue).column! - 1 : (issue as ImportIssue).column! }
      : at;
    return { ...issue, path: [...prefix, ...path], ...(pos ?? {}) };
  });
}

// --- durations, objectives ----------------------------------------------------------------------

const WINDOW_ALIASES: Record<string, SloWindow> = { "7d": "7d", "1w": "7d", "28d": "28d", "4w": "28d", "30d": "30d" };

const PAVED = "paved.dev/";

// --- OpenSLO v1 --------------------------------------------------------------------------------

const PrometheusSource = z
  .object({
    metricSource: z.object({
      type: z.string(),
      spec: z.object({ query: z.string().min(1).max(4000) }).loose(),
      metricSourceRef: z.string().optional(),
    }),
  })
  .loose();

const OpenSloDoc = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z
    .object({
      name: z.string().min(1).max(253),
      displayName: z.string().max(200).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
      labels: z.unknown().optional(),
    })
    .loose(),
  spec: z
    .object({
      description: z.string().max(2000).optional(),
      service: z.string().min(1).max(63),
      indicator: z
        .object({
          metadata: z.object({ name: z.string().optional() }).loose().optional(),
          spec: z
            .object({
              ratioMetric: z
                .object({
                  counter: z.boolean().optional(),
                  good: PrometheusSource.optional(),
                  bad: PrometheusSource.optional(),
                  total: PrometheusSource,
                })
                .loose()
                .optional(),
              thresholdMetric: z.unknown().optional(),
            })
            .loose(),
        })
        .loose()
        .optional(),
      indicatorRef: z.string().optional(),
      timeWindow: z.array(z.object({ duration: z.string(), isRolling: z.boolean().optional(), calendar: z.unknown().optional() }).loose()).min(1).max(1),
      budgetingMethod: z.string().optional(),
      objectives: z
        .array(
          z
            .object({
              displayName: z.string().optional(),
              target: z.number().gt(0).lt(1).optional(),
              targetPercent: z.number().gt(0).lt(100).optional(),
            })
            .loose(),
        )
        .min(1),
      alertPolicies: z.unknown().optional(),
    })
    .loose(),
});

const AnnotationsSchema = z.object({
  kind: z.enum(["availability", "latency"]).optional(),
  environment: z.string().min(1).max(63).optional(),
  alerting: z.enum(["true", "false"]).optional(),
  automation: z.enum(AUTOMATIONS).optional(),
  owner: z.string().min(1).max(40).optional(),
  sli: z.string().optional(),
});

/** Turns an OpenSLO query into Paved's: `{{.window}}` as is, or a bare counter selector wrapped in `sum(rate(…[{{.window}}]))`. */
function adoptQuery(query: string): string {
  const q = query.trim();
  if (q.includes("{{")) return q;
  const parsed = checkPromql(q);
  if (parsed.ok && /^[A-Za-z_:][A-Za-z0-9_:]*(\{[^}]*\})?$/.test(q)) return `sum(rate(${q}[${WINDOW_PLACEHOLDER}]))`;
  return q;
}

export function parseOpenSlo(text: string): ParsedSlos {
  const { docs, counter } = parseDocuments(text);
  if (!docs.length) throw invalid("OpenSLO file", [{ path: [], message: "The file is empty." }]);
  const slos: ImportedSlo[] = [];
  const ignored: ParsedSlos["ignored"] = [];
  const issues: ImportIssue[] = [];
  docs.forEach((doc, index) => {
    const where = `document ${index + 1}`;
    const raw = plainValue(doc) as { apiVersion?: unknown; kind?: unknown } | null;
    const line = positionOf(doc, counter, [])?.line ?? 0;
    if (!raw || typeof raw !== "object") {
      issues.push({ path: [where], message: "Expected an OpenSLO object.", line });
      return;
    }
    if (raw.apiVersion !== "openslo/v1") {
      if (typeof raw.apiVersion === "string" && raw.apiVersion.startsWith("openslo/")) {
        const pos = positionOf(doc, counter, ["apiVersion"]);
        issues.push({ path: [where, "apiVersion"], message: `Only openslo/v1 is supported, not ${raw.apiVersion}.`, ...(pos ?? {}) });
      } else {
        ignored.push({ document: where, reason: `not OpenSLO (apiVersion ${String(raw.apiVersion)})` });
      }
      return;
    }
    if (raw.kind !== "SLO") {
      ignored.push({ document: where, reason: `${String(raw.kind)} documents are not imported (only kind: SLO, with its indicator inline)` });
      return;
    }
    const result = OpenSloDoc.safeParse(raw);
    if (!result.success) {
      issues.push(...zodIssuesWithLines(doc, counter, result.error, [where]));
      return;
    }
    const d = result.data;
    const at = (path: (string | number)[], message: string) => issues.push({ path: [where, ...path], message, ...(positionOf(doc, counter, path) ?? {}) });
    const before = issues.length;
    if (!SLO_NAME.test(d.metadata.name)) at(["metadata", "name"], `"${d.metadata.name}" is not a valid SLO name (lower-case letters, digits and inner hyphens, at most 63).`);
    if (d.spec.indicatorRef || !d.spec.indicator) {
      at(["spec", d.spec.indicatorRef ? "indicatorRef" : "indicator"], "Paved imports SLOs whose indicator is inline (spec.indicator), not a reference to an SLI document.");
      return;
    }
    const ratio = d.spec.indicator.spec.ratioMetric;
    if (!ratio) {
      at(["spec", "indicator", "spec"], "Only ratioMetric indicators (good or bad over total) are supported.");
      return;
    }
    if (Boolean(ratio.good) === Boolean(ratio.bad)) at(["spec", "indicator", "spec", "ratioMetric"], "Give either good or bad, with total.");
    for (const part of ["good", "bad", "total"] as const) {
      const source = ratio[part];
      if (source && source.metricSource.type.toLowerCase() !== "prometheus") {
        at(["spec", "indicator", "spec", "ratioMetric", part, "metricSource", "type"], `Only Prometheus metric sources are supported, not ${source.metricSource.type}.`);
      }
    }
    const duration = d.spec.timeWindow[0]!.duration;
    const window = WINDOW_ALIASES[duration];
    if (!window) at(["spec", "timeWindow", 0, "duration"], `The window must be one of ${SLO_WINDOWS.join(", ")} (or 1w, 4w), not ${duration}.`);
    if (d.spec.timeWindow[0]!.isRolling === false) at(["spec", "timeWindow", 0, "isRolling"], "Only rolling windows are supported.");
    if (d.spec.budgetingMethod && d.spec.budgetingMethod !== "Occurrences") at(["spec", "budgetingMethod"], `Paved counts the budget in events: budgetingMethod must be Occurrences, not ${d.spec.budgetingMethod}.`);
    if (d.spec.objectives.length !== 1) at(["spec", "objectives"], "Exactly one objective per SLO.");
    const objective = d.spec.objectives[0]!;
    const target = objective.targetPercent ?? (objective.target === undefined ? undefined : Number.parseFloat((objective.target * 100).toPrecision(12)));
    if (target === undefined) at(["spec", "objectives", 0], "The objective needs a target (0 < target < 1) or targetPercent.");

    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (k.startsWith(PAVED)) annotations[k.slice(PAVED.length)] = v;
    const paved = AnnotationsSchema.safeParse(annotations);
    if (!paved.success) {
      for (const i of paved.error.issues) at(["metadata", "annotations", `${PAVED}${String(i.path[0])}`], i.message);
      return;
    }
    const kind: SloKind = paved.data.kind ?? (/latency/i.test(d.metadata.name) ? "latency" : "availability");
    let sli: Sli;
    const queryPaths: Partial<Record<"good" | "bad" | "total", (string | number)[]>> = {};
    if (paved.data.sli) {
      let http: unknown;
      try {
        http = JSON.parse(paved.data.sli);
      } catch {
        http = null;
      }
      const parsed = HttpSli.safeParse(http);
      if (!parsed.success) {
        at(["metadata", "annotations", `${PAVED}sli`], `Not an HTTP SLI: ${parsed.error.issues[0]?.message ?? "expected JSON"}.`);
        return;
      }
      sli = parsed.data;
    } else {
      const base = ["spec", "indicator", "spec", "ratioMetric"];
      for (const part of ["good", "bad", "total"] as const) if (ratio[part]) queryPaths[part] = [...base, part, "metricSource", "spec", "query"];
      sli = {
        source: "raw",
        ...(ratio.good ? { good: adoptQuery(ratio.good.metricSource.spec.query) } : {}),
        ...(ratio.bad ? { bad: adoptQuery(ratio.bad.metricSource.spec.query) } : {}),
        total: adoptQuery(ratio.total.metricSource.spec.query),
      };
    }
    if (issues.length > before) return;
    issues.push(...sliIssuesAt(doc, counter, kind, sli, queryPaths, [where], ["spec", "indicator"]));
    if (issues.length > before) return;
    slos.push({
      service: d.spec.service,
      name: d.metadata.name,
      ...(d.metadata.displayName !== undefined ? { displayName: d.metadata.displayName } : {}),
      ...(d.spec.description !== undefined ? { description: d.spec.description } : {}),
      kind,
      objective: target!,
      window: window!,
      sli,
      ...(paved.data.alerting ? { alerting: paved.data.alerting === "true" } : {}),
      ...(paved.data.automation ? { automation: paved.data.automation } : {}),
      ...(paved.data.environment ? { environment: paved.data.environment } : {}),
      ...(paved.data.owner ? { ownerTeam: paved.data.owner } : {}),
      where,
      line,
    });
  });
  if (issues.length) throw invalid("OpenSLO file", issues);
  return { format: "openslo", slos: checkUnique(slos, "OpenSLO file"), ignored };
}

function checkUnique(slos: ImportedSlo[], what: string): ImportedSlo[] {
  const seen = new Set<string>();
  for (const s of slos) {
    const key = `${s.service}/${s.name}`;
    if (seen.has(key)) throw invalid(what, [{ path: [s.where], message: `${key} is defined twice.`, line: s.line }]);
    seen.add(key);
  }
  if (slos.length > MAX_SLOS_PER_IMPORT) throw invalid(what, [{ path: [], message: `At most ${MAX_SLOS_PER_IMPORT} SLOs per import.` }]);
  return slos;
}

/** An SLO as the exporter needs it. */
export interface ExportedSlo {
  service: string;
  name: string;
  displayName: string;
  description: string;
  kind: SloKind;
  objective: number;
  window: SloWindow;
  sli: Sli;
  environment: string;
  alerting: boolean;
  automation: Automation;
  ownerTeam: string;
}

/** OpenSLO v1, one `kind: SLO` document per SLO, in service and name order. */
export function writeOpenSlo(slos: readonly ExportedSlo[]): string {
  const sorted = [...slos].sort((a, b) => (a.service === b.service ? (a.name < b.name ? -1 : 1) : a.service < b.service ? -1 : 1));
  const docs = sorted.map((s) => {
    const q = sliQueries({ service: s.service, environment: s.environment, kind: s.kind, sli: s.sli }, WINDOW_PLACEHOLDER);
    const source = (query: string) => ({ metricSource: { type: "Prometheus", spec: { query } } });
    const annotations: Record<string, string> = {
      [`${PAVED}kind`]: s.kind,
      [`${PAVED}environment`]: s.environment,
      [`${PAVED}alerting`]: String(s.alerting),
      [`${PAVED}automation`]: s.automation,
      [`${PAVED}owner`]: s.ownerTeam,
    };
    if (s.sli.source === "http") annotations[`${PAVED}sli`] = JSON.stringify(s.sli);
    return {
      apiVersion: "openslo/v1",
      kind: "SLO",
      metadata: { name: s.name, ...(s.displayName ? { displayName: s.displayName } : {}), annotations },
      spec: {
        ...(s.description ? { description: s.description } : {}),
        service: s.service,
        indicator: {
          metadata: { name: `${s.service}-${s.name}` },
          spec: {
            ratioMetric: {
              counter: true,
              ...(q.good !== null ? { good: source(q.good) } : {}),
              ...(q.bad !== null ? { bad: source(q.bad) } : {}),
              total: source(q.total),
            },
          },
        },
        timeWindow: [{ duration: s.window, isRolling: true }],
        budgetingMethod: "Occurrences",
        objectives: [{ displayName: s.displayName || s.name, target: Number.parseFloat((s.objective / 100).toPrecision(12)) }],
      },
    };
  });
  if (!docs.length) return "# No SLOs.\n";
  return docs.map((d) => YAML.stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}

// --- Sloth prometheus/v1 -------------------------------------------------------------------------

const SlothAlert = z.object({ disable: z.boolean().optional(), labels: z.record(z.string(), z.string()).optional(), annotations: z.record(z.string(), z.string()).optional() }).loose();

const SlothSpec = z
  .object({
    version: z.literal("prometheus/v1", { error: 'Expected version: "prometheus/v1".' }),
    service: z.string().min(1).max(63),
    labels: z.record(z.string(), z.string()).optional(),
    slos: z
      .array(
        z
          .object({
            name: z.string().min(1).max(253),
            objective: z.number().gt(0).lt(100),
            description: z.string().max(2000).optional(),
            labels: z.record(z.string(), z.string()).optional(),
            sli: z
              .object({
                events: z.object({ error_query: z.string().min(1).max(4000), total_query: z.string().min(1).max(4000) }).strict().optional(),
                raw: z.unknown().optional(),
                plugin: z.unknown().optional(),
              })
              .strict(),
            alerting: z
              .object({
                name: z.string().optional(),
                labels: z.record(z.string(), z.string()).optional(),
                annotations: z.record(z.string(), z.string()).optional(),
                page_alert: SlothAlert.optional(),
                ticket_alert: SlothAlert.optional(),
              })
              .loose()
              .optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export function parseSloth(text: string): ParsedSlos {
  const { docs, counter } = parseDocuments(text);
  if (!docs.length) throw invalid("Sloth spec", [{ path: [], message: "The file is empty." }]);
  const slos: ImportedSlo[] = [];
  const issues: ImportIssue[] = [];
  docs.forEach((doc, index) => {
    const prefix: (string | number)[] = docs.length > 1 ? [`document ${index + 1}`] : [];
    const result = SlothSpec.safeParse(plainValue(doc));
    if (!result.success) {
      issues.push(...zodIssuesWithLines(doc, counter, result.error, prefix));
      return;
    }
    const spec = result.data;
    spec.slos.forEach((s, i) => {
      const base = ["slos", i];
      const at = (path: (string | number)[], message: string) => issues.push({ path: [...prefix, ...path], message, ...(positionOf(doc, counter, path) ?? {}) });
      const before = issues.length;
      if (!SLO_NAME.test(s.name)) at([...base, "name"], `"${s.name}" is not a valid SLO name (lower-case letters, digits and inner hyphens, at most 63).`);
      if (!s.sli.events) {
        at([...base, "sli"], s.sli.raw ? "sli.raw (an error ratio query) cannot be split into errors and total: use sli.events." : s.sli.plugin ? "Sloth SLI plugins are not supported: use sli.events." : "The SLI needs events (error_query and total_query).");
        return;
      }
      const sli: Sli = { source: "raw", bad: s.sli.events.error_query.trim(), total: s.sli.events.total_query.trim() };
      const kind: SloKind = /latency/i.test(s.name) ? "latency" : "availability";
      const paths = { bad: [...base, "sli", "events", "error_query"], total: [...base, "sli", "events", "total_query"] };
      if (issues.length === before) issues.push(...sliIssuesAt(doc, counter, kind, sli, paths, prefix, [...base, "sli"]));
      if (issues.length > before) return;
      const disabled = Boolean(s.alerting?.page_alert?.disable) && Boolean(s.alerting?.ticket_alert?.disable);
      slos.push({
        service: spec.service,
        name: s.name,
        ...(s.description !== undefined ? { description: s.description } : {}),
        kind,
        objective: s.objective,
        window: "30d",
        sli,
        alerting: !disabled,
        where: [...prefix, `slos[${i}]`].join(" "),
        line: positionOf(doc, counter, [...base, "name"])?.line ?? 0,
      });
    });
  });
  if (issues.length) throw invalid("Sloth spec", issues);
  return { format: "sloth", slos: checkUnique(slos, "Sloth spec"), ignored: [] };
}

export function parseSloImport(text: string, format: "openslo" | "sloth"): ParsedSlos {
  return format === "sloth" ? parseSloth(text) : parseOpenSlo(text);
}
