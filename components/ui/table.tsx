import { flexRender, type Table as TanstackTable } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import type { HTMLAttributes, ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";

export function Table({ className, ...props }: HTMLAttributes<HTMLTableElement>) {
  return (
    <div className="w-full overflow-x-auto">
      <table className={cn("w-full border-collapse text-sm", className)} {...props} />
    </div>
  );
}

export function THead(props: HTMLAttributes<HTMLTableSectionElement>) {
  return <thead className="border-b border-border bg-surface-2/60 text-left text-xs font-medium uppercase tracking-wide text-subtle" {...props} />;
}

export function TBody(props: HTMLAttributes<HTMLTableSectionElement>) {
  return <tbody className="divide-y divide-border" {...props} />;
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return <th className={cn("px-4 py-2.5 font-medium whitespace-nowrap", className)} {...props} />;
}

export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("px-4 py-3 align-middle", className)} {...props} />;
}

export function Tr({ className, ...props }: HTMLAttributes<HTMLTableRowElement>) {
  return <tr className={cn("transition-colors hover:bg-surface-2/50", className)} {...props} />;
}

/** A column header that sorts on a click, with its direction shown and announced (aria-sort). */
export function SortableTh({ sorted, onToggle, children }: { sorted: "asc" | "desc" | false; onToggle: (event: unknown) => void; children: ReactNode }) {
  return (
    <Th aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none"}>
      <button className="inline-flex items-center gap-1 uppercase hover:text-foreground" onClick={onToggle}>
        {children}
        {sorted === "asc" ? <ArrowUp className="size-3" /> : sorted === "desc" ? <ArrowDown className="size-3" /> : <ArrowUpDown className="size-3 opacity-40" />}
      </button>
    </Th>
  );
}

/** The header rows of a TanStack table whose columns sort in the browser. */
export function SortableTHead<T>({ table }: { table: TanstackTable<T> }) {
  return (
    <THead>
      {table.getHeaderGroups().map((hg) => (
        <tr key={hg.id}>
          {hg.headers.map((h) => (
            <SortableTh key={h.id} sorted={h.column.getIsSorted()} onToggle={h.column.getToggleSortingHandler() ?? (() => {})}>
              {flexRender(h.column.columnDef.header, h.getContext())}
            </SortableTh>
          ))}
        </tr>
      ))}
    </THead>
  );
}
