// The template catalog end to end against a real database and real (sandbox) git: publishing,
// search, preview, instantiation as a pull request or a new repository (idempotent), lifecycle
// rules, team restrictions, upgrades and the adoption scan — through the real route handlers.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { SYSTEM_ACTOR } from "@/lib/core/auth/actor";
import { logger } from "@/lib/core/logger";
import type { GitHost } from "@/lib/core/ports/git-host";
import { loadCatalog } from "@/lib/templates/bundle";
import { runAdoptionScan, runInstantiation, runUpgrade } from "@/lib/templates/run";
import { syncCatalog } from "@/lib/templates/sync";
import type { InstanceDto, PreviewDto, TemplateDetailDto, TemplateSummaryDto } from "@/lib/templates/schemas";
import { FIXTURE_CATALOG, useSandboxGit } from "../support/catalog";
import { makePerson, makeTeam, unique, type TestPerson, type TestTeam } from "../support/factory";
import { callJson, type ErrorBody } from "../support/http";

const EXISTING_WORKFLOW = "name: Hello\non: [workflow_call]\njobs:\n  hello:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo old\n";

let host: GitHost;
let team: TestTeam;
let dev: TestPerson;
let admin: TestPerson;
let viewer: TestPerson;
let repoName: string;
const ctx = () => ({ attempt: 0, retriesLeft: 0, log: logger, host });

beforeAll(async () => {
  repoName = unique("svc");
  ({ host } = await useSandboxGit([
    { name: repoName, files: { "README.md": "# svc\n", ".github/workflows/hello.yml": EXISTING_WORKFLOW } },
    { name: `${repoName}-caller`, files: { ".github/workflows/ci.yml": "jobs:\n  ci:\n    uses: paved/templates/.github/workflows/hello-workflow.yml@v2\n" } },
  ]));
  team = await makeTeam("cat");
  dev = await makePerson(["developer"], { team, prefix: "dev" });
  admin = await makePerson(["platform-admin"], { prefix: "admin" });
  viewer = await makePerson(["viewer"], { prefix: "viewer" });
});

async function instantiate(who: TestPerson, body: unknown) {
  return callJson<InstanceDto & ErrorBody>("POST", "/api/v1/templates/{name}/instantiate", { params: { name: "hello-workflow" }, body, token: who.token });
}

describe("publishing", () => {
  it("publishes each version once, refuses changed content under a published version, and audits it", async () => {
    const { bundles } = await loadCatalog(FIXTURE_CATALOG);
    const again = await syncCatalog(db(), bundles, SYSTEM_ACTOR);
    expect(again.published).toEqual([]);
    expect(again.unchanged).toBe(2);

    const v2 = bundles.find((b) => b.bundle.manifest.spec.version === "2.0.0");
    if (!v2) throw new Error("fixture");
    const tampered = { ...v2, digest: "0".repeat(64), bundle: { ...v2.bundle, readme: "changed" } };
    const refused = await syncCatalog(db(), [tampered], SYSTEM_ACTOR);
    expect(refused.refused).toEqual([expect.objectContaining({ template: "hello-workflow", version: "2.0.0", reason: expect.stringContaining("immutable") })]);
    const stored = await db().templateVersion.findFirstOrThrow({ where: { template: { name: "hello-workflow" }, version: "2.0.0" } });
    expect(stored.digest).toBe(v2.digest);
    const event = await db().auditEvent.findFirst({ where: { action: "catalog.synced" }, orderBy: { seq: "desc" } });
    expect(event?.payload).toMatchObject({ refused: [expect.objectContaining({ version: "2.0.0" })] });
  });
});

describe("publishing in batches", () => {
  it("creates a new template with its latest version, follows the newest version's metadata, and writes nothing when nothing changed", async () => {
    const { bundles } = await loadCatalog(FIXTURE_CATALOG);
    const v2 = bundles.find((b) => b.bundle.manifest.spec.version === "2.0.0");
    if (!v2) throw new Error("fixture");
    const name = unique("batch");
    const as = (version: string, lifecycle: string, title: string) => ({
      ...v2,
      digest: `${version}-${title}`.padEnd(64, "0"),
      bundle: { ...v2.bundle, manifest: { ...v2.bundle.manifest, metadata: { ...v2.bundle.manifest.metadata, name, title }, spec: { ...v2.bundle.manifest.spec, version, lifecycle } } },
    }) as typeof v2;
    const first = await syncCatalog(db(), [as("1.0.0", "stable", "Batch one"), as("1.1.0", "retired", "Batch one")], SYSTEM_ACTOR);
    expect(first.published).toEqual([`${name}@1.0.0`, `${name}@1.1.0`]);
    // Retired versions are never the latest.
    expect(await db().template.findUniqueOrThrow({ where: { name } })).toMatchObject({ title: "Batch one", latestVersion: "1.0.0" });

    await syncCatalog(db(), [as("1.0.0", "stable", "Batch one"), as("1.1.0", "retired", "Batch one"), as("2.0.0", "stable", "Batch two")], SYSTEM_ACTOR);
    const updated = await db().template.findUniqueOrThrow({ where: { name } });
    expect(updated).toMatchObject({ title: "Batch two", latestVersion: "2.0.0" });
    expect(await db().templateVersion.count({ where: { templateId: updated.id } })).toBe(3);

    const same = await syncCatalog(db(), [as("2.0.0", "stable", "Batch two")], SYSTEM_ACTOR);
    expect(same).toMatchObject({ published: [], unchanged: 1 });
    expect((await db().template.findUniqueOrThrow({ where: { name } })).updatedAt).toEqual(updated.updatedAt);
  });
});

describe("browsing", () => {
  it("searches by words in name, description and tags, and filters by type, tag and lifecycle", async () => {
    const search = async (query: Record<string, string>) =>
      (await callJson<{ items: TemplateSummaryDto[] }>("GET", "/api/v1/templates", { query, token: viewer.token })).body.items.map((t) => t.name);
    expect(await search({ q: "hello" })).toContain("hello-workflow");
    expect(await search({ q: "tiny reusable" })).toContain("hello-workflow");
    expect(await search({ q: "hello nothing-like-this" })).toEqual([]);
    expect(await search({ type: "github-workflow", tag: "test" })).toContain("hello-workflow");
    expect(await search({ type: "terraform", q: "hello" })).toEqual([]);
    expect(await search({ q: "hello", lifecycle: "stable" })).toContain("hello-workflow");
    const bad = await callJson<ErrorBody>("GET", "/api/v1/templates", { query: { type: "jenkins" }, token: viewer.token });
    expect(bad.status).toBe(400);
  });

  it("shows a template with its versions newest first and the newest stable version's docs and parameters", async () => {
    const res = await callJson<TemplateDetailDto>("GET", "/api/v1/templates/{name}", { params: { name: "hello-workflow" }, token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.body.versions.map((v) => [v.version, v.lifecycle])).toEqual([
      ["2.0.0", "stable"],
      ["1.0.0", "deprecated"],
    ]);
    expect(res.body.current?.version).toBe("2.0.0");
    expect(res.body.current?.parameters.map((p) => p.name)).toEqual(["environment", "greeting", "notify"]);
    expect(res.body.current?.migration).toContain("greeting");
    const missing = await callJson<ErrorBody>("GET", "/api/v1/templates/{name}", { params: { name: "no-such-template" }, token: viewer.token });
    expect(missing.status).toBe(404);
  });
});

describe("preview", () => {
  it("refuses invalid parameters naming each field, and renders with ${{ }} intact and a diff against the repository", async () => {
    const invalid = await callJson<ErrorBody>("POST", "/api/v1/templates/{name}/preview", {
      params: { name: "hello-workflow" },
      body: { parameters: { environment: "Not Valid", unknown: 1 } },
      token: viewer.token,
    });
    expect(invalid.status).toBe(400);
    const paths = (invalid.body.error.details as { issues: { path: string[] }[] }).issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["parameters.environment", "parameters.unknown"]));

    const missing = await callJson<ErrorBody>("POST", "/api/v1/templates/{name}/preview", { params: { name: "hello-workflow" }, body: { parameters: {} }, token: viewer.token });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("environment: Required");

    const ok = await callJson<PreviewDto>("POST", "/api/v1/templates/{name}/preview", {
      params: { name: "hello-workflow" },
      body: { parameters: { environment: "staging", notify: true }, target: { repo: `demo/${repoName}` } },
      token: viewer.token,
    });
    expect(ok.status).toBe(200);
    const hello = ok.body.files.find((f) => f.path === ".github/workflows/hello.yml");
    expect(hello?.content).toContain('echo "hello ${{ inputs.who }} from demo/' + repoName + '"');
    expect(hello?.status).toBe("modified");
    expect(hello?.diff).toContain("-      - run: echo old");
    expect(ok.body.files.find((f) => f.path === ".github/workflows/notify-staging.yml")).toMatchObject({ status: "added" });
    expect(ok.body.parameters).toEqual({ environment: "staging", greeting: "hello", notify: true });
  });

  it("warns about a deprecated version", async () => {
    const res = await callJson<PreviewDto>("POST", "/api/v1/templates/{name}/preview", {
      params: { name: "hello-workflow" },
      body: { version: "1.0.0", parameters: { environment: "dev" } },
      token: viewer.token,
    });
    expect(res.body.warnings.join(" ")).toContain("deprecated");
  });
});

describe("instantiation", () => {
  it("opens a pull request on paved/<template>-<version>, and the same request twice gives the same pull request", async () => {
    const body = { parameters: { environment: "staging" }, target: { repo: `demo/${repoName}` } };
    const first = await instantiate(dev, body);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: "queued", version: "2.0.0", team: team.slug, repo: `demo/${repoName}` });
    const job = await db().templateInstance.findUniqueOrThrow({ where: { id: first.body.id } });
    expect(job.jobId).toEqual(expect.any(String));

    await expect(runInstantiation(first.body.id, ctx())).resolves.toMatchObject({ status: "pull_request_open" });
    const again = await instantiate(dev, body);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body.pullRequestNumber).toEqual(expect.any(Number));
    // Running the job again (a retry) does not open a second pull request either.
    await runInstantiation(first.body.id, ctx());

    const ref = { owner: "demo", name: repoName };
    const pr = await host.findPullRequest(ref, "paved/hello-workflow-2.0.0", "all");
    expect(pr?.number).toBe(again.body.pullRequestNumber);
    const files = await host.listPullRequestFiles(ref, pr?.number ?? 0);
    expect(files.map((f) => [f.path, f.status])).toEqual([[".github/workflows/hello.yml", "modified"]]);
    expect(await host.readFile(ref, ".github/workflows/hello.yml", "paved/hello-workflow-2.0.0")).toContain("${{ inputs.who }}");

    const listed = await callJson<{ items: InstanceDto[] }>("GET", "/api/v1/template-instances", { query: { template: "hello-workflow", repo: `demo/${repoName}` }, token: viewer.token });
    expect(listed.body.items.map((i) => i.id)).toContain(first.body.id);
    const events = await db().auditEvent.findMany({ where: { targetId: first.body.id }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["template.instantiation_requested", "template.instantiated"]);
  });

  it("creates a new repository with the files on its default branch", async () => {
    const name = unique("brand-new");
    const res = await instantiate(dev, { parameters: { environment: "prod" }, target: { repo: `demo/${name}`, create: true } });
    expect(res.status).toBe(202);
    await expect(runInstantiation(res.body.id, ctx())).resolves.toMatchObject({ status: "completed" });
    expect(await host.readFile({ owner: "demo", name }, ".github/workflows/hello.yml")).toContain("environment: prod");
    const exists = await instantiate(dev, { parameters: { environment: "prod" }, target: { repo: `demo/${name}`, create: true }, version: "1.0.0" });
    expect(exists.status).toBe(409);
  });

  it("refuses what it must, each with a clear error and nothing recorded", async () => {
    const mine = () => db().templateInstance.count({ where: { createdBy: dev.login } });
    const before = await mine();
    expect((await instantiate(viewer, { parameters: { environment: "x" }, target: { repo: `demo/${repoName}` } })).status).toBe(403);
    const otherTeam = await makeTeam("other");
    const outside = await instantiate(dev, { parameters: { environment: "x" }, target: { repo: `demo/${repoName}` }, team: otherTeam.slug });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain("own team");
    const missingRepo = await instantiate(dev, { parameters: { environment: "x" }, target: { repo: "demo/does-not-exist" } });
    expect(missingRepo.status).toBe(404);
    const wrongOwner = await instantiate(dev, { parameters: { environment: "x" }, target: { repo: `elsewhere/${repoName}` } });
    expect(wrongOwner.status).toBe(422);
    const badParams = await instantiate(dev, { parameters: { environment: "" }, target: { repo: `demo/${repoName}` } });
    expect(badParams.status).toBe(400);
    const unknownVersion = await instantiate(dev, { version: "9.9.9", parameters: { environment: "x" }, target: { repo: `demo/${repoName}` } });
    expect(unknownVersion.status).toBe(404);
    const unknownTemplate = await callJson<ErrorBody>("POST", "/api/v1/templates/{name}/instantiate", {
      params: { name: "nope" },
      body: { parameters: {}, target: { repo: `demo/${repoName}` } },
      token: dev.token,
    });
    expect(unknownTemplate.status).toBe(404);
    expect(await mine()).toBe(before);
  });

  it("a retired version is refused with 422 until it is brought back, and only platform admins change lifecycles", async () => {
    const put = (who: TestPerson, lifecycle: string) =>
      callJson<ErrorBody>("PUT", "/api/v1/templates/{name}/versions/{version}/lifecycle", {
        params: { name: "hello-workflow", version: "1.0.0" },
        body: { lifecycle, note: "Use 2.x" },
        token: who.token,
      });
    expect((await put(dev, "retired")).status).toBe(403);
    expect((await put(admin, "retired")).status).toBe(200);
    try {
      const refused = await instantiate(dev, { version: "1.0.0", parameters: { environment: "x" }, target: { repo: `demo/${repoName}` } });
      expect(refused.status).toBe(422);
      expect(refused.body.error.message).toContain("retired");
      expect(refused.body.error.code).toBe("rule_violation");
      // Refused by the policy engine, with the policy's own message (policies/disallow-retired-templates.yaml).
      expect(refused.body.error.details).toEqual({ policies: [expect.objectContaining({ policy: "disallow-retired-templates", message: expect.stringContaining("hello-workflow") })] });
    } finally {
      expect((await put(admin, "deprecated")).status).toBe(200);
    }
    const event = await db().auditEvent.findFirst({ where: { action: "template.lifecycle_changed" }, orderBy: { seq: "desc" } });
    expect(event?.payload).toMatchObject({ template: "hello-workflow", version: "1.0.0", to: "deprecated" });
  });

  it("honours a template's team restriction", async () => {
    // A template of this test's own (other files instantiate hello-workflow meanwhile).
    const { bundles } = await loadCatalog(FIXTURE_CATALOG);
    const name = unique("restricted");
    const restricted = bundles.map((b) => {
      const manifest = { ...b.bundle.manifest, metadata: { ...b.bundle.manifest.metadata, name }, spec: { ...b.bundle.manifest.spec, allowedTeams: ["platform"] } };
      return { ...b, bundle: { ...b.bundle, manifest } };
    });
    await syncCatalog(db(), restricted, SYSTEM_ACTOR);
    const res = await callJson<ErrorBody>("POST", "/api/v1/templates/{name}/instantiate", {
      params: { name },
      body: { parameters: { environment: "restricted" }, target: { repo: `demo/${repoName}` } },
      token: dev.token,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("platform");
  });
});

describe("upgrades and adoption", () => {
  it("offers and opens an upgrade pull request for an instance on an older version", async () => {
    const name = unique("legacy");
    const created = await instantiate(dev, { version: "1.0.0", parameters: { environment: "dev" }, target: { repo: `demo/${name}`, create: true } });
    await runInstantiation(created.body.id, ctx());
    const instance = await callJson<InstanceDto>("GET", "/api/v1/template-instances/{id}", { params: { id: created.body.id }, token: viewer.token });
    expect(instance.body.upgradeAvailable).toBe("2.0.0");

    expect((await callJson<ErrorBody>("POST", "/api/v1/template-instances/{id}/upgrade", { params: { id: created.body.id }, body: {}, token: viewer.token })).status).toBe(403);
    const upgraded = await callJson<InstanceDto>("POST", "/api/v1/template-instances/{id}/upgrade", { params: { id: created.body.id }, body: {}, token: dev.token });
    expect(upgraded.status).toBe(202);
    const upgrade = upgraded.body.upgrades[0];
    expect(upgrade).toMatchObject({ fromVersion: "1.0.0", toVersion: "2.0.0", status: "queued" });
    // 1.0.0's `name` parameter is unknown to 2.0.0 (additionalProperties: false): the upgrade says so.
    await expect(runUpgrade(upgrade?.id ?? "", ctx())).resolves.toMatchObject({ status: "failed" });
    const failed = await db().templateUpgrade.findUniqueOrThrow({ where: { id: upgrade?.id ?? "" } });
    expect(failed.error).toContain("do not fit version 2.0.0");
  });

  it("upgrades an instance whose parameters fit the new version, with the changelog in the pull request", async () => {
    const name = unique("fits");
    const created = await instantiate(dev, { version: "1.0.0", parameters: { environment: "dev", name: "hi" }, target: { repo: `demo/${name}`, create: true } });
    await runInstantiation(created.body.id, ctx());
    // Made fit for 2.0.0 by hand: what a team does after reading the migration note.
    await db().templateInstance.update({ where: { id: created.body.id }, data: { parameters: { environment: "dev" } } });
    const res = await callJson<InstanceDto>("POST", "/api/v1/template-instances/{id}/upgrade", { params: { id: created.body.id }, body: {}, token: dev.token });
    await expect(runUpgrade(res.body.upgrades[0]?.id ?? "", ctx())).resolves.toMatchObject({ status: "pull_request_open" });
    const pr = await host.findPullRequest({ owner: "demo", name }, "paved/upgrade-hello-workflow-2.0.0", "open");
    expect(pr?.body).toContain("`name` is now `greeting`");
    expect(await host.readFile({ owner: "demo", name }, ".github/workflows/hello.yml", pr?.head)).toContain("${{ inputs.who }}");
  });

  it("a merged upgrade pull request moves the instance to the new version", async () => {
    const name = unique("merged");
    const created = await instantiate(dev, { version: "1.0.0", parameters: { environment: "dev" }, target: { repo: `demo/${name}`, create: true } });
    await runInstantiation(created.body.id, ctx());
    await db().templateInstance.update({ where: { id: created.body.id }, data: { parameters: { environment: "dev" } } });
    const res = await callJson<InstanceDto>("POST", "/api/v1/template-instances/{id}/upgrade", { params: { id: created.body.id }, body: {}, token: dev.token });
    await runUpgrade(res.body.upgrades[0]?.id ?? "", ctx());
    const pr = await host.findPullRequest({ owner: "demo", name }, "paved/upgrade-hello-workflow-2.0.0", "open");
    // Merged the way a person does in the sandbox: its merge route brings the instance up to date.
    const merged = await callJson<{ merged: number }>("POST", "/api/v1/sandbox/repos/{owner}/{name}/pulls/{number}/merge", {
      params: { owner: "demo", name, number: String(pr?.number ?? 0) },
      token: dev.token,
    });
    expect(merged.status).toBe(200);
    expect(merged.body.merged).toBeGreaterThanOrEqual(1);
    const after = await callJson<InstanceDto>("GET", "/api/v1/template-instances/{id}", { params: { id: created.body.id }, token: viewer.token });
    expect(after.body).toMatchObject({ version: "2.0.0", upgradeAvailable: null });
    expect(after.body.upgrades[0]).toMatchObject({ status: "completed" });
  });

  it("the adoption scan finds workflows that call catalog templates, and Paved's instances", async () => {
    await runAdoptionScan(ctx());
    const res = await callJson<{ records: { repo: string; template: string; version: string | null; source: string }[] }>("GET", "/api/v1/adoption", {
      query: { template: "hello-workflow" },
      token: viewer.token,
    });
    expect(res.body.records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ repo: `demo/${repoName}-caller`, version: "v2", source: "workflow" }),
        expect.objectContaining({ repo: `demo/${repoName}`, version: "2.0.0", source: "instance" }),
      ]),
    );
  });
});
