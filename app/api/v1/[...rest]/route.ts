// Any other /api/v1 path: a JSON 404 in the API's error shape, whatever the method.
import { notFoundRoute } from "@/lib/core/http/not-found";

export const GET = notFoundRoute;
export const POST = notFoundRoute;
export const PUT = notFoundRoute;
export const PATCH = notFoundRoute;
export const DELETE = notFoundRoute;
