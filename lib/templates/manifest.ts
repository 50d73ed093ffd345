// The shape of templates-catalog/<name>/template.yaml (apiVersion paved.dev/v1, kind Template).
// A template is plain data: metadata, a JSON Schema (2020-12) for its parameters, the files it
// renders and where they go, its outputs, and named test cases.
import { z } from "zod";

export const TEMPLATE_TYPES = ["github-workflow", "github-action", "azure-pipeline", "terraform", "gitops-app"] as const;
export type TemplateType = (typeof TEMPLATE_TYPES)[number];

export const LIFECYCLES = ["experimental", "stable", "deprecated", "retired"] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

/** Semantic version without a leading "v" (build metadata not allowed: it would not order). */
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

const Name = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lower-case letters, digits and single hyphens");

/** A JSON Schema for the parameters: an object schema; checked in depth by ajv when loaded. */
const ParameterSchema = z
  .object({
    type: z.literal("object"),
    properties: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    required: z.array(z.string()).optional(),
  })
  .passthrough();

const TemplateFile = z
  .object({
    /** Path of the source file, relative to the template's folder. */
    source: z.string().min(1),
    /** Where it goes in the target repository; may use [[ ]] expressions. */
    target: z.string().min(1),
    /** A [[ ]]-free Liquid condition over the parameters ("params.run-tests"); the file is skipped when false. */
    when: z.string().optional(),
    /** Copy verbatim, without rendering. */
    raw: z.boolean().default(false),
  })
  .strict();

const Expectation = z
  .object({
    file: z.string().optional(),
    exists: z.boolean().optional(),
    contains: z.union([z.string(), z.array(z.string())]).optional(),
    notContains: z.union([z.string(), z.array(z.string())]).optional(),
    /** A dotted path into the parsed YAML file and the value expected there. */
    yaml: z.object({ path: z.string(), equals: z.unknown().optional(), exists: z.boolean().optional() }).optional(),
  })
  .strict();

const TestCase = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    /** The parameters must be refused, naming these fields. */
    invalid: z.array(z.string()).optional(),
    expect: z.array(Expectation).default([]),
    /** A folder (relative to the template) holding the exact expected output files. */
    golden: z.string().optional(),
  })
  .strict();

export const TemplateManifest = z
  .object({
    apiVersion: z.literal("paved.dev/v1"),
    kind: z.literal("Template"),
    metadata: z
      .object({
        name: Name,
        title: z.string().min(1).max(120),
        description: z.string().min(1).max(2000),
        tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, "lower-case tag")).default([]),
        /** Slug of the owning team. */
        owner: z.string().min(1),
      })
      .strict(),
    spec: z
      .object({
        type: z.enum(TEMPLATE_TYPES),
        version: z.string().regex(SEMVER, "a semantic version such as 2.1.0"),
        lifecycle: z.enum(LIFECYCLES),
        /** Team slugs allowed to instantiate it; empty or absent: every team. */
        allowedTeams: z.array(z.string()).default([]),
        /** For a new major version: how to move from the previous one. */
        migration: z.string().optional(),
        parameters: ParameterSchema,
        files: z.array(TemplateFile).min(1),
        outputs: z
          .array(z.object({ name: z.string(), value: z.string(), description: z.string().optional() }).strict())
          .default([]),
        tests: z.array(TestCase).default([]),
      })
      .strict(),
  })
  .strict();

export type TemplateManifest = z.infer<typeof TemplateManifest>;
export type TemplateTestCase = z.infer<typeof TestCase>;
export type TemplateExpectation = z.infer<typeof Expectation>;

export function parseSemver(version: string): { major: number; minor: number; patch: number; prerelease: string | null } {
  const m = SEMVER.exec(version);
  if (!m) throw new Error(`"${version}" is not a semantic version`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ?? null };
}
