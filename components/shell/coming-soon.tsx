import type { LucideIcon } from "lucide-react";
import { Construction } from "lucide-react";
import { PageHeader } from "@/components/ui/page-header";

/**
 * A section that later work fills in. It says plainly what is coming and shows no made-up data.
 */
export function ComingSoon({ title, description, icon: Icon, items, note }: { title: string; description: string; icon: LucideIcon; items: { title: string; text: string }[]; note?: string }) {
  return (
    <div>
      <PageHeader title={title} description={description} />
      <div className="rounded-lg border border-dashed border-border-strong bg-surface" data-testid="coming-soon">
        <div className="flex items-start gap-4 border-b border-border px-6 py-5">
          <div className="rounded-md bg-accent-soft p-2.5 text-accent">
            <Icon className="size-5" aria-hidden />
          </div>
          <div>
            <div className="flex items-center gap-2 text-sm font-semibold">
              <Construction className="size-4 text-warning" aria-hidden /> Not built yet
            </div>
            <p className="mt-1 text-sm text-muted">
              {note ?? "This section arrives in a coming release. Here is what it will do; nothing on this page is sample data."}
            </p>
          </div>
        </div>
        <ul className="grid gap-px bg-border sm:grid-cols-2">
          {items.map((item) => (
            <li key={item.title} className="bg-surface px-6 py-4">
              <h3 className="text-sm font-medium">{item.title}</h3>
              <p className="mt-1 text-sm text-muted">{item.text}</p>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
