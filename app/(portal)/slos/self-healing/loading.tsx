import { Skeleton } from "@/components/ui/skeleton";

export default function Loading() {
  return (
    <div className="space-y-6" aria-busy="true" aria-label="Loading self-healing's settings">
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
      <Skeleton className="h-24" />
      <Skeleton className="h-20" />
      <Skeleton className="h-44" />
      <Skeleton className="h-40" />
      <Skeleton className="h-64" />
    </div>
  );
}
