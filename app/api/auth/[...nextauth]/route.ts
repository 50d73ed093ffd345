// GET/POST /api/auth/*: Auth.js sign-in, callback, session and sign-out endpoints.
import { handlers } from "@/lib/core/auth/next-auth";

export const { GET, POST } = handlers;
