// The Delivery section's tabs: the environments matrix, the deployment timeline, and the
// environments' settings with the GitOps repository.
import Link from "next/link";
import { cn } from "@/components/ui/cn";

const TABS = [
  { id: "matrix", href: "/delivery", label: "Matrix" },
  { id: "timeline", href: "/delivery/timeline", label: "Timeline" },
  { id: "environments", href: "/delivery/environments", label: "Environments" },
] as const;

export function DeliveryNav({ active }: { active: (typeof TABS)[number]["id"] }) {
  return (
    <nav aria-label="Delivery sections" className="flex gap-1 overflow-x-auto border-b border-border" data-testid="delivery-nav">
      {TABS.map((t) => (
        <Link
          key={t.id}
          href={t.href}
          aria-current={active === t.id ? "page" : undefined}
          className={cn(
            "-mb-px whitespace-nowrap border-b-2 px-3 py-2 text-sm font-medium transition-colors",
            active === t.id ? "border-accent text-foreground" : "border-transparent text-muted hover:text-foreground",
          )}
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
