"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState, type ReactNode } from "react";
import { FlaskConical, Menu, X } from "lucide-react";
import { cn } from "@/components/ui/cn";
import { NAV } from "./nav";
import { UserMenu, type ShellUser } from "./user-menu";
import type { Permission } from "@/lib/core/permissions";

export function AppShell({ user, permissions, sandbox, children }: { user: ShellUser; permissions: Permission[]; sandbox: boolean; children: ReactNode }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const items = NAV.filter((n) => !n.permission || permissions.includes(n.permission));
  const isActive = (href: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

  return (
    <div className="min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:fixed focus:left-4 focus:top-4 focus:z-50 focus:rounded-md focus:bg-surface focus:px-3 focus:py-2 focus:shadow">
        Skip to content
      </a>
      <div className="flex">
        <aside
          className={cn(
            "fixed inset-y-0 left-0 z-40 flex w-60 flex-col border-r border-border bg-surface transition-transform lg:sticky lg:top-0 lg:h-screen lg:translate-x-0",
            open ? "translate-x-0" : "-translate-x-full",
          )}
        >
          <div className="flex h-14 items-center gap-2 border-b border-border px-4">
            {/* eslint-disable-next-line @next/next/no-img-element -- a static local SVG */}
            <img src="/icon.svg" alt="" width={24} height={24} />
            <span className="text-base font-semibold tracking-tight">Paved</span>
            <button className="ml-auto rounded p-1 text-muted hover:bg-surface-2 lg:hidden" onClick={() => setOpen(false)} aria-label="Close navigation">
              <X className="size-4" />
            </button>
          </div>
          <nav className="flex-1 overflow-y-auto px-2 py-3" aria-label="Main navigation">
            <ul className="space-y-0.5">
              {items.map((item) => {
                const active = isActive(item.href);
                return (
                  <li key={item.href}>
                    <Link
                      href={item.href}
                      onClick={() => setOpen(false)}
                      aria-current={active ? "page" : undefined}
                      className={cn(
                        "group flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
                        active ? "bg-accent-soft text-accent" : "text-muted hover:bg-surface-2 hover:text-foreground",
                      )}
                    >
                      <item.icon className="size-4 shrink-0" aria-hidden />
                      {item.label}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </nav>
          <div className="border-t border-border p-2">
            <UserMenu user={user} />
          </div>
        </aside>
        {open ? <div className="fixed inset-0 z-30 bg-black/30 lg:hidden" onClick={() => setOpen(false)} aria-hidden /> : null}
        <div className="min-w-0 flex-1">
          {sandbox ? (
            <div role="note" data-testid="sandbox-banner" className="flex items-center justify-center gap-2 bg-sandbox px-4 py-1.5 text-xs font-medium text-sandbox-foreground">
              <FlaskConical className="size-3.5" aria-hidden />
              Sandbox mode: demo organisation, local git repositories and a simulated cluster. Nothing here reaches GitHub, Argo CD or Prometheus.
            </div>
          ) : null}
          <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-border bg-surface/90 px-4 backdrop-blur lg:hidden">
            <button className="rounded-md p-1.5 text-muted hover:bg-surface-2" onClick={() => setOpen(true)} aria-label="Open navigation">
              <Menu className="size-5" />
            </button>
            <span className="font-semibold">Paved</span>
          </header>
          <main id="main" className="mx-auto w-full max-w-7xl px-4 py-8 sm:px-6 lg:px-10">
            {children}
          </main>
        </div>
      </div>
    </div>
  );
}
