// Pure reading of the environments matrix: which services a promotion from one environment to
// another would change, and which cells differ from the next environment's.
import type { MatrixDto } from "@/lib/delivery/schemas";

export interface PromotionCandidate {
  name: string;
  team: string;
  teamColor: string;
  strategy: string;
  /** What git pins in the target today (null: nothing yet). */
  from: string | null;
  /** What git pins in the source: the version a promotion would carry over. */
  to: string;
}

/**
 * Services whose version in `source` differs from `target`'s, among those deployed to both (a
 * service with no overlay in the target cannot be promoted there).
 */
export function promotionCandidates(matrix: Pick<MatrixDto, "services">, source: string, target: string): PromotionCandidate[] {
  if (!source || !target || source === target) return [];
  const out: PromotionCandidate[] = [];
  for (const s of matrix.services) {
    const from = s.cells[source];
    const to = s.cells[target];
    if (!from?.version || !to?.deploys || !from.deploys || to.version === null) continue;
    if (from.version === to.version) continue;
    out.push({ name: s.name, team: s.team, teamColor: s.teamColor, strategy: s.strategy, from: to.version, to: from.version });
  }
  return out;
}

/**
 * The next environment's name and version when this cell pins a different version than it (both
 * known and both deployed), else null. The last environment has no next one.
 */
export function differsFromNext(
  environments: readonly { name: string; displayName: string }[],
  cells: MatrixDto["services"][number]["cells"],
  environment: string,
): { environment: string; displayName: string; version: string } | null {
  const i = environments.findIndex((e) => e.name === environment);
  const next = i >= 0 ? environments[i + 1] : undefined;
  if (!next) return null;
  const here = cells[environment];
  const there = cells[next.name];
  if (!here?.deploys || !there?.deploys || !here.version || !there.version || here.version === there.version) return null;
  return { environment: next.name, displayName: next.displayName, version: there.version };
}

/** The default promotion: staging → production when both exist, else the last two environments. */
export function defaultPair(environments: readonly { name: string }[]): { source: string; target: string } {
  const names = environments.map((e) => e.name);
  if (names.includes("staging") && names.includes("production")) return { source: "staging", target: "production" };
  return { source: names.at(-2) ?? names[0] ?? "", target: names.at(-1) ?? "" };
}
