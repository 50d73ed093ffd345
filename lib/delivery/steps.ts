// The steps of a run, as a pure function of the plan: the environment's integration tests first
// (when it has some), then wave by wave, and for each service its migrations first, then the
// commit to its overlay, the sync, and following its strategy until it is healthy. A rollback is
// the same for the services a run changed, in reverse order.
import type { IntegrationCheck } from "../gitops/environments.ts";

export type StepKind = "integration_tests" | "migrate" | "commit" | "sync" | "rollout" | "rollback_commit" | "rollback_sync" | "rollback_rollout";

/** The `service` of the integration-tests step, which belongs to no service (wave 0: before the first wave). */
export const INTEGRATION_TESTS_STEP = "integration-tests";

export interface PlannedStep {
  position: number;
  wave: number;
  service: string;
  kind: StepKind;
  detail: Record<string, unknown>;
}

export function buildSteps(
  waves: readonly (readonly string[])[],
  services: ReadonlyMap<string, { migrationScripts: readonly string[]; strategy: string }>,
  options: { integrationTests?: IntegrationCheck | null } = {},
): PlannedStep[] {
  const steps: PlannedStep[] = [];
  // The environment's integration tests, as they are configured when the run starts (a resumed run checks the same).
  if (options.integrationTests) steps.push({ position: 0, wave: 0, service: INTEGRATION_TESTS_STEP, kind: "integration_tests", detail: { check: options.integrationTests } });
  waves.forEach((wave, w) => {
    for (const service of wave) {
      const s = services.get(service);
      if (s?.migrationScripts.length) steps.push({ position: steps.length, wave: w + 1, service, kind: "migrate", detail: { scripts: [...s.migrationScripts] } });
      steps.push({ position: steps.length, wave: w + 1, service, kind: "commit", detail: {} });
      steps.push({ position: steps.length, wave: w + 1, service, kind: "sync", detail: {} });
      steps.push({ position: steps.length, wave: w + 1, service, kind: "rollout", detail: { strategy: s?.strategy ?? "rolling" } });
    }
  });
  return steps;
}

/**
 * Rollback steps for the services a run changed, dependents first (the waves reversed), appended
 * after the run's own steps.
 */
export function buildRollbackSteps(waves: readonly (readonly string[])[], changed: ReadonlySet<string>, startAt: number): PlannedStep[] {
  const steps: PlannedStep[] = [];
  const reversed = [...waves].reverse();
  reversed.forEach((wave, w) => {
    for (const service of wave) {
      if (!changed.has(service)) continue;
      for (const kind of ["rollback_commit", "rollback_sync", "rollback_rollout"] as const) steps.push({ position: startAt + steps.length, wave: w + 1, service, kind, detail: {} });
    }
  });
  return steps;
}
