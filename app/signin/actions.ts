"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/lib/core/auth/next-auth";
import { safeRedirectPath } from "@/lib/core/auth/redirect";

export async function demoSignInAction(formData: FormData): Promise<void> {
  const login = String(formData.get("login") ?? "");
  const next = safeRedirectPath(String(formData.get("next") ?? "/"));
  try {
    await signIn("demo", { login, redirectTo: next });
  } catch (e) {
    // signIn redirects by throwing; only real sign-in failures are AuthErrors.
    if (e instanceof AuthError) {
      const error = e instanceof CredentialsSignin && e.code === "rate_limited" ? "rate_limited" : "demo_unavailable";
      redirect(`/signin?error=${error}&next=${encodeURIComponent(next)}`);
    }
    throw e;
  }
}

export async function githubSignInAction(formData: FormData): Promise<void> {
  const next = safeRedirectPath(String(formData.get("next") ?? "/"));
  await signIn("github", { redirectTo: next });
}
