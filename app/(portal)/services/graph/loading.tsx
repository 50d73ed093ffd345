import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading the dependency graph">
      <div className="mb-6 space-y-2">
        <Skeleton className="h-3 w-16" />
        <Skeleton className="h-7 w-48" />
        <Skeleton className="h-4 w-[32rem] max-w-full" />
      </div>
      <div className="flex flex-wrap gap-2">
        <Skeleton className="h-9 w-64" />
        <Skeleton className="h-7 w-20 rounded-full" />
        <Skeleton className="h-7 w-24 rounded-full" />
        <Skeleton className="h-7 w-24 rounded-full" />
      </div>
      <div className="flex h-[calc(100vh-18rem)] min-h-[520px] overflow-hidden rounded-lg border border-border bg-surface">
        <div className="relative flex-1">
          {[0, 1, 2, 3].map((col) => (
            <div key={col} className="absolute top-10 space-y-6" style={{ left: `${6 + col * 22}%` }}>
              {Array.from({ length: 3 - (col % 2) }, (_, i) => (
                <Skeleton key={i} className="h-16 w-40" />
              ))}
            </div>
          ))}
        </div>
        <div className="hidden w-80 space-y-3 border-l border-border p-4 md:block">
          <Skeleton className="h-4 w-40" />
          <Skeleton className="h-4 w-56" />
          <Skeleton className="h-4 w-48" />
        </div>
      </div>
    </div>
  );
}
