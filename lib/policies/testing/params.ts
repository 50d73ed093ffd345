// Parameter overrides: a policy compiled again with some of its `params` replaced (a test case
// that tries another registry list, `npm run policy -- check --params …`). Compiling is cheap
// and done once per distinct override, never per evaluation.
import YAML from "yaml";
import { compilePolicy, type CompiledPolicy } from "../engine.ts";

export function withParams(policy: CompiledPolicy, params: Readonly<Record<string, string>>): CompiledPolicy {
  if (Object.keys(params).length === 0) return policy;
  const doc = YAML.parseDocument(policy.source);
  for (const [key, value] of Object.entries(params)) doc.setIn(["params", key], value);
  return compilePolicy(policy.file, doc.toString());
}

/**
 * `--params` arguments: `key=value` applies to every policy that declares `key`;
 * `policy.key=value` to that policy only. Returns the overrides per policy, or throws a readable
 * Error for a key no policy declares (a typo would otherwise change nothing, silently).
 */
export function parseParamOverrides(args: readonly string[], policies: readonly CompiledPolicy[]): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  const set = (policy: string, key: string, value: string) => out.set(policy, { ...out.get(policy), [key]: value });
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`--params ${arg}: expected key=value or policy.key=value`);
    const left = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    const dot = left.indexOf(".");
    const named = dot > 0 ? policies.find((p) => p.name === left.slice(0, dot)) : undefined;
    if (named) {
      const key = left.slice(dot + 1);
      if (!named.definition.params || !(key in named.definition.params)) throw new Error(`--params ${arg}: policy ${named.name} has no parameter ${key}`);
      set(named.name, key, value);
      continue;
    }
    const declaring = policies.filter((p) => p.definition.params && left in p.definition.params);
    if (declaring.length === 0) throw new Error(`--params ${arg}: no policy has a parameter ${left}`);
    for (const p of declaring) set(p.name, left, value);
  }
  return out;
}
