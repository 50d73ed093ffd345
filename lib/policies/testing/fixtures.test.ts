// The Kubernetes objects the policies are tested on are objects a cluster would accept (checked
// with kubernetes-models' validators), so that a case passes for the right reason, not because
// its fixture is malformed. The few cases that are malformed on purpose say so in their name.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ReplicaSet } from "kubernetes-models/apps/v1/ReplicaSet";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Pod } from "kubernetes-models/v1/Pod";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { readObjects } from "./documents.ts";
import { parseCasesFile } from "./runner.ts";

const policiesDir = path.resolve(import.meta.dirname, "../../../policies");
const MODELS: Record<string, new (data: never) => { validate(): void }> = { CronJob, Job, DaemonSet, Deployment, ReplicaSet, StatefulSet, ConfigMap, Pod, Secret, Service };
/** Cases whose object is malformed on purpose (the policy must fail closed, or name the gap). */
const MALFORMED = /cannot be judged|without an image/;

describe("the objects in the policies' cases", () => {
  it("are valid Kubernetes objects", () => {
    const subjects: { where: string; subject: Record<string, unknown> }[] = [];
    for (const file of readdirSync(policiesDir).filter((f) => f.endsWith(".cases.yaml"))) {
      for (const { testCase } of parseCasesFile(file, readFileSync(path.join(policiesDir, file), "utf8")).cases) {
        if (testCase.object && !MALFORMED.test(testCase.name)) subjects.push({ where: `${file}: ${testCase.name}`, subject: testCase.object });
      }
    }
    for (const file of readdirSync(path.join(policiesDir, "fixtures")).filter((f) => f.endsWith(".yaml"))) {
      const read = readObjects(file, readFileSync(path.join(policiesDir, "fixtures", file), "utf8"));
      expect(read.problems).toEqual([]);
      for (const o of read.objects) subjects.push({ where: `${file}#${o.document}`, subject: o.subject });
    }
    const checked = subjects.filter((s) => typeof s.subject.kind === "string" && MODELS[s.subject.kind]);
    expect(checked.length).toBeGreaterThan(60);
    const invalid = checked.flatMap(({ where, subject }) => {
      const Model = MODELS[subject.kind as string];
      try {
        if (Model) new Model(subject as never).validate();
        return [];
      } catch (e) {
        return [`${where}: ${(e as Error).message.split("\n")[0]}`];
      }
    });
    expect(invalid).toEqual([]);
  });
});
