// Next 16's proxy (formerly middleware), for pages only (API routes answer 401 themselves and get
// their headers from next.config.mjs). Two jobs:
// - pages need a session: visitors without one are sent to /signin;
// - every page answer gets a Content-Security-Policy with a fresh nonce (and HSTS over TLS). The
//   CSP also goes onto the request, where Next.js reads the nonce and puts it on the scripts it
//   renders; `x-nonce` hands it to the root layout for the theme script.
// Runs on Node, so the auth configuration may use the database.
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { auth } from "@/lib/core/auth/next-auth";
import { env } from "@/lib/core/env";
import { cameOverTls, createNonce, pageSecurityHeaders } from "@/lib/core/http/security-headers";

/** Auth.js's own proxy (the `authorized` callback in next-auth.ts): a redirect to /signin, or "go on". */
const authorize = auth as unknown as (req: NextRequest, event: NextFetchEvent) => Promise<Response>;

export async function proxy(req: NextRequest, event: NextFetchEvent): Promise<Response> {
  const e = env();
  const nonce = createNonce();
  const headers = pageSecurityHeaders({
    nonce,
    dev: process.env.NODE_ENV === "development",
    githubSignIn: Boolean(e.github.oauth),
    tls: cameOverTls(req.headers, req.url, e.authUrl),
  });
  const authorized = await authorize(req, event);
  let res: Response = authorized;
  if (authorized.headers.get("x-middleware-next") === "1") {
    // Go on, handing the policy (and its nonce) to the page on the request; keep Auth.js's cookies.
    const forwarded = new Headers(req.headers);
    forwarded.set("x-nonce", nonce);
    forwarded.set("content-security-policy", headers["Content-Security-Policy"]);
    res = NextResponse.next({ request: { headers: forwarded } });
    for (const cookie of authorized.headers.getSetCookie()) res.headers.append("set-cookie", cookie);
  }
  for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
  return res;
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|icon.svg|robots.txt).*)"],
};
