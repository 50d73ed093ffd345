// Exceptions (waivers) written as YAML: in test cases, and in the file `npm run policy -- check
// --exceptions <file>` reads in CI. The same fields as Paved's stored exceptions: a policy, a
// target (kind, namespace, name; absent or "*" matches any), a reason, an approver and an expiry.
import { z } from "zod";
import type { PolicyWaiver } from "../engine.ts";

const Instant = z.union([z.string(), z.date()]).transform((value, ctx) => {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    ctx.addIssue({ code: "custom", message: `not a date: ${String(value)}` });
    return z.NEVER;
  }
  return date;
});

export const WaiverInput = z
  .object({
    id: z.string().min(1).optional(),
    policy: z.string().min(1).optional(),
    target: z
      .object({ kind: z.string().nullish(), namespace: z.string().nullish(), name: z.string().nullish() })
      .strict()
      .default({}),
    reason: z.string().trim().min(1, "an exception needs a reason"),
    approver: z.string().trim().min(1, "an exception needs an approver"),
    expiresAt: Instant,
  })
  .strict();
export type WaiverInput = z.input<typeof WaiverInput>;

export { Instant };

/** A parsed waiver as the engine takes it; `policy` falls back to `defaultPolicy` (a case's own). */
export function toWaiver(input: z.output<typeof WaiverInput>, id: string, defaultPolicy?: string): PolicyWaiver {
  const policy = input.policy ?? defaultPolicy;
  if (!policy) throw new Error(`exception ${id} names no policy`);
  return {
    id: input.id ?? id,
    policy,
    target: { kind: input.target.kind ?? null, namespace: input.target.namespace ?? null, name: input.target.name ?? null },
    reason: input.reason,
    approver: input.approver,
    expiresAt: input.expiresAt,
  };
}

/** An exceptions file: a YAML list of exceptions, or `{ exceptions: [...] }`. Throws a readable Error. */
export function parseWaiverFile(file: string, value: unknown): PolicyWaiver[] {
  const list = Array.isArray(value) ? value : typeof value === "object" && value !== null && "exceptions" in value ? (value as { exceptions: unknown }).exceptions : value === null || value === undefined ? [] : undefined;
  if (!Array.isArray(list)) throw new Error(`${file}: expected a list of exceptions`);
  return list.map((item, i) => {
    const parsed = WaiverInput.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: exception ${i + 1}: ${issue?.path.join(".") || "(exception)"}: ${issue?.message}`);
    }
    if (!parsed.data.policy) throw new Error(`${file}: exception ${i + 1}: policy: an exception names the policy it waives`);
    return toWaiver(parsed.data, `${file}#${i + 1}`);
  });
}
