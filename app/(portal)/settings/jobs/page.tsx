import type { Metadata } from "next";
import { JobsPanel } from "@/components/settings/jobs-panel";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { listJobs } from "@/lib/core/jobs/inspect";

export const metadata: Metadata = { title: "Jobs" };

export default async function JobsPage() {
  const actor = await requireActor();
  if (!can(actor, "jobs.read")) return <NoAccess permission="jobs.read" />;
  return <JobsPanel initial={await listJobs({ limit: 100 })} canManage={can(actor, "jobs.manage")} />;
}
