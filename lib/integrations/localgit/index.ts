// The sandbox's git hosting: local bare repositories in the data folder (see git-host.ts).
export { LocalGitHost, SANDBOX_OWNER, sandboxGitRoot, type LocalGitHostOptions } from "./git-host.ts";
export { demoSandboxRepos, seedSandboxRepos, type SandboxRepoSeed } from "./seed.ts";
