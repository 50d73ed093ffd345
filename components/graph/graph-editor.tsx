"use client";

// The service dependency graph editor. The server is the source of truth: every edit is one PUT
// (or DELETE) carrying the graph revision we hold; a refused cycle is shown in red, a stale
// revision reloads the graph in place (viewport, selection, search and filter kept).
//
// Direction: arrows go from a dependency to its dependent, left to right in deployment waves.
// Dragging from A's right handle to B's left handle (or back) means "B depends on A".
import "@xyflow/react/dist/style.css";

import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type EdgeTypes,
  type FitViewOptions,
  type IsValidConnection,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import { CircleAlert, Eye, Loader2, RefreshCw, TriangleAlert, Undo2 } from "lucide-react";
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState, type CSSProperties } from "react";
import { toast } from "sonner";
import { api, ApiError } from "@/components/api";
import { Button } from "@/components/ui/button";
import { relativeTime } from "@/components/audit/format";
import { RemovalDialog, type PendingRemoval } from "./confirm-dialogs";
import { DependencyEdge, EdgeActionsContext } from "./dependency-edge";
import { buildEdges, createNodeBuilder, dependencyEdge, type DependencyFlowEdge, type ServiceFlowNode } from "./flow";
import { GraphSearch } from "./graph-search";
import type { LayoutPositions } from "@/lib/services/layout";
import { createLayoutEngine, fromLayoutPositions, provisionalPositions, type Positions } from "./layout";
import {
  canEditTeam,
  computeEmphasis,
  describeChange,
  dropService,
  edgeId,
  formatCycle,
  indexGraph,
  inverseDependsOn,
  pushChange,
  waves as computeWaves,
  withDependencies,
  withoutService,
  type Change,
  type EditScope,
  type GraphDto,
} from "./model";
import { ServiceNode } from "./service-node";
import { SidePanel, type Selection } from "./side-panel";
import { TeamFilter } from "./team-filter";

// Defined once, outside any component: xyflow re-mounts every node when these objects change.
const NODE_TYPES: NodeTypes = { service: ServiceNode };
const EDGE_TYPES: EdgeTypes = { dependency: DependencyEdge };

// xyflow's own colours, mapped to the theme's tokens (which already follow light and dark mode,
// so xyflow's colorMode is not needed — and not guessing it avoids a hydration mismatch).
const FLOW_STYLE = {
  "--xy-background-color": "var(--background)",
  "--xy-controls-button-background-color": "var(--surface)",
  "--xy-controls-button-background-color-hover": "var(--surface-2)",
  "--xy-controls-button-color": "var(--muted)",
  "--xy-controls-button-color-hover": "var(--foreground)",
  "--xy-controls-button-border-color": "var(--border)",
  "--xy-connectionline-stroke": "var(--accent)",
  "--xy-connectionline-stroke-width": "2",
  "--xy-attribution-background-color": "transparent",
  "--xy-edge-stroke": "var(--subtle)",
  "--xy-edge-stroke-selected": "var(--accent)",
  "--xy-handle-background-color": "var(--subtle)",
  "--xy-handle-border-color": "var(--surface)",
} as CSSProperties;

const minimapColor = (n: ServiceFlowNode) => n.data.team?.color ?? "var(--subtle)";
// Room at the top for the legend, and at the sides so that a handle is never inside the 40 px
// band where dragging a connection auto-pans the canvas.
const FIT_VIEW_OPTIONS = { padding: { top: "76px", bottom: "40px", left: "64px", right: "64px" }, maxZoom: 1 } satisfies FitViewOptions;
const CYCLE_MS = 6000;
const ANIMATE_MS = 380;
const ANIMATE_MAX_MOVES = 160;

interface DependenciesResult {
  service: string;
  dependsOn: string[];
  added: string[];
  removed: string[];
  revision: number;
}

export interface GraphEditorProps {
  initialGraph: GraphDto;
  /** What the person may edit; null: read-only. */
  scope: EditScope | null;
  /** The server's cached ELK layout of this graph, when it has one: drawn at once, no layout in the browser. */
  initialLayout?: LayoutPositions | null;
}

export function GraphEditor(props: GraphEditorProps) {
  return (
    <ReactFlowProvider>
      <Editor {...props} />
    </ReactFlowProvider>
  );
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

function easeOut(t: number): number {
  return 1 - (1 - t) ** 3;
}

/** The server's layout, if it places every service of the graph (else the browser lays it out). */
function completeLayout(layout: LayoutPositions | null | undefined, graph: GraphDto): Positions | null {
  if (!layout || graph.nodes.some((n) => !layout[n.name])) return null;
  return fromLayoutPositions(layout);
}

function Editor({ initialGraph, scope, initialLayout }: GraphEditorProps) {
  const readOnly = scope === null;
  const { fitView } = useReactFlow();

  // ——— The graph we hold, and the revision it is at (a new graph means a new layout) ———
  const [serverLayout] = useState(() => completeLayout(initialLayout, initialGraph));
  const [layoutState, setLayoutState] = useState<{ running: boolean; error: string | null; ms: number | null; where: string | null }>(() =>
    serverLayout ? { running: false, error: null, ms: null, where: "server" } : { running: true, error: null, ms: null, where: null },
  );
  const [graph, setGraph] = useState(initialGraph);
  const graphRef = useRef(initialGraph);
  const commitGraph = useCallback((g: GraphDto) => {
    graphRef.current = g;
    setGraph(g);
    setLayoutState((s) => ({ ...s, running: true }));
  }, []);
  const index = useMemo(() => indexGraph(graph), [graph]);
  const waves = useMemo(() => computeWaves(index), [index]);
  const teamCounts = useMemo(() => {
    const m = new Map<string, number>();
    for (const n of graph.nodes) m.set(n.team, (m.get(n.team) ?? 0) + 1);
    return m;
  }, [graph.nodes]);
  const edgeCount = useMemo(() => graph.nodes.reduce((s, n) => s + n.dependsOn.length, 0), [graph.nodes]);

  // ——— View state (survives reloads: the flow stays mounted) ———
  const [selection, setSelection] = useState<Selection>(null);
  const [teams, setTeams] = useState<string[]>([]);
  const [hideOthers, setHideOthers] = useState(false);
  const [cycle, setCycle] = useState<{ path: string[]; service: string; dependsOn: string } | null>(null);
  const cycleTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // ——— Layout: ELK off the main thread, then nodes glide to their new place ———
  const [engine] = useState(() => createLayoutEngine());
  useEffect(() => () => engine.dispose(), [engine]);
  // Drawn at once in a provisional wave layout; ELK's layout then moves every node into place.
  // With the server's layout the nodes start in their final place and the browser runs no layout.
  const [shown, setShown] = useState<Positions | null>(() => serverLayout ?? provisionalPositions(index, waves));
  const shownRef = useRef<Positions | null>(shown);
  const animation = useRef<number | undefined>(undefined);
  const [layoutRun, setLayoutRun] = useState(0);
  /** Nodes (or the first fit) still moving to where the last layout put them. */
  const [moving, setMoving] = useState(false);

  const commitShown = useCallback((p: Positions) => {
    shownRef.current = p;
    setShown(p);
  }, []);

  const moveTo = useCallback(
    (target: Positions, onDone?: () => void) => {
      if (animation.current !== undefined) cancelAnimationFrame(animation.current);
      animation.current = undefined;
      const from = shownRef.current;
      // Keep the object of every position that did not change, so its node is not re-rendered.
      const merged: Positions = new Map();
      const moved: string[] = [];
      for (const [name, p] of target) {
        const before = from?.get(name);
        if (before && before.x === p.x && before.y === p.y) merged.set(name, before);
        else {
          merged.set(name, p);
          if (before) moved.push(name);
        }
      }
      const reduced = typeof window !== "undefined" && window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
      if (!from || moved.length === 0 || moved.length > ANIMATE_MAX_MOVES || reduced) {
        commitShown(merged);
        onDone?.();
        return;
      }
      const start = performance.now();
      const step = (now: number) => {
        const t = Math.min(1, (now - start) / ANIMATE_MS);
        if (t >= 1) {
          animation.current = undefined;
          commitShown(merged);
          onDone?.();
          return;
        }
        const k = easeOut(t);
        const frame: Positions = new Map(merged);
        for (const name of moved) {
          const a = from.get(name)!;
          const b = merged.get(name)!;
          frame.set(name, { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k });
        }
        commitShown(frame);
        animation.current = requestAnimationFrame(step);
      };
      animation.current = requestAnimationFrame(step);
    },
    [commitShown],
  );

  // The first ELK layout refits the view, unless the person already panned or zoomed.
  const viewTouched = useRef(false);
  const firstLayoutDone = useRef(false);
  const skipLayout = useRef(serverLayout !== null);
  useEffect(() => {
    if (skipLayout.current) {
      // The server's layout is already drawn (ReactFlow's fitView framed it): nothing to compute.
      skipLayout.current = false;
      firstLayoutDone.current = true;
      return;
    }
    let cancelled = false;
    engine
      .layout(index)
      .then((r) => {
        if (cancelled) return;
        const first = !firstLayoutDone.current;
        firstLayoutDone.current = true;
        setMoving(true);
        moveTo(r.positions, () => {
          if (first && !viewTouched.current) requestAnimationFrame(() => void fitView({ ...FIT_VIEW_OPTIONS, duration: 250 }).finally(() => setMoving(false)));
          else setMoving(false);
        });
        setLayoutState({ running: false, error: null, ms: Math.round(r.ms), where: r.where });
      })
      .catch((e: unknown) => {
        if (!cancelled) setLayoutState({ running: false, error: e instanceof Error ? e.message : String(e), ms: null, where: null });
      });
    return () => {
      cancelled = true;
    };
  }, [engine, index, moveTo, layoutRun, fitView]);
  useEffect(() => () => (animation.current === undefined ? undefined : cancelAnimationFrame(animation.current)), []);

  // ——— Who may edit what ———
  const canEdit = useCallback((team: string) => canEditTeam(scope, team), [scope]);

  // ——— What is drawn ———
  const selectedNode = selection?.kind === "node" && index.nodes.has(selection.name) ? selection.name : null;
  const selectedEdge = selection?.kind === "edge" && index.dependsOn.get(selection.service)?.includes(selection.dependsOn) ? edgeId(selection.service, selection.dependsOn) : null;
  const emphasis = useMemo(
    () => computeEmphasis(index, { teams, hideOthers, selectedNode, selectedEdge, cycle: cycle?.path ?? null }),
    [index, teams, hideOthers, selectedNode, selectedEdge, cycle],
  );
  const [buildNodes] = useState(() => createNodeBuilder());
  const nodes = useMemo(
    () =>
      shown
        ? buildNodes({ index, waves, positions: shown, scope, nodeEmphasis: emphasis.nodes, edgeEmphasis: emphasis.edges, selectedNode, selectedEdge })
        : [],
    [buildNodes, index, waves, shown, scope, emphasis, selectedNode, selectedEdge],
  );
  const [pending, setPending] = useState<{ service: string; dependsOn: string } | null>(null);
  const [buildEdgesCached] = useState(() => {
    let prev = new Map<string, DependencyFlowEdge>();
    return (input: Parameters<typeof buildEdges>[0]) => {
      const out = buildEdges(input, prev);
      prev = new Map(out.map((e) => [e.id, e]));
      return out;
    };
  });
  const edges = useMemo(() => {
    const out = buildEdgesCached({ index, edgeEmphasis: emphasis.edges, selectedEdge, scope });
    if (pending && !index.dependsOn.get(pending.service)?.includes(pending.dependsOn)) {
      out.push({ ...dependencyEdge(pending.service, pending.dependsOn, "pending", { id: "pending" }), domAttributes: { "data-testid": "graph-pending-edge" } as DependencyFlowEdge["domAttributes"] });
    }
    if (cycle && index.nodes.has(cycle.service) && index.nodes.has(cycle.dependsOn)) {
      out.push({ ...dependencyEdge(cycle.service, cycle.dependsOn, "ghost", { id: "ghost" }), domAttributes: { "data-testid": "graph-ghost-edge" } as DependencyFlowEdge["domAttributes"] });
    }
    return out;
  }, [buildEdgesCached, index, emphasis, selectedEdge, scope, pending, cycle]);

  // ——— Talking to the server, one change at a time ———
  const queue = useRef<Promise<void>>(Promise.resolve());
  const [saving, setSaving] = useState(0);
  const enqueue = useCallback((work: () => Promise<void>, quiet = false) => {
    if (!quiet) setSaving((n) => n + 1);
    const run = queue.current.then(work).finally(() => (quiet ? undefined : setSaving((n) => n - 1)));
    queue.current = run.catch(() => {});
    return run;
  }, []);

  const [reloadError, setReloadError] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const reload = useCallback(async (): Promise<boolean> => {
    setReloading(true);
    try {
      const g = await api<GraphDto>("/api/v1/graph");
      commitGraph(g);
      setReloadError(null);
      return true;
    } catch (e) {
      setReloadError(e instanceof Error ? e.message : String(e));
      return false;
    } finally {
      setReloading(false);
    }
  }, [commitGraph]);

  // Coming back to the tab: catch up with edits made meanwhile (queued behind our own changes, so
  // an answer never overtakes a save), keeping the view as it is.
  useEffect(() => {
    const catchUp = () => {
      if (document.visibilityState !== "visible") return;
      void enqueue(async () => {
        const before = graphRef.current.revision;
        const g = await api<GraphDto>("/api/v1/graph").catch(() => null);
        if (!g || g.revision === graphRef.current.revision) return;
        commitGraph(g);
        toast.info(`The graph was updated to revision ${g.revision}`, { description: g.updatedBy ? `Changed by ${g.updatedBy} since revision ${before}.` : undefined });
      }, true);
    };
    document.addEventListener("visibilitychange", catchUp);
    return () => document.removeEventListener("visibilitychange", catchUp);
  }, [commitGraph, enqueue]);

  const showCycle = useCallback((path: string[], service: string, dependsOn: string) => {
    clearTimeout(cycleTimer.current);
    setCycle({ path, service, dependsOn });
    cycleTimer.current = setTimeout(() => setCycle(null), CYCLE_MS);
  }, []);
  useEffect(() => () => clearTimeout(cycleTimer.current), []);

  /** Maps a refused change to what the person sees (a cycle drawn, a reload, or the reason). */
  const explain = useCallback(
    async (e: unknown, attempt: { service: string; dependsOn?: string }) => {
      if (e instanceof ApiError) {
        const cyclePath = Array.isArray(e.details?.cycle) ? (e.details.cycle as string[]) : null;
        if (e.status === 409 && cyclePath) {
          showCycle(cyclePath, attempt.service, attempt.dependsOn ?? cyclePath[1] ?? attempt.service);
          toast.error(`That would close a cycle: ${formatCycle(cyclePath)}`, { description: "Each arrow in that path reads “depends on”. The dependency was not added." });
          return;
        }
        if (e.status === 409 || e.status === 404) {
          const ok = await reload();
          const by = graphRef.current.updatedBy;
          toast.warning(e.status === 404 ? `${attempt.service} no longer exists; the graph was reloaded.` : "The graph changed (someone else edited it); reloaded — try again", {
            description: ok && by ? `Last change by ${by}, now at revision ${graphRef.current.revision}.` : undefined,
          });
          return;
        }
        if (e.status === 403) {
          toast.error("You can't change that service", { description: e.message });
          return;
        }
      }
      toast.error(e instanceof Error ? e.message : "The change failed.");
    },
    [reload, showCycle],
  );

  const [undoStack, setUndoStack] = useState<Change[]>([]);
  const undoRef = useRef<Change[]>([]);
  const commitUndo = useCallback((s: Change[]) => {
    undoRef.current = s;
    setUndoStack(s);
  }, []);

  /** PUTs a service's full new dependency list with the revision we hold. */
  const putDependencies = useCallback(
    async (service: string, dependsOn: string[]): Promise<DependenciesResult> => {
      const g = graphRef.current;
      const res = await api<DependenciesResult>(`/api/v1/services/${encodeURIComponent(service)}/dependencies`, { method: "PUT", body: { dependsOn, revision: g.revision } });
      commitGraph(withDependencies(graphRef.current, res.service, res.dependsOn, res.revision));
      return res;
    },
    [commitGraph],
  );

  const addDependency = useCallback(
    (service: string, dependsOn: string) =>
      enqueue(async () => {
        const current = graphRef.current.nodes.find((n) => n.name === service)?.dependsOn ?? [];
        if (current.includes(dependsOn)) return;
        setPending({ service, dependsOn });
        try {
          const res = await putDependencies(service, [...current, dependsOn].sort());
          commitUndo(pushChange(undoRef.current, { service, added: res.added, removed: res.removed }));
          toast.success(`${service} now depends on ${dependsOn}`, { description: `${dependsOn} deploys first · revision ${res.revision}` });
        } catch (e) {
          await explain(e, { service, dependsOn });
        } finally {
          setPending(null);
        }
      }),
    [commitUndo, enqueue, explain, putDependencies],
  );

  const removeDependency = useCallback(
    (service: string, dependsOn: string) =>
      enqueue(async () => {
        const current = graphRef.current.nodes.find((n) => n.name === service)?.dependsOn ?? [];
        try {
          const res = await putDependencies(
            service,
            current.filter((d) => d !== dependsOn),
          );
          commitUndo(pushChange(undoRef.current, { service, added: res.added, removed: res.removed }));
          setSelection((s) => (s?.kind === "edge" && s.service === service && s.dependsOn === dependsOn ? null : s));
          toast.success(`${service} no longer depends on ${dependsOn}`, { description: `Revision ${res.revision} · Ctrl+Z undoes it` });
        } catch (e) {
          await explain(e, { service });
        }
      }),
    [commitUndo, enqueue, explain, putDependencies],
  );

  const deleteService = useCallback(
    (name: string) =>
      enqueue(async () => {
        try {
          const res = await api<{ service: string; removedDependents: string[]; revision: number }>(
            `/api/v1/services/${encodeURIComponent(name)}?revision=${graphRef.current.revision}&force=true`,
            { method: "DELETE" },
          );
          commitGraph(withoutService(graphRef.current, name, res.revision));
          commitUndo(dropService(undoRef.current, name));
          setSelection(null);
          toast.success(`${name} deleted`, {
            description: res.removedDependents.length ? `Also removed: ${res.removedDependents.map((d) => `${d} → ${name}`).join(", ")}.` : `Revision ${res.revision}.`,
          });
        } catch (e) {
          await explain(e, { service: name });
        }
      }),
    [commitGraph, commitUndo, enqueue, explain],
  );

  const undo = useCallback(
    () =>
      enqueue(async () => {
        const change = undoRef.current[undoRef.current.length - 1];
        if (!change) return;
        const g = graphRef.current;
        const node = g.nodes.find((n) => n.name === change.service);
        if (!node) {
          commitUndo(undoRef.current.slice(0, -1));
          toast.warning(`${change.service} no longer exists; nothing to undo there.`);
          return;
        }
        const names = new Set(g.nodes.map((n) => n.name));
        try {
          const res = await putDependencies(change.service, inverseDependsOn(change, node.dependsOn, (n) => names.has(n)));
          commitUndo(undoRef.current.slice(0, -1));
          toast.success(`Undone: ${describeChange(change)}`, { description: `Revision ${res.revision}` });
        } catch (e) {
          if (e instanceof ApiError && e.status === 409 && Array.isArray(e.details?.cycle)) commitUndo(undoRef.current.slice(0, -1));
          await explain(e, { service: change.service, dependsOn: change.removed[0] });
        }
      }),
    [commitUndo, enqueue, explain, putDependencies],
  );

  // ——— Removal confirmations ———
  const [removal, setRemoval] = useState<PendingRemoval>(null);
  const [confirming, setConfirming] = useState(false);
  const requestRemoveEdge = useCallback(
    (service: string, dependsOn: string) => {
      if (readOnly || !canEdit(index.nodes.get(service)?.team ?? "")) return;
      setRemoval({ kind: "edge", service, dependsOn });
    },
    [canEdit, index, readOnly],
  );
  const requestDeleteNode = useCallback(
    (name: string) => {
      const node = index.nodes.get(name);
      if (readOnly || !node || !canEdit(node.team)) return;
      setRemoval({ kind: "node", name, dependents: [...(index.dependents.get(name) ?? [])], dependsOn: [...(index.dependsOn.get(name) ?? [])] });
    },
    [canEdit, index, readOnly],
  );
  const confirmRemoval = async () => {
    if (!removal) return;
    setConfirming(true);
    try {
      if (removal.kind === "edge") await removeDependency(removal.service, removal.dependsOn);
      else await deleteService(removal.name);
    } finally {
      setConfirming(false);
      setRemoval(null);
    }
  };
  const edgeActions = useMemo(() => ({ requestRemove: requestRemoveEdge }), [requestRemoveEdge]);

  // ——— Keyboard: Delete/Backspace removes the selection (after confirming), Ctrl/Cmd+Z undoes ———
  const canvasRef = useRef<HTMLDivElement>(null);
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (removal || isTyping(e.target)) return;
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === "z") {
      if (readOnly || undoRef.current.length === 0) return;
      e.preventDefault();
      void undo();
      return;
    }
    if (e.key !== "Delete" && e.key !== "Backspace") return;
    const inCanvas = e.target === document.body || (e.target instanceof Node && canvasRef.current?.contains(e.target));
    if (!inCanvas) return;
    if (selection?.kind === "edge" && selectedEdge) {
      e.preventDefault();
      requestRemoveEdge(selection.service, selection.dependsOn);
    } else if (selectedNode) {
      e.preventDefault();
      requestDeleteNode(selectedNode);
    }
  });
  useEffect(() => {
    const handler = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, []);

  // ——— xyflow callbacks ———
  const onNodesChange = useCallback(
    (changes: NodeChange<ServiceFlowNode>[]) => {
      let dragged: Positions | null = null;
      for (const c of changes) {
        if (c.type === "position" && c.position) {
          if (animation.current !== undefined) {
            cancelAnimationFrame(animation.current);
            animation.current = undefined;
            setMoving(false);
          }
          dragged ??= new Map(shownRef.current ?? []);
          dragged.set(c.id, c.position);
        } else if (c.type === "select") {
          if (c.selected) setSelection({ kind: "node", name: c.id });
          else setSelection((s) => (s?.kind === "node" && s.name === c.id ? null : s));
        }
      }
      if (dragged) commitShown(dragged);
    },
    [commitShown],
  );
  const onEdgesChange = useCallback((changes: EdgeChange<DependencyFlowEdge>[]) => {
    for (const c of changes) {
      if (c.type !== "select") continue;
      const [service, dependsOn] = c.id.split("|");
      if (!service || !dependsOn) continue;
      if (c.selected) setSelection({ kind: "edge", service, dependsOn });
      else setSelection((s) => (s?.kind === "edge" && s.service === service && s.dependsOn === dependsOn ? null : s));
    }
  }, []);
  const isValidConnection = useCallback<IsValidConnection<DependencyFlowEdge>>(
    (c) => {
      // source = the dependency (deploys first), target = the service that will depend on it.
      if (!c.source || !c.target || c.source === c.target) return false;
      const target = index.nodes.get(c.target);
      if (!target || !canEdit(target.team)) return false;
      return !(index.dependsOn.get(c.target) ?? []).includes(c.source);
    },
    [canEdit, index],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      if (readOnly || !c.source || !c.target) return;
      void addDependency(c.target, c.source);
    },
    [addDependency, readOnly],
  );
  const focusService = useCallback(
    (name: string) => {
      setSelection({ kind: "node", name });
      // After the selection un-hides it (a filtered-out service), centre on it.
      requestAnimationFrame(() => void fitView({ nodes: [{ id: name }], duration: 450, padding: 0.6, maxZoom: 1.25, minZoom: 0.5 }));
    },
    [fitView],
  );

  const panelSelection: Selection = selectedNode ? { kind: "node", name: selectedNode } : selectedEdge && selection?.kind === "edge" ? selection : null;
  const big = graph.nodes.length > 150;
  const lastChange = undoStack[undoStack.length - 1];

  return (
    <div className="space-y-3" data-testid="graph-editor" data-node-count={graph.nodes.length} data-layout={layoutState.running || moving ? "busy" : "idle"} data-layout-source={layoutState.where ?? "browser"}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
        <GraphSearch graph={graph} onPick={focusService} />
        <TeamFilter teams={graph.teams} counts={teamCounts} selected={teams} hideOthers={hideOthers} onChange={setTeams} onHideOthers={setHideOthers} />
        <div className="ml-auto flex items-center gap-3">
          {saving > 0 ? (
            <span className="inline-flex items-center gap-1.5 text-xs text-muted" role="status">
              <Loader2 className="size-3.5 animate-spin" aria-hidden /> Saving…
            </span>
          ) : null}
          <span
            className="tabular text-xs text-muted"
            data-testid="graph-revision"
            data-revision={graph.revision}
            title={`Graph revision ${graph.revision}${graph.updatedBy ? `, last changed by ${graph.updatedBy}` : ""} ${graph.updatedAt ? new Date(graph.updatedAt).toLocaleString() : ""}`}
          >
            Revision <span className="font-medium text-foreground">{graph.revision}</span>
            {graph.updatedBy ? (
              <span className="hidden md:inline">
                {" "}
                · {graph.updatedBy} {relativeTime(graph.updatedAt)}
              </span>
            ) : null}
          </span>
          {readOnly ? null : (
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void undo()}
              disabled={undoStack.length === 0}
              data-testid="graph-undo"
              title={lastChange ? `Undo: ${describeChange(lastChange)} (Ctrl+Z)` : "Nothing to undo: your dependency changes in this session appear here"}
              aria-keyshortcuts="Control+Z Meta+Z"
            >
              <Undo2 /> Undo{undoStack.length ? <span className="tabular text-subtle">{undoStack.length}</span> : null}
            </Button>
          )}
        </div>
      </div>

      {readOnly ? (
        <div className="flex items-center gap-2 rounded-md border border-border bg-surface-2 px-3 py-2 text-xs text-muted" data-testid="graph-readonly">
          <Eye className="size-3.5 shrink-0" aria-hidden />
          Read-only: you can view the graph. Changing dependencies needs the services.write permission (developers of the owning team, release managers, platform admins).
        </div>
      ) : scope && !scope.all ? (
        <p className="text-xs text-muted" data-testid="graph-scope">
          You can change what {scope.teams.length ? scope.teams.join(", ") : "your team's"} services depend on; other services have no “depends on” handle.
        </p>
      ) : null}

      <div className="flex h-[calc(100vh-18rem)] min-h-[520px] overflow-hidden rounded-lg border border-border bg-surface shadow-xs">
        <div
          ref={canvasRef}
          className="relative min-w-0 flex-1"
          aria-label={`Dependency graph: ${graph.nodes.length} services, ${edgeCount} dependencies`}
          role="region"
        >
          {shown ? (
            <EdgeActionsContext.Provider value={edgeActions}>
              <ReactFlow<ServiceFlowNode, DependencyFlowEdge>
                nodes={nodes}
                edges={edges}
                nodeTypes={NODE_TYPES}
                edgeTypes={EDGE_TYPES}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                isValidConnection={isValidConnection}
                onPaneClick={() => setSelection(null)}
                onMoveStart={(event) => {
                  // Only a person's pan or zoom has an event; programmatic fits do not.
                  if (event) viewTouched.current = true;
                }}
                nodesConnectable={!readOnly}
                nodesDraggable
                elementsSelectable
                deleteKeyCode={null}
                selectionKeyCode={null}
                multiSelectionKeyCode={null}
                connectionRadius={28}
                connectionLineStyle={{ stroke: "var(--accent)", strokeWidth: 2 }}
                onlyRenderVisibleElements={big}
                minZoom={0.02}
                maxZoom={2}
                fitView
                fitViewOptions={FIT_VIEW_OPTIONS}
                style={FLOW_STYLE}
                proOptions={{ hideAttribution: false }}
                attributionPosition="bottom-center"
                ariaLabelConfig={{ "node.a11yDescription.default": "Press Enter to select this service and highlight what it depends on and what needs it. Delete removes it after a confirmation." }}
              >
                <Background variant={BackgroundVariant.Dots} gap={22} size={1.2} color="var(--border-strong)" />
                <Controls showInteractive={false} position="bottom-left" fitViewOptions={FIT_VIEW_OPTIONS} />
                <Panel position="top-left">
                  <Legend lineage={Boolean(selectedNode)} />
                </Panel>
                {cycle ? (
                  <Panel position="top-center" className="!mt-16">
                    <div className="flex max-w-xl items-start gap-2 rounded-md border border-danger/40 bg-danger-soft px-3 py-2 text-sm text-danger shadow-md" role="alert" data-testid="graph-cycle">
                      <TriangleAlert className="mt-0.5 size-4 shrink-0" aria-hidden />
                      <span>
                        That would close a cycle: <span className="font-semibold">{formatCycle(cycle.path)}</span>
                        <span className="block text-xs opacity-80">
                          Not added: {cycle.service} cannot depend on {cycle.dependsOn}, which already (indirectly) depends on it.
                        </span>
                      </span>
                    </div>
                  </Panel>
                ) : null}
                {reloadError ? (
                  <Panel position="top-center" className="!mt-16">
                    <div className="flex items-center gap-2 rounded-md border border-danger/40 bg-surface px-3 py-2 text-sm text-danger shadow-md" data-testid="graph-error">
                      <CircleAlert className="size-4 shrink-0" aria-hidden />
                      The graph could not be reloaded: {reloadError}
                      <Button size="sm" variant="secondary" onClick={() => void reload()} loading={reloading}>
                        <RefreshCw /> Retry
                      </Button>
                    </div>
                  </Panel>
                ) : null}
                {layoutState.running ? (
                  <Panel position="top-right">
                    <span className="inline-flex items-center gap-1.5 rounded-full border border-border bg-surface px-2.5 py-1 text-xs text-muted shadow-sm" role="status">
                      <Loader2 className="size-3 animate-spin" aria-hidden /> Laying out…
                    </span>
                  </Panel>
                ) : layoutState.error ? (
                  <Panel position="top-right">
                    <span className="inline-flex items-center gap-2 rounded-md border border-warning/40 bg-warning-soft px-2.5 py-1 text-xs text-warning shadow-sm" data-testid="graph-layout-error">
                      Automatic layout failed ({layoutState.error}); showing a simple wave layout.
                      <Button
                        size="sm"
                        variant="secondary"
                        className="h-6 px-2 text-xs"
                        onClick={() => (setLayoutState({ running: true, error: null, ms: null, where: null }), setLayoutRun((n) => n + 1))}
                      >
                        <RefreshCw /> Retry
                      </Button>
                    </span>
                  </Panel>
                ) : null}
              </ReactFlow>
            </EdgeActionsContext.Provider>
          ) : null}
        </div>
        <div className="hidden w-80 shrink-0 flex-col border-l border-border bg-surface md:flex">
          <div className="min-h-0 flex-1 overflow-hidden">
            <SidePanel
              index={index}
              waves={waves}
              selection={panelSelection}
              upstream={emphasis.upstream}
              downstream={emphasis.downstream}
              canEdit={canEdit}
              readOnly={readOnly}
              onFocus={focusService}
              onDeleteNode={requestDeleteNode}
              onRemoveEdge={requestRemoveEdge}
            />
          </div>
          {/* The minimap lives beside the canvas, not on it, so it never covers a service or a handle. */}
          <div className="border-t border-border p-3" data-testid="graph-minimap">
            <div className="mb-1.5 flex items-baseline justify-between text-xs">
              <span className="font-semibold uppercase tracking-wide text-subtle">Overview</span>
              <span className="text-subtle">drag to pan, click to focus</span>
            </div>
            <MiniMap<ServiceFlowNode>
              className="!static !m-0 overflow-hidden rounded-md border border-border"
              style={{ width: 292, height: 132 }}
              bgColor="var(--background)"
              maskColor="color-mix(in srgb, var(--surface-2) 70%, transparent)"
              maskStrokeColor="var(--border-strong)"
              maskStrokeWidth={1}
              nodeColor={minimapColor}
              nodeStrokeWidth={0}
              nodeBorderRadius={8}
              pannable
              zoomable
              onNodeClick={(_, n) => focusService(n.id)}
              ariaLabel="Minimap of the whole graph, coloured by team"
            />
          </div>
        </div>
      </div>
      <p className="text-xs text-subtle" data-testid="graph-stats">
        {graph.nodes.length} services · {edgeCount} dependencies · {Math.max(0, ...waves.values())} waves
        {layoutState.where === "server" ? " · layout cached on the server" : ""}
        {layoutState.ms !== null ? ` · laid out in ${layoutState.ms} ms${layoutState.where === "worker" ? " (in a worker)" : ""}` : ""}
      </p>

      <RemovalDialog removal={removal} busy={confirming} onCancel={() => setRemoval(null)} onConfirm={() => void confirmRemoval()} />
    </div>
  );
}

function Legend({ lineage }: { lineage: boolean }) {
  return (
    <div className="rounded-md border border-border bg-surface/95 px-3 py-2 text-xs text-muted shadow-sm backdrop-blur" data-testid="graph-legend">
      <div className="flex items-center gap-2">
        <span className="font-medium text-foreground">A</span>
        <svg width="34" height="10" viewBox="0 0 34 10" aria-hidden className="text-subtle">
          <path d="M0 5 H28" stroke="currentColor" strokeWidth="1.5" />
          <path d="M26 1 L33 5 L26 9 Z" fill="currentColor" />
        </svg>
        <span className="font-medium text-foreground">B</span>
        <span>B depends on A · A deploys first</span>
      </div>
      {lineage ? (
        <div className="mt-1.5 flex items-center gap-3">
          <span className="inline-flex items-center gap-1.5">
            <span className="h-0.5 w-4 rounded-full bg-info" aria-hidden /> depends on (upstream)
          </span>
          <span className="inline-flex items-center gap-1.5">
            <span className="h-0.5 w-4 rounded-full bg-success" aria-hidden /> needed by (downstream)
          </span>
        </div>
      ) : null}
    </div>
  );
}

