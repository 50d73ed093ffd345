// The sandbox's demo repositories: one per demo service (demo/<service>), with a small tree of the
// service's kind, so that there is something to instantiate templates into, to preview diffs
// against and to scan for adoption. A few already call a catalog workflow
// (`uses: paved/templates/.github/workflows/<template>.yml@<ref>`).
import type { RepoInfo } from "../../core/ports/git-host.ts";
import { LocalGitHost, SANDBOX_OWNER } from "./git-host.ts";

export interface SandboxRepoSeed {
  /** Default: "demo". */
  owner?: string;
  name: string;
  description?: string;
  /** Path → content of the first commit. */
  files: Record<string, string>;
}

/**
 * Creates each repository that does not exist yet, with its files in one first commit on main,
 * and returns the ones it created ("owner/name"). A plain string is a demo service's name: its
 * repository demo/<name> gets the demo tree of demoSandboxRepos. Idempotent, and safe to run
 * from several processes at once (a repository appears complete or not at all). Repositories
 * that exist are left as they are, whatever their content.
 */
export async function seedSandboxRepos(dataDir: string, repos: readonly (string | SandboxRepoSeed)[]): Promise<string[]> {
  const host = new LocalGitHost({ dataDir });
  const created: string[] = [];
  const queue = repos.map((r) => (typeof r === "string" ? demoSandboxRepo({ name: r }) : r));
  // A few at a time: each is a handful of short git processes.
  const worker = async () => {
    for (let seed = queue.shift(); seed; seed = queue.shift()) {
      const ref = { owner: seed.owner ?? SANDBOX_OWNER, name: seed.name };
      const info: RepoInfo | null = await host.createWithFiles(ref, seed.files, { description: seed.description ?? null, private: true, message: "Initial commit" });
      if (info) created.push(info.fullName);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return created.sort();
}

type Kind = "dotnet" | "node" | "python" | "infra";

/** Which kind of code each demo service is, and which (if any) catalog workflow it already calls. */
const DEMO_KINDS: Record<string, { kind: Kind; catalog?: { template: string; ref: string } }> = {
  "backend-api": { kind: "dotnet" },
  frontend: { kind: "node" },
  "worker-service": { kind: "dotnet", catalog: { template: "dotnet-ci-cd", ref: "v1" } },
  database: { kind: "infra" },
  "message-broker": { kind: "infra" },
  "auth-service": { kind: "dotnet" },
  "api-gateway": { kind: "infra" },
  ledger: { kind: "dotnet" },
  "payments-gateway": { kind: "dotnet", catalog: { template: "dotnet-ci-cd", ref: "v1" } },
  "fraud-detection": { kind: "python" },
  "catalog-service": { kind: "node", catalog: { template: "node-ci-cd", ref: "v1" } },
  "search-service": { kind: "python" },
  "checkout-web": { kind: "node" },
  "notification-service": { kind: "node" },
};

/** "backend-api" → "BackendApi" */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join("");
}

function readme(name: string, description: string, body: string): string {
  return `# ${name}\n\n${description}\n\n${body}\n`;
}

function dotnetFiles(name: string): Record<string, string> {
  const project = pascal(name);
  return {
    [`${project}.sln`]: `Microsoft Visual Studio Solution File, Format Version 12.00\nProject("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "${project}", "src\\${project}\\${project}.csproj", "{00000000-0000-0000-0000-000000000001}"\nEndProject\nProject("{9A19103F-16F7-4668-BE54-9A1E7A4F7556}") = "${project}.Tests", "tests\\${project}.Tests\\${project}.Tests.csproj", "{00000000-0000-0000-0000-000000000002}"\nEndProject\n`,
    [`src/${project}/${project}.csproj`]: `<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n    <Nullable>enable</Nullable>\n    <ImplicitUsings>enable</ImplicitUsings>\n  </PropertyGroup>\n</Project>\n`,
    [`src/${project}/Program.cs`]: `var builder = WebApplication.CreateBuilder(args);\nvar app = builder.Build();\n\napp.MapGet("/health", () => Results.Ok(new { status = "ok" }));\n\napp.Run();\n`,
    [`src/${project}/appsettings.json`]: `{\n  "Logging": { "LogLevel": { "Default": "Information" } },\n  "AllowedHosts": "*"\n}\n`,
    [`tests/${project}.Tests/${project}.Tests.csproj`]: `<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n    <IsPackable>false</IsPackable>\n  </PropertyGroup>\n  <ItemGroup>\n    <PackageReference Include="xunit" Version="2.9.0" />\n    <ProjectReference Include="..\\..\\src\\${project}\\${project}.csproj" />\n  </ItemGroup>\n</Project>\n`,
    [`tests/${project}.Tests/HealthTests.cs`]: `namespace ${project}.Tests;\n\npublic class HealthTests\n{\n    [Fact]\n    public void Passes() => Assert.True(true);\n}\n`,
  };
}

/** A hand-written pipeline, as a team has before it adopts a catalog template. */
function handWrittenDotnetCi(): string {
  return `name: CI\n\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-dotnet@v4\n        with:\n          dotnet-version: 8.0.x\n      - run: dotnet restore\n      - run: dotnet build --no-restore --configuration Release\n      - run: dotnet test --no-build --configuration Release\n`;
}

function catalogCaller(template: string, ref: string, kind: Kind): string {
  const inputs =
    kind === "dotnet"
      ? `      dotnet-version: 8.0.x\n      environment: staging\n      run-tests: true\n    secrets:\n      AZURE_CREDENTIALS: \${{ secrets.AZURE_CREDENTIALS }}\n`
      : `      environment: staging\n`;
  return `name: CI/CD\n\non:\n  push:\n    branches: [main]\n  pull_request:\n\njobs:\n  pipeline:\n    uses: paved/templates/.github/workflows/${template}.yml@${ref}\n    with:\n${inputs}`;
}

function nodeFiles(name: string): Record<string, string> {
  return {
    "package.json": `${JSON.stringify(
      {
        name,
        version: "1.4.0",
        private: true,
        type: "module",
        scripts: { build: "tsc -p .", test: "node --test", start: "node dist/index.js" },
        dependencies: { express: "4.21.2" },
        devDependencies: { typescript: "5.9.3" },
      },
      null,
      2,
    )}\n`,
    "tsconfig.json": `{\n  "compilerOptions": { "target": "ES2022", "module": "NodeNext", "outDir": "dist", "strict": true },\n  "include": ["src"]\n}\n`,
    "src/index.ts": `import express from "express";\n\nconst app = express();\napp.get("/health", (_req, res) => res.json({ status: "ok" }));\napp.listen(Number(process.env.PORT ?? 3000));\n`,
  };
}

function pythonFiles(name: string): Record<string, string> {
  const pkg = name.replace(/-/g, "_");
  return {
    "pyproject.toml": `[project]\nname = "${name}"\nversion = "0.9.0"\nrequires-python = ">=3.11"\ndependencies = ["fastapi==0.115.0", "uvicorn==0.30.6"]\n`,
    [`${pkg}/__init__.py`]: "",
    [`${pkg}/main.py`]: `from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/health")\ndef health() -> dict[str, str]:\n    return {"status": "ok"}\n`,
    "tests/test_health.py": `from fastapi.testclient import TestClient\n\nfrom ${pkg}.main import app\n\n\ndef test_health() -> None:\n    assert TestClient(app).get("/health").json() == {"status": "ok"}\n`,
  };
}

function infraFiles(name: string): Record<string, string> {
  return {
    "deploy/values.yaml": `replicaCount: 2\nimage:\n  repository: registry.example.com/${name}\n  tag: "1.0.0"\nresources:\n  requests: { cpu: 100m, memory: 128Mi }\n`,
    "deploy/Chart.yaml": `apiVersion: v2\nname: ${name}\nversion: 1.0.0\nappVersion: "1.0.0"\n`,
  };
}

/**
 * The demo organisation's repositories: `demo/<service>` for each service given (prisma/seed's
 * DEMO_SERVICES). Services not known here get a small generic tree.
 */
export function demoSandboxRepos(services: readonly { name: string; description?: string }[]): SandboxRepoSeed[] {
  return services.map(demoSandboxRepo);
}

function demoSandboxRepo(service: { name: string; description?: string }): SandboxRepoSeed {
  {
    const spec = DEMO_KINDS[service.name] ?? { kind: "infra" as Kind };
    const files: Record<string, string> =
      spec.kind === "dotnet" ? dotnetFiles(service.name) : spec.kind === "node" ? nodeFiles(service.name) : spec.kind === "python" ? pythonFiles(service.name) : infraFiles(service.name);
    if (spec.catalog) {
      files[".github/workflows/ci-cd.yml"] = catalogCaller(spec.catalog.template, spec.catalog.ref, spec.kind);
    } else if (spec.kind === "dotnet") {
      files[".github/workflows/ci.yml"] = handWrittenDotnetCi();
    }
    if (service.name === "backend-api") files["migrations/db-migration.sql"] = "CREATE TABLE IF NOT EXISTS payments (id uuid PRIMARY KEY, amount_cents bigint NOT NULL);\n";
    if (service.name === "ledger") files["migrations/ledger-schema.sql"] = "CREATE TABLE IF NOT EXISTS entries (id bigserial PRIMARY KEY, account text NOT NULL, amount_cents bigint NOT NULL);\n";
    const description = service.description ?? `The ${service.name} service of Paved's demo organisation.`;
    files["README.md"] = readme(service.name, description, "A sandbox repository: its commits, branches and pull requests are real git, kept in Paved's data folder.");
    return { owner: SANDBOX_OWNER, name: service.name, description, files };
  }
}
