// The SLOs section's tabs: the overview of every SLO, the incidents (with how many are open) and
// self-healing's settings. A server component: the open count is read once here, then kept live
// by the tab's own poll.
import Link from "next/link";
import { cn } from "@/components/ui/cn";
import { OpenIncidentsCount } from "@/components/incidents/open-count";
import { db } from "@/lib/core/db/client";
import { logger } from "@/lib/core/logger";
import { listIncidents } from "@/lib/incidents";

const TABS = [
  { id: "overview", href: "/slos", label: "Overview" },
  { id: "incidents", href: "/slos/incidents", label: "Incidents" },
  { id: "self-healing", href: "/slos/self-healing", label: "Self-healing" },
] as const;

/** The count is a hint: a database hiccup leaves it to the poll instead of failing the page. */
async function openIncidents(): Promise<number | null> {
  try {
    return (await listIncidents(db(), { status: "open", from: new Date(0).toISOString(), limit: 1000 })).items.length;
  } catch (e) {
    logger.warn({ err: e }, "could not count the open incidents for the SLOs tabs");
    return null;
  }
}

export async function SlosNav({ active }: { active: (typeof TABS)[number]["id"] }) {
  const open = await openIncidents();
  return (
    <nav aria-label="SLOs sections" className="flex gap-1 overflow-x-auto border-b border-border" data-testid="slos-nav">
      {TABS.map((t) => (
        <Link
          key={t.id}
          href={t.href}
          aria-current={active === t.id ? "page" : undefined}
          className={cn(
            "-mb-px inline-flex items-center whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium transition-colors",
            active === t.id ? "border-accent text-foreground" : "border-transparent text-muted hover:text-foreground",
          )}
          data-testid={`slos-tab-${t.id}`}
        >
          {t.label}
          {t.id === "incidents" ? <OpenIncidentsCount initial={open} /> : null}
        </Link>
      ))}
    </nav>
  );
}
