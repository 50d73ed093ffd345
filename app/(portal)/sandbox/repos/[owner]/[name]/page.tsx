import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FileCode2, FlaskConical } from "lucide-react";
import { Card, CardHeader } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { CodeView } from "@/components/code/code-view";
import { NoAccess } from "@/components/shell/no-access";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { gitHost } from "@/lib/integrations/git-host";

export const metadata: Metadata = { title: "Repository (sandbox)" };

export default async function SandboxRepoPage({ params, searchParams }: { params: Promise<{ owner: string; name: string }>; searchParams: Promise<{ path?: string; ref?: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  const { owner, name } = await params;
  const { path, ref } = await searchParams;
  const host = gitHost();
  if (host.kind !== "sandbox") notFound();
  const repo = await host.getRepo({ owner, name });
  if (!repo) notFound();
  const files = await host.listFiles(repo, ref);
  const open = path && files.includes(path) ? path : (files.find((f) => /^readme\.md$/i.test(f)) ?? files[0]);
  const content = open ? await host.readFile(repo, open, ref) : null;
  return (
    <div className="space-y-6">
      <div className="flex items-center gap-2 text-sm text-muted">
        <FlaskConical className="size-4 text-sandbox-foreground" aria-hidden /> Sandbox git repository
      </div>
      <h1 className="text-2xl font-semibold tracking-tight">
        {owner}/{name} <span className="text-base font-normal text-subtle">on {ref ?? repo.defaultBranch}</span>
      </h1>
      <div className="grid gap-6 lg:grid-cols-4">
        <Card className="lg:col-span-1">
          <CardHeader title={`Files (${files.length})`} />
          <ul className="max-h-[70vh] overflow-auto p-2 text-sm">
            {files.map((f) => (
              <li key={f}>
                <Link
                  href={`/sandbox/repos/${owner}/${name}?path=${encodeURIComponent(f)}${ref ? `&ref=${encodeURIComponent(ref)}` : ""}`}
                  className={cn("flex items-center gap-2 rounded px-2 py-1 font-mono text-xs", f === open ? "bg-accent-soft text-accent" : "text-muted hover:bg-surface-2")}
                >
                  <FileCode2 className="size-3.5 shrink-0" aria-hidden /> <span className="truncate">{f}</span>
                </Link>
              </li>
            ))}
          </ul>
        </Card>
        <Card className="lg:col-span-3">
          <CardHeader title={open ?? "Empty repository"} />
          <div className="p-3">{content !== null ? <CodeView content={content} className="max-h-[70vh]" /> : <p className="p-2 text-sm text-muted">No files yet.</p>}</div>
        </Card>
      </div>
    </div>
  );
}
