import Link from "next/link";

export default function NotFound() {
  return (
    <div className="flex min-h-screen flex-col items-center justify-center gap-3 px-4 text-center">
      <p className="text-sm font-medium text-accent">404</p>
      <h1 className="text-2xl font-semibold">This page does not exist</h1>
      <p className="max-w-md text-sm text-muted">The link may be old, or the section may not be built yet.</p>
      <Link href="/" className="mt-2 text-sm text-accent hover:underline">
        Back to the overview
      </Link>
    </div>
  );
}
