import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading the sandbox">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-3 w-28" />
        <Skeleton className="h-7 w-32" />
        <Skeleton className="h-4 w-[36rem] max-w-full" />
      </div>
      <div className="rounded-lg border border-border bg-surface">
        <div className="space-y-2 border-b border-border px-5 py-4">
          <Skeleton className="h-4 w-20" />
          <Skeleton className="h-4 w-[30rem] max-w-full" />
        </div>
        <div className="grid gap-6 p-5 lg:grid-cols-2">
          <Skeleton className="h-56" />
          <Skeleton className="h-56" />
        </div>
        <div className="space-y-2 border-t border-border p-5">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </div>
      </div>
      <Skeleton className="h-32" />
    </div>
  );
}
