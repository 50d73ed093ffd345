// The signed-in actor for server components and server actions (read once per request).
import { cache } from "react";
import { redirect } from "next/navigation";
import { db } from "../db/client.ts";
import { auth } from "./next-auth.ts";
import { loadActorForSession, type Actor } from "./actor.ts";

export const getCurrentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const uid = session?.user?.id;
  if (!uid) return null;
  return loadActorForSession(db(), { uid, sid: session.sid });
});

/** The actor, or a redirect to the sign-in page. */
export async function requireActor(): Promise<Actor> {
  const actor = await getCurrentActor();
  if (!actor) redirect("/signin");
  return actor;
}
