// Pages need a session: visitors without one are sent to /signin (API routes answer 401
// themselves). Runs on Node (Next 16's proxy), so the auth config may use the database.
export { auth as proxy } from "@/lib/core/auth/next-auth";

export const config = {
  matcher: ["/((?!api/|_next/|favicon.ico|icon.svg|robots.txt).*)"],
};
