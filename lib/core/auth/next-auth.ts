// Sign-in with Auth.js (next-auth v5): GitHub OAuth when AUTH_GITHUB_ID/SECRET are set, and in
// sandbox mode a demo sign-in (no password) for the seeded demo users. Sessions are JWTs that
// carry only the Paved user id; roles are read from the database on every request.
import { randomUUID } from "node:crypto";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import { z } from "zod";
import { env } from "../env.ts";
import { logger } from "../logger.ts";
import { RateLimitedError } from "../http/rate-limit.ts";
import { findDemoUser, isGithubUserAllowed, limitSignInAttempt, recordSignIn, recordSignOut, upsertGithubUser, type GithubProfile } from "./sign-in.ts";

declare module "@auth/core/jwt" {
  interface JWT {
    uid?: string;
    /** This browser session's id: signing out revokes it (see revoked_sessions). */
    sid?: string;
  }
}

declare module "@auth/core/types" {
  interface Session {
    sid?: string;
  }
}

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

class DemoSignInRefused extends CredentialsSignin {
  override code = "demo_unavailable";
}

/** Too many sign-in attempts for this login or from this address (SIGN_IN_LIMITS). */
export class SignInRateLimited extends CredentialsSignin {
  override code = "rate_limited";
}

function buildConfig(): NextAuthConfig {
  const e = env();
  const providers: NextAuthConfig["providers"] = [];
  if (e.github.oauth) {
    providers.push(GitHub({ clientId: e.github.oauth.id, clientSecret: e.github.oauth.secret }));
  }
  // The demo provider does not exist at all outside sandbox mode.
  if (e.sandbox) {
    providers.push(
      Credentials({
        id: "demo",
        name: "Demo user",
        credentials: { login: { label: "Login", type: "text" } },
        async authorize(credentials, request) {
          const parsed = z.object({ login: z.string().min(1).max(64) }).safeParse(credentials);
          if (!parsed.success) throw new DemoSignInRefused();
          try {
            await limitSignInAttempt(parsed.data.login, request.headers);
          } catch (e) {
            if (e instanceof RateLimitedError) throw new SignInRateLimited();
            throw e;
          }
          const user = await findDemoUser(parsed.data.login);
          if (!user) throw new DemoSignInRefused();
          return user;
        },
      }),
    );
  }
  return {
    secret: e.authSecret,
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    logger: {
      error: (error) => logger.warn({ err: error.message, name: error.name }, "auth error"),
      warn: (code) => logger.debug({ code }, "auth warning"),
      debug: () => {},
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (account?.provider === "github" && profile?.id !== undefined && profile.id !== null) {
          return isGithubUserAllowed(String(profile.id));
        }
        return true;
      },
      async jwt({ token, user, account, profile, trigger }) {
        if (trigger === "signIn" && account) {
          token.sid = randomUUID();
          if (account.provider === "github" && profile) {
            token.uid = await upsertGithubUser(profile as unknown as GithubProfile);
            await recordSignIn(token.uid, "github");
          } else if (account.provider === "demo" && user?.id) {
            token.uid = user.id;
            await recordSignIn(token.uid, "demo");
          }
        }
        return token;
      },
      async session({ session, token }) {
        if (token.uid) session.user.id = token.uid;
        if (token.sid) session.sid = token.sid;
        return session;
      },
      authorized({ auth, request }) {
        // Pages need a session; API routes answer 401 themselves (see lib/core/http).
        const { pathname } = request.nextUrl;
        if (pathname === "/signin" || pathname.startsWith("/api/")) return true;
        return Boolean(auth?.user);
      },
    },
    events: {
      async signOut(message) {
        const token = "token" in message ? message.token : undefined;
        if (token?.uid) await recordSignOut(token.uid, token.sid, SESSION_MAX_AGE_SECONDS);
      },
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => buildConfig());

/** Which sign-in methods this deployment offers (for the sign-in page). */
export function signInMethods(): { github: boolean; demo: boolean } {
  const e = env();
  return { github: Boolean(e.github.oauth), demo: e.sandbox };
}
