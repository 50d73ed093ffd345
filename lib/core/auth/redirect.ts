/**
 * A same-site path to go to after signing in. Accepts a path or an absolute URL (Auth.js sends
 * `callbackUrl` absolute) and keeps only its path, so a sign-in can never redirect off-site.
 */
export function safeRedirectPath(value: string | null | undefined): string {
  if (!value) return "/";
  let path = value;
  if (/^https?:\/\//i.test(value)) {
    try {
      const url = new URL(value);
      path = url.pathname + url.search;
    } catch {
      return "/";
    }
  }
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (path.startsWith("/signin") || path.startsWith("/api/auth")) return "/";
  return path;
}
