import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading the incidents">
      <div>
        <div className="mb-6 space-y-2">
          <Skeleton className="h-7 w-32" />
          <Skeleton className="h-4 w-[40rem] max-w-full" />
        </div>
        <div className="flex gap-2 border-b border-border pb-2">
          {[0, 1, 2].map((i) => (
            <Skeleton key={i} className="h-6 w-24" />
          ))}
        </div>
      </div>
      <div className="rounded-lg border border-border bg-surface">
        <div className="flex flex-wrap gap-3 border-b border-border px-5 py-3">
          <Skeleton className="h-9 w-52" />
          <Skeleton className="h-9 w-44" />
          <Skeleton className="h-6 w-48 self-center rounded-full" />
        </div>
        <div className="space-y-2 p-5">
          {Array.from({ length: 8 }, (_, i) => (
            <Skeleton key={i} className="h-12" />
          ))}
        </div>
      </div>
    </div>
  );
}
