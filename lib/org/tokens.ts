// Personal API tokens: each person manages their own. Another person's token answers 404.
import { transaction, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { generateApiToken } from "../core/auth/tokens.ts";
import { NotFoundError, UnauthenticatedError } from "../core/errors.ts";
import type { TokenDto } from "./schemas.ts";

type TokenRow = { id: string; name: string; prefix: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null; revokedAt: Date | null };

export function toTokenDto(t: TokenRow, now = new Date()): TokenDto {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    status: t.revokedAt ? "revoked" : t.expiresAt && t.expiresAt <= now ? "expired" : "active",
  };
}

function ownerId(actor: Actor): string {
  if (!actor.userId) throw new UnauthenticatedError("Only people have API tokens.");
  return actor.userId;
}

export async function listTokens(db: Db, actor: Actor): Promise<TokenDto[]> {
  const rows = await db.apiToken.findMany({ where: { userId: ownerId(actor) }, orderBy: { createdAt: "desc" } });
  return rows.map((r) => toTokenDto(r));
}

export async function createToken(
  actor: Actor,
  input: { name: string; expiresInDays: number | null },
  requestId?: string,
): Promise<TokenDto & { token: string }> {
  const userId = ownerId(actor);
  const { token, prefix, hash } = generateApiToken();
  const expiresAt = input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * 86_400_000);
  return transaction(async (tx) => {
    const row = await tx.apiToken.create({ data: { userId, name: input.name, prefix, tokenHash: hash, expiresAt } });
    await recordAudit(tx, actor, {
      action: "token.created",
      target: { type: "api_token", id: row.id, label: `${input.name} (${prefix}…)` },
      payload: { name: input.name, prefix, expiresAt: expiresAt?.toISOString() ?? null },
      requestId,
    });
    return { ...toTokenDto(row), token };
  });
}

export async function revokeToken(actor: Actor, id: string, requestId?: string): Promise<void> {
  const userId = ownerId(actor);
  await transaction(async (tx) => {
    const row = await tx.apiToken.findFirst({ where: { id, userId } });
    if (!row) throw new NotFoundError("API token", id);
    if (row.revokedAt) return;
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, {
      action: "token.revoked",
      target: { type: "api_token", id, label: `${row.name} (${row.prefix}…)` },
      payload: { name: row.name, prefix: row.prefix },
      requestId,
    });
  });
}

/** `npm run token -- --user <login>`: a token for scripts and CI, issued from the command line. */
export async function issueTokenFromCli(
  db: Db,
  input: { login: string; name: string; expiresInDays: number | null },
): Promise<{ token: string; expiresAt: string | null }> {
  const user = await db.user.findUnique({ where: { login: input.login.toLowerCase() } });
  if (!user) throw new NotFoundError("User", input.login);
  if (user.disabledAt) throw new UnauthenticatedError(`User "${input.login}" is disabled.`);
  const { token, prefix, hash } = generateApiToken();
  const expiresAt = input.expiresInDays === null ? null : new Date(Date.now() + input.expiresInDays * 86_400_000);
  await db.$transaction(async (tx) => {
    const row = await tx.apiToken.create({ data: { userId: user.id, name: input.name, prefix, tokenHash: hash, expiresAt } });
    await recordAudit(
      tx,
      { kind: "system", userId: null, login: "paved-cli", name: "Paved CLI", avatarUrl: null, isDemo: false, grants: [] },
      {
        action: "token.created",
        target: { type: "api_token", id: row.id, label: `${input.name} (${prefix}…)` },
        payload: { name: input.name, prefix, for: user.login, via: "cli", expiresAt: expiresAt?.toISOString() ?? null },
      },
    );
  });
  return { token, expiresAt: expiresAt?.toISOString() ?? null };
}
