// The shapes of policy tests: a cases file (`policies/<name>.cases.yaml`) and the result of a run.
import { z } from "zod";
import type { PolicyLoadError } from "../engine.ts";
import { Instant, WaiverInput } from "./waivers.ts";

/**
 * What a case expects of its policy: `allow` (no finding, or only waived ones), or the policy's
 * action when it finds something that no exception waives (`deny`, `warn`, `audit`).
 */
export const OUTCOMES = ["allow", "audit", "warn", "deny"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const TestCase = z
  .object({
    name: z.string().min(1),
    /** The subject, inline. */
    object: z.record(z.string(), z.unknown()).optional(),
    /** Or a fixture file (multi-document YAML, or JSON such as a Terraform plan), relative to the cases file. */
    file: z.string().min(1).optional(),
    /** One document of the file (1-based); without it every object of the file is evaluated. */
    document: z.number().int().min(1).optional(),
    expect: z.enum(OUTCOMES),
    /** Every message the policy gives, in order (waived ones too). Required unless the case expects allow. */
    messages: z.array(z.string()).optional(),
    /** Whether an exception waived what the policy found. */
    waived: z.boolean().optional(),
    /** Whether the policy applies to the object at all (matchConstraints and matchConditions). */
    applies: z.boolean().optional(),
    /** Parameter overrides for this case. */
    params: z.record(z.string(), z.string()).optional(),
    request: z
      .object({ operation: z.enum(["CREATE", "UPDATE", "DELETE"]).optional(), username: z.string().optional() })
      .strict()
      .optional(),
    /** The evaluation's clock (ISO 8601), for cases with exceptions. */
    now: Instant.optional(),
    /** Exceptions in force; `policy` defaults to the case's policy. */
    exceptions: z.array(WaiverInput).optional(),
  })
  .strict()
  .refine((c) => (c.object === undefined) !== (c.file === undefined), "a case has either `object` or `file`")
  .refine((c) => c.document === undefined || c.file !== undefined, "`document` selects a document of `file`");
export type TestCase = z.output<typeof TestCase>;

export const CasesFile = z
  .object({
    /** The policy under test; defaults to the file name (`<name>.cases.yaml`). */
    policy: z.string().min(1).optional(),
    /** A clock for every case that sets none. */
    now: Instant.optional(),
    cases: z.array(TestCase).min(1),
  })
  .strict();

export interface Problem {
  file: string;
  line: number | null;
  message: string;
}

export interface CaseObservation {
  outcome: Outcome;
  messages: string[];
  waived: boolean;
  applies: boolean;
  /** The policy could not be evaluated and failed closed. */
  error: string | null;
  /** Objects evaluated (a fixture file may hold several). */
  objects: number;
}

export interface CaseResult {
  name: string;
  file: string;
  line: number | null;
  ok: boolean;
  expected: { outcome: Outcome; messages: string[] | null; waived: boolean | null; applies: boolean | null };
  actual: CaseObservation | null;
  /** Why the case failed (empty when it passed). */
  failures: string[];
  durationMs: number;
}

export interface PolicyTestResult {
  /** The policy's name (from the policy file, or the cases file when the policy did not load). */
  name: string;
  /** The policy file, or null when a cases file names a policy that does not exist. */
  file: string | null;
  casesFile: string | null;
  action: string | null;
  ok: boolean;
  /** The policy did not load, its cases file is broken, or it has no cases. */
  problems: Problem[];
  cases: CaseResult[];
}

export interface RunSummary {
  policies: number;
  cases: number;
  passed: number;
  failed: number;
  /** Policies or cases files that did not load, and policies without cases. */
  broken: number;
}

export interface RunResult {
  ok: boolean;
  durationMs: number;
  dirs: string[];
  policies: PolicyTestResult[];
  summary: RunSummary;
}

export type { PolicyLoadError };
