// The GitHub double itself: it must refuse what GitHub's description does not allow, or the
// adapter's tests would prove nothing. Raw HTTP here, no Octokit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { githubSpec, startGithubDouble, type GithubDouble } from "@/tests/support/github-double";

let double: GithubDouble;
beforeAll(async () => {
  double = await startGithubDouble();
  await double.seedRepo("demo", "raw", { files: { "README.md": "# raw\n" } });
});
afterAll(async () => {
  await double?.close();
});

async function call(method: string, path: string, body?: unknown, token = double.token): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${double.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

describe("GitHub double", () => {
  it("answers a documented request and records no violation", async () => {
    const res = await call("GET", "/repos/demo/raw/git/ref/heads%2Fmain");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ref: "refs/heads/main", object: { type: "commit" } });
    expect(double.violations.splice(0)).toEqual([]);
  });

  it("refuses a body field GitHub does not document (strict), and a missing required one", async () => {
    const sha = ((await call("GET", "/repos/demo/raw/git/ref/heads%2Fmain")).body as { object: { sha: string } }).object.sha;
    const res = await call("POST", "/repos/demo/raw/git/refs", { ref: "refs/heads/x", sha, force: true });
    expect(res.status).toBe(400);
    expect(double.violations.splice(0).join("\n")).toMatch(/request body: .*must NOT have additional properties/);
    await call("POST", "/repos/demo/raw/git/refs", { ref: "refs/heads/x" });
    expect(double.violations.splice(0).join("\n")).toMatch(/must have required property 'sha'/);
  });

  it("refuses wrong types in the body and in query parameters, and undocumented query parameters", async () => {
    await call("POST", "/repos/demo/raw/pulls", { head: "x", base: "main", title: 42 });
    expect(double.violations.splice(0).join("\n")).toMatch(/title.*must be string/);
    await call("GET", "/repos/demo/raw/pulls?per_page=lots");
    expect(double.violations.splice(0).join("\n")).toMatch(/per_page.*must be integer/);
    await call("GET", "/repos/demo/raw/pulls?state=merged");
    expect(double.violations.splice(0).join("\n")).toMatch(/state.*must be equal to one of the allowed values/);
    await call("GET", "/repos/demo/raw/pulls?colour=blue");
    expect(double.violations.splice(0).join("\n")).toMatch(/query parameter "colour" is not documented/);
  });

  it("refuses paths and methods GitHub does not have", async () => {
    await call("GET", "/repos/demo/raw/no-such-thing/at-all");
    await call("DELETE", "/user");
    expect(double.violations.splice(0)).toEqual([
      "GET /repos/demo/raw/no-such-thing/at-all: GitHub documents no such operation",
      "DELETE /user: GitHub documents no such operation",
    ]);
  });

  it("answers 401 to a wrong token, in the documented error shape", async () => {
    const res = await call("GET", "/repos/demo/raw", undefined, "ghp_wrong");
    expect(res).toEqual({ status: 401, body: { message: "Bad credentials", documentation_url: expect.any(String), status: "401" } });
    expect(double.violations.splice(0)).toEqual([]);
  });

  it("checks answers against the documented schema, with invented fields refused", () => {
    const spec = githubSpec();
    const op = spec.match("GET", "/repos/demo/raw/git/ref/heads%2Fmain");
    expect(op).toMatchObject({ operationId: "git/get-ref", path: "/repos/{owner}/{repo}/git/ref/{ref}", pathParams: { owner: "demo", repo: "raw", ref: "heads/main" } });
    const good = { ref: "refs/heads/main", node_id: "x", url: "https://api.github.com/repos/demo/raw/git/refs/heads/main", object: { type: "commit", sha: "a".repeat(40), url: "https://api.github.com/x" } };
    expect(spec.validateResponse(op!, 200, good, true)).toEqual([]);
    expect(spec.validateResponse(op!, 200, { ...good, invented: true }, true).join()).toMatch(/must NOT have additional properties/);
    expect(spec.validateResponse(op!, 200, { ...good, url: "not a url" }, true).join()).toMatch(/must match format "uri"/);
    expect(spec.validateResponse(op!, 418, {}, true).join()).toMatch(/documents no 418 answer/);
  });

  it("injects faults for as many requests as asked", async () => {
    double.inject({ status: 503, times: 2, when: (r) => r.path === "/repos/demo/raw" });
    expect((await call("GET", "/repos/demo/raw")).status).toBe(503);
    expect((await call("GET", "/repos/demo/raw")).status).toBe(503);
    expect((await call("GET", "/repos/demo/raw")).status).toBe(200);
    double.inject({ status: 403, times: 1, rateLimit: { kind: "secondary", retryAfter: 7 } });
    const res = await fetch(`${double.url}/repos/demo/raw`, { headers: { authorization: `token ${double.token}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(((await res.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect(double.violations.splice(0)).toEqual([]);
  });
});
