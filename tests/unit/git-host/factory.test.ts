// Which GitHost the configuration gives: GitHub with a token (and an organisation), else the sandbox.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/core/env";
import { createGitHost } from "@/lib/integrations/git-host";
import { GitHubGitHost } from "@/lib/integrations/github/git-host";
import { LocalGitHost } from "@/lib/integrations/localgit";

describe("createGitHost", () => {
  it("uses the sandbox's local git in the data folder when no GitHub token is set", () => {
    const host = createGitHost(parseEnv({ PAVED_DATA_DIR: "/tmp/paved-data" }));
    expect(host).toBeInstanceOf(LocalGitHost);
    expect(host).toMatchObject({ kind: "sandbox", defaultOwner: "demo", root: path.join("/tmp/paved-data", "git") });
  });

  it("uses GitHub in GITHUB_ORG when GITHUB_TOKEN is set", () => {
    const host = createGitHost(parseEnv({ GITHUB_TOKEN: "ghp_x", GITHUB_ORG: "acme", GITHUB_API_URL: "https://ghe.example.com/api/v3" }));
    expect(host).toBeInstanceOf(GitHubGitHost);
    expect(host).toMatchObject({ kind: "github", defaultOwner: "acme" });
  });

  it("says what is missing when a token comes without an organisation, when the configuration is read", () => {
    expect(() => parseEnv({ GITHUB_TOKEN: "ghp_x" })).toThrow(/GITHUB_ORG: must be set with GITHUB_TOKEN/);
  });
});
