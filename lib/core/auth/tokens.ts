// Personal API tokens: "pvd_" + 40 url-safe characters (240 bits). Only the sha256 is stored;
// the token itself is shown once, when it is created.
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "pvd_";
const TOKEN_PATTERN = /^pvd_[A-Za-z0-9_-]{40}$/;

export function generateApiToken(): { token: string; prefix: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(30).toString("base64url");
  return { token, prefix: token.slice(0, TOKEN_PREFIX.length + 6), hash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function looksLikeApiToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}
