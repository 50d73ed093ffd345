import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FileDiff, FlaskConical, GitPullRequest } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { DiffView } from "@/components/code/code-view";
import { Markdown } from "@/components/code/markdown";
import { relativeTime } from "@/components/audit/format";
import { NoAccess } from "@/components/shell/no-access";
import { MergeButton } from "@/components/templates/merge-button";
import { can } from "@/lib/core/auth/actor";
import { requireActor } from "@/lib/core/auth/session";
import { gitHost } from "@/lib/integrations/git-host";

export const metadata: Metadata = { title: "Pull request (sandbox)" };

export default async function SandboxPullRequestPage({ params }: { params: Promise<{ owner: string; name: string; number: string }> }) {
  const actor = await requireActor();
  if (!can(actor, "catalog.read")) return <NoAccess permission="catalog.read" />;
  const { owner, name, number } = await params;
  const host = gitHost();
  if (host.kind !== "sandbox" || !/^\d+$/.test(number)) notFound();
  const repo = { owner, name };
  const pr = await host.getPullRequest(repo, Number(number));
  if (!pr) notFound();
  const files = await host.listPullRequestFiles(repo, pr.number);
  return (
    <div className="space-y-6">
      <div className="flex items-center gap-2 text-sm text-muted">
        <FlaskConical className="size-4 text-sandbox-foreground" aria-hidden /> Sandbox git ·{" "}
        <Link href={`/sandbox/repos/${owner}/${name}`} className="text-accent hover:underline">
          {owner}/{name}
        </Link>
      </div>
      <div>
        <h1 className="text-2xl font-semibold tracking-tight" data-testid="pull-request-title">
          {pr.title} <span className="font-normal text-subtle">#{pr.number}</span>
        </h1>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm text-muted">
          <Badge tone={pr.state === "open" ? "success" : pr.state === "merged" ? "accent" : "neutral"}>
            <GitPullRequest className="size-3" aria-hidden /> {pr.state}
          </Badge>
          wants to merge <code className="rounded bg-surface-2 px-1.5 font-mono text-xs">{pr.head}</code> into{" "}
          <code className="rounded bg-surface-2 px-1.5 font-mono text-xs">{pr.base}</code> · opened {relativeTime(pr.createdAt)}
        </div>
      </div>
      {pr.state === "open" && can(actor, "templates.instantiate") ? (
        <div className="flex items-center gap-3 rounded-md border border-border bg-surface px-4 py-3 text-sm text-muted">
          <MergeButton owner={owner} name={name} number={pr.number} />
          In the sandbox you play the repository&apos;s maintainer: merging adopts the template, and Paved marks the instance as completed.
        </div>
      ) : null}
      {pr.body ? (
        <Card className="px-6 py-5">
          <Markdown>{pr.body}</Markdown>
        </Card>
      ) : null}
      <Card>
        <CardHeader title={`Files changed (${files.length})`} />
        <ul className="divide-y divide-border" data-testid="pull-request-files">
          {files.map((f) => (
            <li key={f.path} className="px-5 py-4">
              <div className="mb-2 flex items-center gap-2 text-sm">
                <FileDiff className="size-4 text-subtle" aria-hidden />
                <code className="font-mono text-xs font-medium">{f.path}</code>
                <Badge tone={f.status === "added" ? "success" : f.status === "removed" ? "danger" : "warning"}>{f.status}</Badge>
              </div>
              {f.patch ? <DiffView patch={f.patch} className="max-h-[60vh]" /> : <p className="text-sm text-subtle">No diff to show.</p>}
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
