// Production builds for `npm start`: a build is reused while the sources it was built from are
// unchanged (a content hash of app/, components/, lib/, prisma/schema.prisma and the configs),
// and rebuilt otherwise, so `git pull && npm start` never serves a stale build.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { spawn } from "node:child_process";

const ROOTS = ["app", "components", "lib", "public"];
const FILES = ["next.config.mjs", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "postcss.config.mjs", "proxy.ts", "prisma/schema.prisma"];
const SKIP = new Set(["generated", "node_modules"]);
const STAMP = ".next/paved-build.json";

async function walk(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (SKIP.has(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await walk(p, out);
    else if (!/\.test\.tsx?$/.test(e.name)) out.push(p);
  }
}

export async function sourceFingerprint(root = process.cwd()): Promise<string> {
  const files: string[] = [];
  for (const r of ROOTS) await walk(path.join(root, r), files);
  for (const f of FILES) if (existsSync(path.join(root, f))) files.push(path.join(root, f));
  files.sort();
  const hash = createHash("sha256");
  for (const f of files) {
    hash.update(path.relative(root, f));
    hash.update("\0");
    hash.update(await readFile(f));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export async function buildIsCurrent(root = process.cwd()): Promise<boolean> {
  if (!existsSync(path.join(root, ".next/BUILD_ID")) || !existsSync(path.join(root, STAMP))) return false;
  try {
    const stamp = JSON.parse(await readFile(path.join(root, STAMP), "utf8")) as { fingerprint?: string };
    return stamp.fingerprint === (await sourceFingerprint(root));
  } catch {
    return false;
  }
}

export async function runBuild(root = process.cwd()): Promise<void> {
  const fingerprint = await sourceFingerprint(root);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (exit ${code})`))));
    child.on("error", reject);
  });
  await writeFile(path.join(root, STAMP), JSON.stringify({ fingerprint, builtAt: new Date().toISOString(), ms: Date.now() - started }));
}

const LOCK = ".paved-build.lock";

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds unless the build is current. Two launchers starting at once (or a launcher and a test
 * run) must not write .next together: one builds, the other waits for it and reuses the result.
 */
export async function ensureBuild(root = process.cwd(), log: (line: string) => void = () => {}): Promise<"current" | "built"> {
  const lockPath = path.join(root, LOCK);
  for (;;) {
    if (await buildIsCurrent(root)) return "current";
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
    } catch {
      const holder = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (!holder || !pidAlive(holder)) {
        await rm(lockPath, { force: true });
        continue;
      }
      log(`waiting for the build running in process ${holder}…`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      if (await buildIsCurrent(root)) return "current";
      log("building the web app (first start, or sources changed)…");
      await runBuild(root);
      return "built";
    } finally {
      await rm(lockPath, { force: true });
    }
  }
}
