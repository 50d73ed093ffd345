import { Activity, Boxes, FileClock, Gauge, LayoutDashboard, LibraryBig, Network, Rocket, Settings, ShieldCheck, type LucideIcon } from "lucide-react";
import type { Permission } from "@/lib/core/permissions";

export interface NavItem {
  href: string;
  label: string;
  icon: LucideIcon;
  /** Shown only to people with this permission. */
  permission?: Permission;
  description: string;
}

export const NAV: NavItem[] = [
  { href: "/", label: "Overview", icon: LayoutDashboard, description: "Your organisation at a glance" },
  { href: "/catalog", label: "Catalog", icon: LibraryBig, permission: "catalog.read", description: "Pipeline templates" },
  { href: "/services", label: "Services", icon: Network, permission: "services.read", description: "Services and their dependencies" },
  { href: "/delivery", label: "Delivery", icon: Rocket, permission: "delivery.read", description: "Environments and promotions" },
  { href: "/slos", label: "SLOs", icon: Gauge, permission: "slos.read", description: "Error budgets and incidents" },
  { href: "/governance", label: "Governance", icon: ShieldCheck, permission: "governance.read", description: "Policies and compliance" },
  { href: "/insights", label: "Insights", icon: Activity, permission: "insights.read", description: "Adoption and DORA metrics" },
  { href: "/audit", label: "Audit", icon: FileClock, permission: "audit.read", description: "Every change, hash-chained" },
  { href: "/settings", label: "Settings", icon: Settings, description: "Profile, tokens, teams, jobs" },
];

export const NAV_ICON_FALLBACK = Boxes;
