// GET/POST /api/auth/*: Auth.js sign-in, callback, session and sign-out endpoints; the sign-in and
// callback endpoints are rate limited per client address (429 with Retry-After beyond).
import { handlers } from "@/lib/core/auth/next-auth";
import { withSignInLimit } from "@/lib/core/auth/sign-in";

export const GET = withSignInLimit(handlers.GET);
export const POST = withSignInLimit(handlers.POST);
