"use client";

// The environments matrix: services × environments with what git pins, how the cluster is doing
// (health, sync, drift), the last deployment and a pending promotion. Polled every few seconds;
// the team filter and the "differs from the next environment" highlight live in the URL.
import { useQuery } from "@tanstack/react-query";
import { AlertTriangle, ArrowRight, GitBranch, GitCommitHorizontal, ShieldAlert } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { api } from "@/components/api";
import { relativeTime } from "@/components/audit/format";
import { StrategyBadge } from "@/components/services/strategy";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/components/ui/cn";
import { EmptyState } from "@/components/ui/empty-state";
import { NativeSelect } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import type { MatrixCell, MatrixDto } from "@/lib/delivery/schemas";
import type { Strategy } from "@/lib/services/schemas";
import { differsFromNext } from "./matrix-model";
import { HealthLabel, SyncLabel, imageTag, outcomeOf } from "./status";

export const MATRIX_POLL_MS = 4000;

export function matrixQueryKey(team: string) {
  return ["delivery", "matrix", team] as const;
}

export function fetchMatrix(team: string) {
  return api<MatrixDto>(`/api/v1/environments/matrix${team ? `?team=${encodeURIComponent(team)}` : ""}`);
}

/** The tag the service's own image runs, when the engine reports it first (not a sidecar's or a datastore's). */
function liveTag(service: string, image: string | null): string | null {
  const repo = image?.slice(0, image.lastIndexOf(":") > image.lastIndexOf("/") ? image.lastIndexOf(":") : undefined);
  return repo && repo.split("/").at(-1) === service ? imageTag(image) : null;
}

function Cell({ service, cell, differs }: { service: string; cell: MatrixCell | undefined; differs: ReturnType<typeof differsFromNext> | "off" }) {
  if (!cell || !cell.deploys) {
    return <span className="text-xs text-subtle">not deployed here</span>;
  }
  const live = liveTag(service, cell.liveImage);
  const last = cell.lastDeployment;
  const outcome = last ? outcomeOf(last.outcome) : null;
  return (
    <div className="space-y-1.5">
      <div className="flex items-center justify-between gap-2">
        <span className="font-mono text-sm font-semibold" data-testid="cell-version">
          {cell.version ?? <span className="font-sans text-xs font-normal text-subtle">not in git</span>}
        </span>
        <HealthLabel health={cell.health} message={cell.healthMessage} />
      </div>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        {cell.drift ? (
          <a href="#drift" title="See what differs in the Drift card">
            <SyncLabel sync={cell.sync} />
          </a>
        ) : (
          <SyncLabel sync={cell.sync} />
        )}
        {live && cell.version && live !== cell.version ? (
          <span className="text-[11px] text-muted" title={cell.liveImage ?? undefined}>
            running <code className="font-mono">{live}</code>
          </span>
        ) : null}
      </div>
      {last && outcome ? (
        <div className="flex items-center gap-1.5 text-[11px] text-muted" title={`Last deployment: ${last.version}, ${outcome.label}, by ${last.actor} at ${new Date(last.at).toLocaleString()}`}>
          <span className={cn("size-1.5 shrink-0 rounded-full", outcome.dot)} aria-hidden />
          <span className="truncate">
            <code className="font-mono">{last.version}</code> {outcome.label} · <span suppressHydrationWarning>{relativeTime(last.at)}</span> · {last.actor}
          </span>
        </div>
      ) : null}
      {cell.pendingPromotion ? (
        <Link
          href={`/delivery/promotions/${cell.pendingPromotion.id}`}
          className="inline-flex items-center gap-1 rounded-full border border-accent/40 bg-accent-soft px-2 py-0.5 text-[11px] font-medium text-accent hover:underline"
          data-testid="pending-promotion"
        >
          #{cell.pendingPromotion.number} <ArrowRight className="size-3" aria-hidden /> {cell.pendingPromotion.toVersion}
          <span className="font-normal text-muted">· {cell.pendingPromotion.status.replace(/_/g, " ")}</span>
        </Link>
      ) : null}
      {differs !== "off" && differs ? (
        <div className="text-[11px] font-medium text-warning" data-testid="cell-differs">
          ≠ {differs.displayName} <code className="font-mono">{differs.version}</code>
        </div>
      ) : null}
    </div>
  );
}

export function EnvironmentsMatrix({ initial, initialTeam, teams }: { initial: MatrixDto | null; initialTeam: string; teams: { slug: string; name: string; color: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // Local state answers at once; the URL follows (for links and reloads).
  const [team, setTeam] = useState(params.get("team") ?? "");
  const [highlight, setHighlight] = useState(params.get("differs") === "1");
  const { data, error, isFetching, dataUpdatedAt } = useQuery({
    queryKey: matrixQueryKey(team),
    queryFn: () => fetchMatrix(team),
    initialData: team === initialTeam && initial ? initial : undefined,
    refetchInterval: MATRIX_POLL_MS,
  });

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params.toString());
    if (value) next.set(key, value);
    else next.delete(key);
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  const drifted = data ? data.services.reduce((n, s) => n + Object.values(s.cells).filter((c) => c.drift).length, 0) : 0;

  return (
    <div>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3">
        <label className="flex items-center gap-2 text-sm">
          <span className="text-muted">Team</span>
          <NativeSelect
            value={team}
            onChange={(e) => {
              setTeam(e.target.value);
              setParam("team", e.target.value);
            }} className="h-8 w-44" data-testid="matrix-team">
            <option value="">All teams</option>
            {teams.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </NativeSelect>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={highlight}
            onChange={(e) => {
              setHighlight(e.target.checked);
              setParam("differs", e.target.checked ? "1" : "");
            }}
            data-testid="matrix-differs"
          />
          Highlight versions that differ from the next environment
        </label>
        <div className="ml-auto flex items-center gap-3 text-xs text-subtle">
          {drifted ? (
            <span className="inline-flex items-center gap-1 font-medium text-danger">
              <AlertTriangle className="size-3.5" aria-hidden /> {drifted} drifted
            </span>
          ) : null}
          {data?.revision ? (
            <span className="inline-flex items-center gap-1" title="The GitOps repository's revision">
              <GitCommitHorizontal className="size-3.5" aria-hidden />
              <code className="font-mono">{data.revision.slice(0, 7)}</code>
            </span>
          ) : null}
          {data ? <span>engine: {data.engine}</span> : null}
          <span className="inline-flex items-center gap-1.5" aria-live="polite">
            <span className={cn("size-1.5 rounded-full", error ? "bg-danger" : isFetching ? "bg-accent" : "bg-success")} aria-hidden />
            {error ? "refresh failed" : dataUpdatedAt ? <span suppressHydrationWarning>live · {new Date(dataUpdatedAt).toLocaleTimeString()}</span> : "loading"}
          </span>
        </div>
      </div>
      {!data ? (
        error ? (
          <p className="m-5 rounded-md border border-danger/30 bg-danger-soft px-4 py-3 text-sm text-danger" data-testid="matrix-error">
            The matrix could not be loaded: {(error as Error).message}
          </p>
        ) : (
          <div className="space-y-2 p-5">
            <Skeleton className="h-10" />
            <Skeleton className="h-10" />
            <Skeleton className="h-10" />
          </div>
        )
      ) : data.services.length === 0 ? (
        <EmptyState title="No services">{team ? "This team owns no services yet." : "Add services to see them here."}</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full min-w-[56rem] border-collapse text-sm" data-testid="environments-matrix">
            <thead className="border-b border-border bg-surface-2/60 text-left">
              <tr>
                <th className="w-64 px-4 py-2.5 text-xs font-medium uppercase tracking-wide text-subtle">Service</th>
                {data.environments.map((e) => (
                  <th key={e.name} className="px-4 py-2.5 text-xs font-medium uppercase tracking-wide text-subtle">
                    <span className="inline-flex items-center gap-2">
                      {e.displayName}
                      {e.protected ? (
                        <Badge tone="warning" className="normal-case tracking-normal">
                          <ShieldAlert className="size-3" aria-hidden /> protected
                        </Badge>
                      ) : null}
                      {e.branch ? (
                        <span
                          className="inline-flex items-center gap-0.5 font-mono text-[11px] font-normal normal-case tracking-normal"
                          title={`Read from the branch ${e.branch}${e.revision ? ` at ${e.revision.slice(0, 7)}` : ""}`}
                          data-testid={`matrix-branch-${e.name}`}
                        >
                          <GitBranch className="size-3" aria-hidden />
                          {e.branch}
                        </span>
                      ) : null}
                    </span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {data.services.map((s) => (
                <tr key={s.name} data-testid={`matrix-row-${s.name}`} className="align-top">
                  <td className="px-4 py-3">
                    <div className="flex items-center gap-2">
                      <span className="size-2.5 shrink-0 rounded-full" style={{ background: s.teamColor }} title={s.team} aria-hidden />
                      <Link href={`/services/${s.name}`} className="truncate font-mono text-sm font-medium hover:underline">
                        {s.name}
                      </Link>
                    </div>
                    <div className="mt-1 pl-4.5">
                      <StrategyBadge strategy={s.strategy as Strategy} />
                    </div>
                  </td>
                  {data.environments.map((e) => {
                    const cell = s.cells[e.name];
                    const differs = highlight ? differsFromNext(data.environments, s.cells, e.name) : null;
                    return (
                      <td
                        key={e.name}
                        className={cn(
                          "min-w-52 px-4 py-3",
                          cell?.drift && "bg-danger-soft/40",
                          differs && "bg-warning-soft ring-1 ring-inset ring-warning/40",
                          cell && !cell.deploys && "bg-surface-2/40",
                        )}
                        data-testid={`cell-${s.name}-${e.name}`}
                        data-health={cell?.health}
                        data-sync={cell?.sync}
                        data-differs={differs ? "true" : undefined}
                      >
                        <Cell service={s.name} cell={cell} differs={highlight ? differs : "off"} />
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
