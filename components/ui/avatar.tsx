import { cn } from "./cn";

const palette = ["#6366f1", "#0ea5e9", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6"];

export function Avatar({ name, login, src, size = 28, className }: { name: string; login: string; src?: string | null; size?: number; className?: string }) {
  const initials = name
    .split(/\s+/)
    .map((p) => p[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  const color = palette[[...login].reduce((a, c) => a + c.charCodeAt(0), 0) % palette.length];
  if (src) {
    // eslint-disable-next-line @next/next/no-img-element -- avatars come from GitHub; no image optimisation needed
    return <img src={src} alt="" width={size} height={size} className={cn("rounded-full", className)} />;
  }
  return (
    <span
      aria-hidden
      className={cn("inline-flex shrink-0 items-center justify-center rounded-full font-semibold text-white", className)}
      style={{ width: size, height: size, background: color, fontSize: size * 0.4 }}
    >
      {initials}
    </span>
  );
}
