"use client";

// How many incidents are open, on the SLOs section's Incidents tab: the server's count first, then
// polled, so that a page that opens while someone reads the overview shows up without a reload.
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/api";
import type { IncidentDto } from "@/lib/incidents/schemas";

/** Every open incident, however old (the list's default window is the last 30 days). */
export const OPEN_INCIDENTS_QUERY = "status=open&from=1970-01-01T00:00:00.000Z&limit=1000";

export function OpenIncidentsCount({ initial }: { initial: number | null }) {
  const { data } = useQuery({
    queryKey: ["incidents", "open-count"],
    queryFn: async () => (await api<{ items: IncidentDto[] }>(`/api/v1/incidents?${OPEN_INCIDENTS_QUERY}`)).items.length,
    ...(initial !== null ? { initialData: initial } : {}),
    refetchInterval: 15_000,
  });
  if (!data) return null;
  return (
    <span
      className="ml-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-danger px-1.5 text-[11px] font-semibold leading-5 text-white tabular"
      title={`${data} open incident${data === 1 ? "" : "s"}`}
      data-testid="open-incidents-count"
    >
      {data >= 1000 ? "999+" : data}
    </span>
  );
}
