// GET /api/v1/me: the caller, their roles and permissions.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { permissionsOf } from "@/lib/core/permissions";
import { getUserDto, meContract } from "@/lib/org";

export const GET = handle(meContract, async ({ actor }) => ({
  user: await getUserDto(db(), actor.userId ?? ""),
  permissions: permissionsOf(actor.grants),
  via: actor.kind === "token" ? ("token" as const) : ("session" as const),
}));
