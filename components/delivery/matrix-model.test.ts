import { describe, expect, it } from "vitest";
import type { MatrixCell } from "@/lib/delivery/schemas";
import { defaultPair, differsFromNext, promotionCandidates } from "./matrix-model";

const cell = (version: string | null, deploys = true): MatrixCell => ({
  version,
  liveImage: null,
  sync: "Synced",
  health: "Healthy",
  healthMessage: null,
  lastDeployment: null,
  drift: false,
  pendingPromotion: null,
  deploys,
});
const envs = [
  { name: "dev", displayName: "Development" },
  { name: "staging", displayName: "Staging" },
  { name: "production", displayName: "Production" },
];
const svc = (name: string, dev: MatrixCell, staging: MatrixCell, production: MatrixCell) => ({ name, team: "t", teamColor: "#000", strategy: "rolling", cells: { dev, staging, production } });
const matrix = {
  services: [
    svc("backend-api", cell("1.6.0"), cell("1.5.0"), cell("1.4.0")),
    svc("database", cell("2.4.0"), cell("2.3.0"), cell("2.3.0")),
    svc("dev-only", cell("0.1.0"), cell(null, false), cell(null, false)),
  ],
};

describe("promotionCandidates", () => {
  it("lists services whose source version differs, from the target's to the source's", () => {
    expect(promotionCandidates(matrix, "staging", "production").map((c) => [c.name, c.from, c.to])).toEqual([["backend-api", "1.4.0", "1.5.0"]]);
    expect(promotionCandidates(matrix, "dev", "staging").map((c) => c.name)).toEqual(["backend-api", "database"]);
  });
  it("is empty for the same environment twice", () => {
    expect(promotionCandidates(matrix, "staging", "staging")).toEqual([]);
  });
});

describe("differsFromNext", () => {
  it("names the next environment and its version when they differ", () => {
    expect(differsFromNext(envs, matrix.services[0]!.cells, "staging")).toEqual({ environment: "production", displayName: "Production", version: "1.4.0" });
    expect(differsFromNext(envs, matrix.services[1]!.cells, "staging")).toBeNull();
    expect(differsFromNext(envs, matrix.services[0]!.cells, "production")).toBeNull();
    expect(differsFromNext(envs, matrix.services[2]!.cells, "dev")).toBeNull();
  });
});

describe("defaultPair", () => {
  it("is staging → production when both exist, else the last two", () => {
    expect(defaultPair(envs)).toEqual({ source: "staging", target: "production" });
    expect(defaultPair([{ name: "a" }, { name: "b" }, { name: "c" }])).toEqual({ source: "b", target: "c" });
  });
});
