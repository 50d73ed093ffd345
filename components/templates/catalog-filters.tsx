"use client";

import { Search } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";
import { Input, NativeSelect } from "@/components/ui/input";
import { TYPE_META } from "./meta";

/** Search, filters and sort of the catalog, kept in the URL (shareable, server-rendered). */
export function CatalogFilters({ tags, owners }: { tags: string[]; owners: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [q, setQ] = useState(params.get("q") ?? "");
  const [pending, startTransition] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    startTransition(() => router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false }));
  };

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div className="flex flex-wrap items-center gap-3" aria-busy={pending}>
      <div className="relative min-w-64 flex-1">
        <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-subtle" aria-hidden />
        <Input
          type="search"
          aria-label="Search templates"
          placeholder="Search name, description, tags…"
          className="pl-9"
          value={q}
          data-testid="catalog-search"
          onChange={(e) => {
            const value = e.target.value;
            setQ(value);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => update("q", value.trim()), 200);
          }}
        />
      </div>
      <NativeSelect aria-label="Type" className="w-44" value={params.get("type") ?? ""} onChange={(e) => update("type", e.target.value)} data-testid="catalog-type">
        <option value="">All types</option>
        {Object.entries(TYPE_META).map(([value, meta]) => (
          <option key={value} value={value}>
            {meta.label}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect aria-label="Lifecycle" className="w-36" value={params.get("lifecycle") ?? ""} onChange={(e) => update("lifecycle", e.target.value)}>
        <option value="">Any lifecycle</option>
        {["experimental", "stable", "deprecated", "retired"].map((l) => (
          <option key={l} value={l}>
            {l}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect aria-label="Owner" className="w-36" value={params.get("owner") ?? ""} onChange={(e) => update("owner", e.target.value)}>
        <option value="">Any owner</option>
        {owners.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect aria-label="Tag" className="w-36" value={params.get("tag") ?? ""} onChange={(e) => update("tag", e.target.value)}>
        <option value="">Any tag</option>
        {tags.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </NativeSelect>
      <NativeSelect aria-label="Sort" className="w-40" value={params.get("sort") ?? "name"} onChange={(e) => update("sort", e.target.value === "name" ? "" : e.target.value)}>
        <option value="name">Sort: name</option>
        <option value="usage">Sort: most used</option>
        <option value="updated">Sort: recently updated</option>
      </NativeSelect>
    </div>
  );
}
