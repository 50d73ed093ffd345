// GET /api/v1/users: people and their roles. POST /api/v1/users: add a person.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createUser, createUserContract, listUsers, listUsersContract } from "@/lib/org";

export const GET = handle(listUsersContract, async () => ({ items: await listUsers(db()) }));
export const POST = handle(createUserContract, ({ actor, body, requestId }) => createUser(actor, body, requestId));
