// AUTH_SECRET for a single-machine install: generated once and kept in the data folder (0600),
// so sessions survive restarts. Deployments with several instances set AUTH_SECRET themselves.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export async function loadOrCreateAuthSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) {
    const secret = (await readFile(file, "utf8")).trim();
    if (secret.length >= 32) return secret;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret + "\n", { mode: 0o600 });
  return secret;
}
