import { describe, expect, it } from "vitest";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "../../prisma/seed/demo-organisation.ts";
import { demoGitOpsFiles } from "../integrations/localgit/gitops-seed.ts";
import { renderApp, setImageTag, overlayKustomizationPath } from "./repository.ts";
import { STRATEGY_FILE, strategyFileChanges, strategyManifests } from "./strategies.ts";

const files = demoGitOpsFiles(DEMO_SERVICES, DEMO_ENVIRONMENTS.map((e) => e.name));
const apply = (map: Record<string, string>, changes: { path: string; content: string | null }[]) => {
  const out = { ...map };
  for (const c of changes) {
    if (c.content === null) delete out[c.path];
    else out[c.path] = c.content;
  }
  return out;
};
const frontend = { name: "frontend", strategy: "canary" as const, trafficSteps: [10, 50, 100], healthCheckPath: "/health" };

describe("strategy manifests", () => {
  it("writes a canary Rollout with a paused step per weight, over the Deployment, and its analysis on Prometheus", () => {
    const [rollout, analysis, canaryService] = strategyManifests(frontend);
    expect(rollout).toMatchObject({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      spec: {
        workloadRef: { apiVersion: "apps/v1", kind: "Deployment", name: "frontend" },
        strategy: { canary: { steps: [{ setWeight: 10 }, { pause: {} }, { setWeight: 50 }, { pause: {} }, { setWeight: 100 }], analysis: { templates: [{ templateName: "frontend-error-ratio" }] } } },
      },
    });
    expect(analysis).toMatchObject({ kind: "AnalysisTemplate", spec: { metrics: [{ successCondition: "result[0] <= 0.05", provider: { prometheus: { query: expect.stringContaining('service="frontend",code=~"5.."') } } }] } });
    expect(canaryService).toMatchObject({ kind: "Service", metadata: { name: "frontend-canary" } });
  });

  it("routes a canary with Istio VirtualService weights when a mesh is configured", () => {
    const manifests = strategyManifests(frontend, { mesh: "istio" });
    expect(manifests.map((m) => m.kind)).toEqual(["Rollout", "AnalysisTemplate", "VirtualService", "DestinationRule"]);
    expect(manifests[0]).toMatchObject({ spec: { strategy: { canary: { trafficRouting: { istio: { virtualService: { name: "frontend", routes: ["primary"] } } } } } } });
    expect(manifests[2]).toMatchObject({ spec: { http: [{ route: [{ weight: 100 }, { weight: 0 }] }] } });
  });

  it("writes blue-green with active and preview services and no auto-promotion, and nothing for rolling", () => {
    const [rollout, preview] = strategyManifests({ name: "backend-api", strategy: "blue_green", trafficSteps: [], healthCheckPath: "/api/health" });
    expect(rollout).toMatchObject({ spec: { strategy: { blueGreen: { activeService: "backend-api", previewService: "backend-api-preview", autoPromotionEnabled: false } } } });
    expect(preview).toMatchObject({ kind: "Service", metadata: { name: "backend-api-preview" } });
    expect(strategyManifests({ name: "ledger", strategy: "rolling", trafficSteps: [], healthCheckPath: "/health" })).toEqual([]);
  });

  it("adds the file to the service's base so every overlay renders it, and a promotion still changes only the tag", () => {
    const changes = strategyFileChanges(files, frontend);
    expect(changes.map((c) => c.path).sort()).toEqual(["apps/frontend/base/kustomization.yaml", `apps/frontend/base/${STRATEGY_FILE}`]);
    const withStrategy = apply(files, changes);
    for (const env of ["dev", "staging", "production"]) {
      const rendered = renderApp(withStrategy, "frontend", env).map((r) => r.object);
      const rollout = rendered.find((o) => o.kind === "Rollout");
      expect(rollout?.metadata.namespace).toBeTruthy();
      expect(rendered.some((o) => o.kind === "AnalysisTemplate")).toBe(true);
    }
    // Applying again changes nothing; promotions keep working on the overlay's tag.
    expect(strategyFileChanges(withStrategy, frontend)).toEqual([]);
    expect(setImageTag(withStrategy, "frontend", "production", "9.9.9")).not.toEqual(withStrategy[overlayKustomizationPath("frontend", "production")]);
    // Switching to rolling removes the file and its listing.
    const back = apply(withStrategy, strategyFileChanges(withStrategy, { ...frontend, strategy: "rolling" }));
    expect(back[`apps/frontend/base/${STRATEGY_FILE}`]).toBeUndefined();
    expect(back["apps/frontend/base/kustomization.yaml"]).toBe(files["apps/frontend/base/kustomization.yaml"]);
  });
});
