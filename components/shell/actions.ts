"use server";

import { signOut } from "@/lib/core/auth/next-auth";

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/signin" });
}
