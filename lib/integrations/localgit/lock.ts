// A lock file shared by every process that uses the sandbox's data folder (the web server and
// the workers), and atomic JSON writes. Readers never take the lock: a file is replaced by a
// rename, so a reader sees the old or the new content, never half of one.
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";

export class LockTimeoutError extends Error {
  constructor(readonly lockPath: string) {
    super(`timed out waiting for ${lockPath}`);
    this.name = "LockTimeoutError";
  }
}

export interface LockOptions {
  timeoutMs?: number;
  /** A lock older than this is taken to be left by a crashed process (nothing holds one for long). */
  staleMs?: number;
}

const HOST = hostname();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a lock file was left behind by a process that is gone. */
async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, "utf8")]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    const holder = JSON.parse(text) as { host?: unknown; pid?: unknown };
    return holder.host === HOST && typeof holder.pid === "number" && !alive(holder.pid);
  } catch {
    // Gone meanwhile, or written only half a moment ago: not stale, try again.
    return false;
  }
}

/** Runs `fn` while holding `lockPath` (created exclusively; removed afterwards). */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const staleMs = options.staleMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      try {
        await handle.writeFile(JSON.stringify({ host: HOST, pid: process.pid, at: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    if (await isStale(lockPath, staleMs)) {
      // Move it aside rather than unlinking it in place, so that of two processes noticing the
      // same stale lock only one removes it.
      const aside = `${lockPath}.stale-${randomBytes(6).toString("hex")}`;
      await rename(lockPath, aside).then(
        () => rm(aside, { force: true }),
        () => undefined,
      );
      continue;
    }
    if (Date.now() > deadline) throw new LockTimeoutError(lockPath);
    await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    wait = Math.min(wait * 2, 50);
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/** Replaces `file` with `content` in one step (write a temporary file beside it, then rename). */
export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
