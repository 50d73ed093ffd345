import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FlaskConical } from "lucide-react";
import { GithubMark } from "@/components/ui/github-mark";
import { Avatar } from "@/components/ui/avatar";
import { Button } from "@/components/ui/button";
import { db } from "@/lib/core/db/client";
import { signInMethods } from "@/lib/core/auth/next-auth";
import { getCurrentActor } from "@/lib/core/auth/session";
import { safeRedirectPath } from "@/lib/core/auth/redirect";
import { ROLE_DEFINITIONS, roleFromDb } from "@/lib/core/permissions";
import { demoSignInAction, githubSignInAction } from "./actions";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  demo_unavailable: "That demo user cannot sign in. Demo sign-in exists only in sandbox mode, for the seeded demo users.",
  rate_limited: "Too many sign-in attempts for this user or from this address. Wait a minute, then try again.",
  AccessDenied: "Your account is disabled, or GitHub did not let Paved read your profile. Ask a platform admin.",
  Configuration: "Sign-in is misconfigured on this server. A platform admin can check AUTH_SECRET and the GitHub OAuth settings.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const next = safeRedirectPath(first(params.next) ?? first(params.callbackUrl));
  if (await getCurrentActor()) redirect(next);

  const methods = signInMethods();
  const demoUsers = methods.demo
    ? await db().user.findMany({
        where: { isDemo: true, disabledAt: null },
        include: { memberships: { include: { team: true } } },
        orderBy: { createdAt: "asc" },
      })
    : [];
  const errorKey = first(params.error);
  const error = errorKey ? (ERRORS[errorKey] ?? ERRORS[first(params.code) ?? ""] ?? "Sign-in failed. Try again.") : undefined;

  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-background px-4 py-12">
      <div className="w-full max-w-xl">
        <div className="mb-8 flex flex-col items-center text-center">
          {/* eslint-disable-next-line @next/next/no-img-element -- a static local SVG */}
          <img src="/icon.svg" alt="" width={44} height={44} />
          <h1 className="mt-4 text-2xl font-semibold tracking-tight">Sign in to Paved</h1>
          <p className="mt-1 text-sm text-muted">The paved road: templates, delivery, reliability and governance in one place.</p>
        </div>

        {error ? (
          <div data-testid="signin-error" className="mb-4 rounded-md border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger">
            {error}
          </div>
        ) : null}

        <div className="rounded-lg border border-border bg-surface p-6 shadow-sm">
          {methods.github ? (
            <form action={githubSignInAction}>
              <input type="hidden" name="next" value={next} />
              <Button type="submit" variant="secondary" size="lg" className="w-full">
                <GithubMark className="size-4" /> Sign in with GitHub
              </Button>
            </form>
          ) : null}

          {methods.github && methods.demo ? <div className="my-6 h-px bg-border" /> : null}

          {methods.demo ? (
            <section aria-labelledby="demo-heading">
              <div className="mb-3 flex items-center gap-2">
                <FlaskConical className="size-4 text-sandbox-foreground" aria-hidden />
                <h2 id="demo-heading" className="text-sm font-semibold">
                  Sandbox: sign in as a demo user
                </h2>
              </div>
              <p className="mb-4 text-sm text-muted">Each one holds a different role, so you can see Paved as teams, release managers, SREs and leadership do.</p>
              <ul className="grid gap-2 sm:grid-cols-2">
                {demoUsers.map((u) => {
                  const roles = u.memberships.map((m) => roleFromDb(m.role));
                  const team = u.memberships[0]?.team.name;
                  return (
                    <li key={u.id}>
                      <form action={demoSignInAction}>
                        <input type="hidden" name="login" value={u.login} />
                        <input type="hidden" name="next" value={next} />
                        <button
                          type="submit"
                          data-testid={`demo-user-${u.login}`}
                          className="flex w-full items-center gap-3 rounded-md border border-border px-3 py-2.5 text-left transition-colors hover:border-accent hover:bg-accent-soft/40 focus-visible:ring-2 focus-visible:ring-ring"
                        >
                          <Avatar name={u.name} login={u.login} size={32} />
                          <span className="min-w-0">
                            <span className="block text-sm font-medium">
                              {u.name} <span className="font-normal text-subtle">@{u.login}</span>
                            </span>
                            <span className="block truncate text-xs text-muted">
                              {roles.map((r) => ROLE_DEFINITIONS[r].title).join(", ")}
                              {team ? ` · ${team}` : ""}
                            </span>
                          </span>
                        </button>
                      </form>
                    </li>
                  );
                })}
              </ul>
              {demoUsers.length === 0 ? <p className="text-sm text-muted">No demo users yet: `npm start` seeds them into an empty database.</p> : null}
            </section>
          ) : null}

          {!methods.github && !methods.demo ? (
            <p className="text-sm text-muted" data-testid="no-signin-methods">
              No sign-in method is configured. Set <code className="font-mono">AUTH_GITHUB_ID</code> and <code className="font-mono">AUTH_GITHUB_SECRET</code> to
              enable GitHub sign-in (see the README).
            </p>
          ) : null}
        </div>
      </div>
    </div>
  );
}
