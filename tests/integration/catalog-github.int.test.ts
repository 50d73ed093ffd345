// Instantiation through the GitHub adapter, against the GitHub double (every request and answer
// checked against GitHub's OpenAPI description, real git behind it): a pull request on success,
// nothing when the repository already has the files, and after GitHub keeps failing, a failed
// instance with the reason and no branch left behind.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { logger } from "@/lib/core/logger";
import { GitHubGitHost } from "@/lib/integrations/github/git-host";
import { requestInstantiation } from "@/lib/templates/request";
import { runInstantiation } from "@/lib/templates/run";
import { makePerson, makeTeam, unique, type TestPerson } from "../support/factory";
import { startGithubDouble, type GithubDouble } from "../support/github-double";

import { loadActorByUserId, type Actor } from "@/lib/core/auth/actor";

let double: GithubDouble;
let host: GitHubGitHost;
let dev: TestPerson;
let actor: Actor;

beforeAll(async () => {
  double = await startGithubDouble({ login: "paved-bot", orgs: ["acme"] });
  host = new GitHubGitHost({ token: double.token, baseUrl: double.url, owner: "acme", retryBaseMs: 5, writeIntervalMs: 0, notifyingWriteIntervalMs: 0, rateLimitSecondMs: 20 });
  const team = await makeTeam("gh");
  dev = await makePerson(["developer"], { team, prefix: "ghdev" });
  const loaded = await loadActorByUserId(db(), dev.id);
  if (!loaded) throw new Error("actor");
  actor = loaded;
});

afterAll(async () => {
  expect(double.violations).toEqual([]);
  await double.close();
});

const ctx = (retriesLeft = 0) => ({ attempt: 0, retriesLeft, log: logger, host });

async function request(repo: string, environment: string) {
  const { instance } = await requestInstantiation(actor, "hello-workflow", { parameters: { environment }, target: { repo, create: false } }, undefined, host);
  return instance;
}

describe("instantiating through GitHub", () => {
  it("opens the pull request through GitHub's API", async () => {
    const name = unique("svc");
    await double.seedRepo("acme", name, { files: { "README.md": "# svc\n" } });
    const instance = await request(`acme/${name}`, "prod");
    await expect(runInstantiation(instance.id, ctx())).resolves.toMatchObject({ status: "pull_request_open" });
    const pr = await host.findPullRequest({ owner: "acme", name }, "paved/hello-workflow-2.0.0");
    expect(pr?.title).toContain("Hello workflow 2.0.0");
    expect(await host.readFile({ owner: "acme", name }, ".github/workflows/hello.yml", pr?.head)).toContain("${{ inputs.who }}");
  });

  it("completes without a pull request when the repository already has exactly these files", async () => {
    const name = unique("same");
    await double.seedRepo("acme", name, { files: { "README.md": "# same\n" } });
    const first = await request(`acme/${name}`, "prod");
    await runInstantiation(first.id, ctx());
    const pr = await host.findPullRequest({ owner: "acme", name }, "paved/hello-workflow-2.0.0");
    await host.mergePullRequest({ owner: "acme", name }, pr?.number ?? 0);
    await host.deleteBranch({ owner: "acme", name }, "paved/hello-workflow-2.0.0");
    // A second instance of the same files (other parameters only change the request key).
    await db().templateInstance.update({ where: { id: first.id }, data: { requestKey: unique("retired-key") } });
    const second = await request(`acme/${name}`, "prod");
    await expect(runInstantiation(second.id, ctx())).resolves.toEqual({ status: "completed" });
    const row = await db().templateInstance.findUniqueOrThrow({ where: { id: second.id } });
    expect(row).toMatchObject({ status: "completed", error: null, pullRequestUrl: null });
    expect(await host.getBranch({ owner: "acme", name }, "paved/hello-workflow-2.0.0")).toBeNull();
  });

  it("after GitHub keeps answering 502, retries, then fails the instance with the reason and leaves no branch", async () => {
    const name = unique("flaky");
    await double.seedRepo("acme", name, { files: { "README.md": "# flaky\n" } });
    const instance = await request(`acme/${name}`, "prod");
    double.inject({ status: 502, times: 50, when: (r) => r.method === "POST" && r.path.endsWith("/pulls") });
    // The queue would run it again while retries are left: the attempt says so by throwing.
    await expect(runInstantiation(instance.id, ctx(1))).rejects.toThrow();
    expect((await db().templateInstance.findUniqueOrThrow({ where: { id: instance.id } })).error).toContain("Retrying after");
    // The last attempt records the failure for good and cleans up.
    await expect(runInstantiation(instance.id, ctx(0))).resolves.toMatchObject({ status: "failed" });
    const row = await db().templateInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/GitHub|502|unavailable/i);
    expect(await host.getBranch({ owner: "acme", name }, "paved/hello-workflow-2.0.0")).toBeNull();
    expect(double.calls.filter((c) => c.injected).length).toBeGreaterThan(1);
    double.inject({ status: 502, times: 0 });
  });

  it("fails with a message a person can act on when the token may not write to the repository", async () => {
    const name = unique("readonly");
    await double.seedRepo("acme", name, { files: { "README.md": "# read-only\n" } });
    double.denyWrite(`acme/${name}`);
    const instance = await request(`acme/${name}`, "prod");
    await expect(runInstantiation(instance.id, ctx(3))).resolves.toMatchObject({ status: "failed" });
    const row = await db().templateInstance.findUniqueOrThrow({ where: { id: instance.id } });
    expect(row.error).toMatch(/cannot write to acme\//);
  });

  it("refuses a repository the token cannot see", async () => {
    await expect(request("acme/does-not-exist", "prod")).rejects.toMatchObject({ code: "not_found" });
  });
});
