"use client";

// The deployment timeline: every deployment as a bar from its start to its end (or to now while
// it runs) in swimlanes per service or per environment, coloured by outcome, rollbacks hatched.
// Zoom with the buttons or ctrl+wheel (pinch on a trackpad), pan by dragging; click a bar for its
// promotion. Drawn with absolutely positioned elements, and only the bars in view.
import { Maximize2, RotateCcw, ZoomIn, ZoomOut } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { NativeSelect } from "@/components/ui/input";
import type { DeploymentDto } from "@/lib/delivery/schemas";
import { OUTCOME, formatDuration, outcomeOf } from "./status";
import { MIN_BAR_PX, RANGES, axisTicks, layoutLanes, panView, zoomView, type RangeKey, type View } from "./timeline-model";
import { useNow } from "./use-now";

const ROW_H = 22;
const LANE_PAD = 6;
const AXIS_H = 28;
/** The view with one more view's width on each side. */
const widen = (v: View): View => ({ start: v.start - (v.end - v.start), end: v.end + (v.end - v.start) });
const HATCH = "repeating-linear-gradient(135deg, rgba(255,255,255,0.45) 0 3px, transparent 3px 7px)";

export interface TimelineProps {
  items: DeploymentDto[];
  /** The window holds more deployments than `items` (the newest ones). */
  truncated?: boolean;
  /** The promotion page to open per run id. */
  promotionIds: Record<string, string>;
  range: RangeKey;
  lanes: "service" | "environment";
  environment: string;
  service: string;
  environments: { name: string; displayName: string }[];
  services: string[];
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short" });
const fullFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

function Tooltip({ d, x, y, now }: { d: DeploymentDto; x: number; y: number; now: number }) {
  const o = outcomeOf(d.outcome);
  const start = Date.parse(d.startedAt);
  const end = d.finishedAt ? Date.parse(d.finishedAt) : now;
  const left = typeof window !== "undefined" && x + 300 > window.innerWidth ? x - 296 : x + 14;
  return (
    <div className="pointer-events-none fixed z-50 w-72 rounded-md border border-border bg-surface p-3 text-xs shadow-lg" style={{ left, top: y + 14 }} role="tooltip" data-testid="timeline-tooltip">
      <div className="mb-1.5 flex items-center justify-between gap-2">
        <span className="font-mono text-sm font-semibold">{d.service}</span>
        <span className={cn("rounded-full px-1.5 py-0.5 text-[10px] font-semibold text-white", o.dot)}>{o.label}</span>
      </div>
      <dl className="grid grid-cols-[5.5rem_1fr] gap-x-2 gap-y-0.5">
        <dt className="text-subtle">Environment</dt>
        <dd>{d.environment}</dd>
        <dt className="text-subtle">Version</dt>
        <dd className="font-mono">
          {d.previousVersion ?? "—"} → <span className="font-semibold">{d.version}</span>
        </dd>
        <dt className="text-subtle">Kind</dt>
        <dd>{d.kind === "rollback" ? "rollback" : "deployment"}</dd>
        <dt className="text-subtle">Strategy</dt>
        <dd>{d.strategy.replace("_", "-")}</dd>
        <dt className="text-subtle">By</dt>
        <dd>{d.actor}</dd>
        <dt className="text-subtle">Started</dt>
        <dd>{fullFormat.format(start)}</dd>
        <dt className="text-subtle">Ended</dt>
        <dd>{d.finishedAt ? fullFormat.format(end) : "still running"}</dd>
        <dt className="text-subtle">Duration</dt>
        <dd>{formatDuration(end - start)}</dd>
        {d.promotionNumber !== null ? (
          <>
            <dt className="text-subtle">Promotion</dt>
            <dd>#{d.promotionNumber}</dd>
          </>
        ) : null}
        {d.commitSha ? (
          <>
            <dt className="text-subtle">Commit</dt>
            <dd className="font-mono">{d.commitSha.slice(0, 7)}</dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

export function DeploymentTimeline({ items, truncated = false, promotionIds, range, lanes: initialLanes, environment, service, environments, services }: TimelineProps) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const inProgress = items.some((d) => !d.finishedAt);
  // Lanes are drawn from the same data: switch at once, and let the URL follow.
  const [lanes, setLanes] = useState(initialLanes);
  const now = useNow(inProgress ? 1000 : 15_000);
  const rangeMs = RANGES[range];
  // null: follow the present (the whole range up to now); set once someone zooms or pans.
  const [pinned, setPinned] = useState<View | null>(null);
  const viewStart = pinned?.start ?? now - rangeMs;
  const viewEnd = pinned?.end ?? now + rangeMs * 0.02;
  const view: View = useMemo(() => ({ start: viewStart, end: viewEnd }), [viewStart, viewEnd]);
  // Bars are laid out (clipped, packed into rows, labelled) for a window three views wide, and
  // positioned in percent of it. Zooming and panning move and stretch only the layer that holds
  // them; the layout is redone, a moment after the view settles, once the zoom has changed by a
  // quarter or the view nears the window's edge. So thousands of bars are not re-rendered on
  // every wheel event or drag move.
  const [layout, setLayout] = useState(() => ({ view: widen(view), now }));
  useEffect(() => {
    const base = (layout.view.end - layout.view.start) / 3;
    const span = viewEnd - viewStart;
    const margin = base / 4;
    const stale = span < base * 0.8 || span > base * 1.25 || viewStart < layout.view.start + margin || viewEnd > layout.view.end - margin;
    if (!stale) return;
    const timer = setTimeout(() => setLayout({ view: widen({ start: viewStart, end: viewEnd }), now: Date.now() }), 120);
    return () => clearTimeout(timer);
  }, [viewStart, viewEnd, layout]);
  const layoutView = layout.view;
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ d: DeploymentDto; x: number; y: number } | null>(null);
  const trackRef = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; view: View; moved: boolean; pointer: number } | null>(null);
  const suppressClick = useRef(false);
  const [dragging, setDragging] = useState(false);

  // New deployments and outcomes: re-read the page's data, faster while something runs.
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), inProgress ? 3000 : 15_000);
    return () => clearInterval(timer);
  }, [router, inProgress]);

  useEffect(() => {
    const el = trackRef.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry!.contentRect.width)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // ctrl+wheel zooms around the pointer; React's wheel listener is passive, so attach our own.
  useEffect(() => {
    const el = trackRef.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const rect = el.getBoundingClientRect();
      const factor = Math.exp(Math.max(-200, Math.min(200, e.deltaY)) * 0.002);
      setPinned(zoomView(view, factor, (e.clientX - rect.left) / rect.width, rangeMs * 3));
    };
    el.addEventListener("wheel", onWheel, { passive: false });
    return () => el.removeEventListener("wheel", onWheel);
  }, [view, rangeMs]);

  const setParam = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
  };

  const envName = useMemo(() => new Map(environments.map((e) => [e.name, e.displayName])), [environments]);
  const order = useMemo(() => (lanes === "service" ? [...services].sort() : environments.map((e) => e.name)), [lanes, services, environments]);
  // The layout's own width in pixels: the laid-out window is three views wide.
  const layoutWidth = width * 3;
  const laid = useMemo(
    () => layoutLanes(items, (d) => (lanes === "service" ? d.service : d.environment), order, layoutView, layoutWidth, layout.now, lanes === "service" ? 3 : 5),
    [items, lanes, order, layoutView, layoutWidth, layout.now],
  );
  const { ticks, step } = axisTicks(view, width);
  const span = view.end - view.start;
  const xOf = (t: number) => ((t - view.start) / span) * width;
  const counts = { failed: items.filter((d) => d.outcome === "failed").length, rolledBack: items.filter((d) => d.outcome === "rolled_back").length, running: items.filter((d) => !d.finishedAt).length };

  const laneHeights = laid.map((l) => l.rows * ROW_H + LANE_PAD * 2);
  const laneTops = laneHeights.map((_, i) => laneHeights.slice(0, i).reduce((a, b) => a + b, 0));
  const totalH = laneHeights.reduce((a, b) => a + b, 0);
  const layoutSpan = layoutView.end - layoutView.start;
  // Positions in percent of the layer (the laid-out window), so that the layer alone moves.
  const barsLayer = useMemo(() => {
    const tops = laid.map((_, i) => laid.slice(0, i).reduce((a, l) => a + l.rows * ROW_H + LANE_PAD * 2, 0));
    return laid.map((lane, i) => {
      const laneTop = tops[i]!;
      return lane.bars.map(({ item: d, x, w, row }) => {
        const o = outcomeOf(d.outcome);
        const promotionId = d.runId ? promotionIds[d.runId] : undefined;
        const label = lanes === "service" ? `${envName.get(d.environment) ?? d.environment} ${d.version}` : `${d.service} ${d.version}`;
        const start = Date.parse(d.startedAt);
        const left = (x / layoutWidth) * 100;
        const style = {
          left: `${left}%`,
          // A running deployment grows to now: the layer's --now (in percent) moves, not the bar.
          width: d.finishedAt ? `max(${MIN_BAR_PX}px, ${((Date.parse(d.finishedAt) - start) / layoutSpan) * 100}%)` : `max(${MIN_BAR_PX}px, calc((var(--now) - ${left}) * 1%))`,
          top: laneTop + LANE_PAD + row * ROW_H + 2,
          height: ROW_H - 4,
          backgroundImage: d.kind === "rollback" ? HATCH : undefined,
        };
        const common = {
          className: cn(
            "absolute flex items-center gap-1 overflow-hidden rounded-sm border text-[10px] font-medium text-white shadow-xs outline-offset-1",
            w > 16 ? "px-1" : "px-0",
            o.bar,
            !d.finishedAt && "animate-pulse",
            promotionId ? "cursor-pointer hover:brightness-110" : "cursor-default",
          ),
          style,
          "data-testid": "timeline-bar",
          "data-service": d.service,
          "data-environment": d.environment,
          "data-outcome": d.outcome,
          "data-kind": d.kind,
          "data-version": d.version,
          "aria-label": `${d.service} ${d.version} in ${d.environment}: ${d.kind === "rollback" ? "rollback " : ""}${o.label}${d.promotionNumber !== null ? `, promotion #${d.promotionNumber}` : ""}`,
          onPointerEnter: (e: ReactPointerEvent) => !drag.current?.moved && setHover({ d, x: e.clientX, y: e.clientY }),
          onPointerMove: (e: ReactPointerEvent) => !drag.current?.moved && setHover({ d, x: e.clientX, y: e.clientY }),
          onPointerLeave: () => setHover(null),
          onFocus: (e: React.FocusEvent<HTMLElement>) => {
            const r = e.currentTarget.getBoundingClientRect();
            setHover({ d, x: r.left, y: r.bottom });
          },
          onBlur: () => setHover(null),
          draggable: false,
        };
        const content = (
          <>
            {d.kind === "rollback" && w > 14 ? <RotateCcw className="size-2.5 shrink-0" aria-hidden /> : null}
            {w > 64 ? <span className="truncate">{label}</span> : null}
          </>
        );
        return promotionId ? (
          <a key={d.id} href={`/delivery/promotions/${promotionId}`} {...common}>
            {content}
          </a>
        ) : (
          <div key={d.id} tabIndex={0} {...common}>
            {content}
          </div>
        );
      });
    });
  }, [laid, lanes, envName, promotionIds, layoutWidth, layoutSpan]);

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    drag.current = { x: e.clientX, view, moved: false, pointer: e.pointerId };
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d || width <= 0) return;
    const dx = e.clientX - d.x;
    if (!d.moved && Math.abs(dx) < 4) return;
    if (!d.moved) {
      d.moved = true;
      // Captured only once it is a drag, so that a plain click still reaches the bar under it.
      e.currentTarget.setPointerCapture(d.pointer);
      setHover(null);
      setDragging(true);
    }
    setPinned(panView(d.view, (-dx / width) * (d.view.end - d.view.start)));
  };
  const onPointerUp = (e: ReactPointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    drag.current = null;
    if (d?.moved) {
      suppressClick.current = true;
      setDragging(false);
      if (e.currentTarget.hasPointerCapture(d.pointer)) e.currentTarget.releasePointerCapture(d.pointer);
    }
  };

  // The buttons zoom around now while it is in view (where the news is), else around the middle;
  // ctrl+wheel zooms around the pointer.
  const nowAt = (now - view.start) / (view.end - view.start);
  const buttonAnchor = nowAt >= 0 && nowAt <= 1 ? nowAt : 0.5;
  const spanLabel = span >= 2 * 86_400_000 ? `${Math.round(span / 86_400_000)} days` : span >= 2 * 3_600_000 ? `${Math.round(span / 3_600_000)} hours` : `${Math.max(1, Math.round(span / 60_000))} minutes`;

  return (
    <div>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-5 py-3" data-testid="timeline-filters">
        <label className="flex items-center gap-2 text-sm">
          <span className="text-muted">Environment</span>
          <NativeSelect value={environment} onChange={(e) => setParam({ environment: e.target.value })} className="h-8 w-36" data-testid="timeline-environment">
            <option value="">All</option>
            {environments.map((e) => (
              <option key={e.name} value={e.name}>
                {e.displayName}
              </option>
            ))}
          </NativeSelect>
        </label>
        <label className="flex items-center gap-2 text-sm">
          <span className="text-muted">Service</span>
          <NativeSelect value={service} onChange={(e) => setParam({ service: e.target.value })} className="h-8 w-44" data-testid="timeline-service">
            <option value="">All</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </NativeSelect>
        </label>
        <div className="flex rounded-md border border-border-strong p-0.5" role="group" aria-label="Time range">
          {(Object.keys(RANGES) as RangeKey[]).map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={range === r}
              onClick={() => {
                setPinned(null);
                setParam({ range: r === "7d" ? "" : r });
              }}
              className={cn("rounded px-2.5 py-1 text-xs font-medium", range === r ? "bg-accent-soft text-accent" : "text-muted hover:text-foreground")}
              data-testid={`timeline-range-${r}`}
            >
              last {r.replace("h", " h").replace("d", " d")}
            </button>
          ))}
        </div>
        <div className="flex rounded-md border border-border-strong p-0.5" role="group" aria-label="Swimlanes">
          {(["service", "environment"] as const).map((l) => (
            <button
              key={l}
              type="button"
              aria-pressed={lanes === l}
              onClick={() => {
                setLanes(l);
                setParam({ lanes: l === "service" ? "" : l });
              }}
              className={cn("rounded px-2.5 py-1 text-xs font-medium", lanes === l ? "bg-accent-soft text-accent" : "text-muted hover:text-foreground")}
              data-testid={`timeline-lanes-${l}`}
            >
              per {l}
            </button>
          ))}
        </div>
        <div className="ml-auto flex items-center gap-1">
          <span className="mr-2 text-xs text-subtle" data-testid="timeline-span">
            {spanLabel}
          </span>
          <Button variant="secondary" size="icon" className="size-8" aria-label="Zoom in" onClick={() => setPinned(zoomView(view, 0.5, buttonAnchor, rangeMs * 3))} data-testid="timeline-zoom-in">
            <ZoomIn aria-hidden />
          </Button>
          <Button variant="secondary" size="icon" className="size-8" aria-label="Zoom out" onClick={() => setPinned(zoomView(view, 2, buttonAnchor, rangeMs * 3))} data-testid="timeline-zoom-out">
            <ZoomOut aria-hidden />
          </Button>
          <Button variant="secondary" size="icon" className="size-8" aria-label="Fit the whole range" onClick={() => setPinned(null)} disabled={pinned === null} data-testid="timeline-fit">
            <Maximize2 aria-hidden />
          </Button>
        </div>
      </div>

      {items.length === 0 ? (
        <p className="border-b border-border px-5 py-6 text-center text-sm text-muted" data-testid="timeline-no-match">
          No deployment matches these filters in this window.
        </p>
      ) : null}
      <div className="flex" data-testid="timeline">
        <div className="w-44 shrink-0 border-r border-border">
          <div style={{ height: AXIS_H }} className="border-b border-border" />
          {laid.map((lane, i) => (
            <div key={lane.key} style={{ height: laneHeights[i] }} className="flex items-center border-b border-border px-3" data-testid={`timeline-lane-${lane.key}`}>
              {lanes === "service" ? (
                <Link href={`/services/${lane.key}`} className="truncate font-mono text-xs font-medium hover:underline" prefetch={false}>
                  {lane.key}
                </Link>
              ) : (
                <span className="truncate text-xs font-medium">{envName.get(lane.key) ?? lane.key}</span>
              )}
            </div>
          ))}
        </div>
        <div
          ref={trackRef}
          className={cn("relative min-w-0 flex-1 touch-none select-none overflow-hidden", dragging ? "cursor-grabbing" : "cursor-grab")}
          style={{ height: AXIS_H + totalH }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={onPointerUp}
          onClickCapture={(e) => {
            if (suppressClick.current) {
              suppressClick.current = false;
              e.preventDefault();
              e.stopPropagation();
            }
          }}
          onClick={(e) => {
            // Bars are plain links (thousands of <Link>s are slow to re-render while zooming):
            // navigate inside the app unless a modifier asks for a new tab or window.
            const link = (e.target as HTMLElement).closest("a");
            if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
            e.preventDefault();
            router.push(link.getAttribute("href")!);
          }}
          aria-label="Deployments over time: drag to pan, ctrl+wheel or the buttons to zoom"
          role="group"
        >
          {width > 0 ? (
            <>
              <div className="absolute inset-x-0 top-0 border-b border-border bg-surface-2/60" style={{ height: AXIS_H }} />
              {ticks.map((t) => {
                const x = xOf(t.t);
                return (
                  <div key={t.t} className="pointer-events-none absolute top-0" style={{ left: x, height: AXIS_H + totalH }}>
                    <div className={cn("absolute bottom-0 top-0 w-px", t.day ? "bg-border-strong" : "bg-border/70")} />
                    <span className={cn("absolute top-1.5 ml-1 whitespace-nowrap text-[10px] tabular", t.day ? "font-semibold text-muted" : "text-subtle")}>
                      {t.day || step >= 86_400_000 ? dayFormat.format(t.t) : timeFormat.format(t.t)}
                    </span>
                  </div>
                );
              })}
              {laid.map((lane, i) => (
                <div key={lane.key} className="pointer-events-none absolute inset-x-0 border-b border-border" style={{ top: AXIS_H + laneTops[i]!, height: laneHeights[i] }} />
              ))}
              <div className="absolute bottom-0" style={{ top: AXIS_H, left: xOf(layoutView.start), width: xOf(layoutView.end) - xOf(layoutView.start) }}>
                {/* --now lives one level down: a custom property on the moving layer would make the
                    browser recompute every bar's style on each zoom step. */}
                <div className="absolute inset-0" style={{ ["--now" as string]: ((now - layoutView.start) / layoutSpan) * 100 }}>
                  {barsLayer}
                </div>
              </div>
              {now >= view.start && now <= view.end ? (
                <div className="pointer-events-none absolute top-0 w-px bg-danger" style={{ left: xOf(now), height: AXIS_H + totalH }} title="now">
                  <span className="absolute -left-3 top-0 rounded bg-danger px-1 text-[9px] font-semibold text-white">now</span>
                </div>
              ) : null}
            </>
          ) : null}
        </div>
      </div>

      <div className="flex flex-wrap items-center gap-4 border-t border-border px-5 py-2.5 text-xs text-muted" data-testid="timeline-legend">
        {Object.entries(OUTCOME).map(([k, o]) => (
          <span key={k} className="inline-flex items-center gap-1.5">
            <span className={cn("inline-block h-2.5 w-5 rounded-sm border", o.bar, k === "in_progress" && "animate-pulse")} aria-hidden />
            {o.label}
          </span>
        ))}
        <span className="inline-flex items-center gap-1.5">
          <span className="inline-block h-2.5 w-5 rounded-sm border border-subtle bg-subtle" style={{ backgroundImage: HATCH }} aria-hidden />
          rollback
        </span>
        <span className="ml-auto">
          {truncated ? (
            <span className="text-warning" data-testid="timeline-truncated" title="Filter by service or environment, or pick a shorter range, to see the older ones">
              the newest {items.length.toLocaleString("en-US")} deployments of this window
            </span>
          ) : (
            <>
              {items.length} deployment{items.length === 1 ? "" : "s"}
            </>
          )}
          {counts.running ? ` · ${counts.running} running` : ""}
          {counts.failed ? ` · ${counts.failed} failed` : ""}
          {counts.rolledBack ? ` · ${counts.rolledBack} rolled back` : ""} · drag to pan, ctrl+wheel to zoom
        </span>
      </div>
      {hover ? <Tooltip d={hover.d} x={hover.x} y={hover.y} now={now} /> : null}
    </div>
  );
}
