// The deployment timeline's geometry, as pure functions: the time window (zoom and pan), the axis
// ticks, and the lanes with their bars packed into rows so that bars never hide one another.

export const RANGES = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000 } as const;
export type RangeKey = keyof typeof RANGES;
export const isRange = (v: unknown): v is RangeKey => typeof v === "string" && v in RANGES;

export interface View {
  start: number;
  end: number;
}

export const MIN_SPAN_MS = 60_000;

/** Zooms by `factor` (< 1 zooms in) keeping the instant at `anchor` (0..1 of the width) in place. */
export function zoomView(view: View, factor: number, anchor: number, maxSpan: number): View {
  const span = view.end - view.start;
  const next = Math.min(maxSpan, Math.max(MIN_SPAN_MS, span * factor));
  const a = Math.min(1, Math.max(0, anchor));
  const at = view.start + span * a;
  return { start: at - next * a, end: at + next * (1 - a) };
}

export function panView(view: View, deltaMs: number): View {
  return { start: view.start + deltaMs, end: view.end + deltaMs };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY];

export interface Tick {
  t: number;
  /** At a local midnight: labelled with the date. */
  day: boolean;
}

/** Ticks at round local times, about `minSpacingPx` apart or more. */
export function axisTicks(view: View, width: number, minSpacingPx = 96): { step: number; ticks: Tick[] } {
  const span = view.end - view.start;
  if (width <= 0 || span <= 0) return { step: DAY, ticks: [] };
  const wanted = (span / width) * minSpacingPx;
  const step = STEPS.find((s) => s >= wanted) ?? STEPS.at(-1)!;
  const first = new Date(view.start);
  first.setHours(0, 0, 0, 0);
  const ticks: Tick[] = [];
  if (step < DAY) {
    const midnight = first.getTime();
    let t = midnight + Math.ceil((view.start - midnight) / step) * step;
    for (; t <= view.end && ticks.length < 500; t += step) {
      const d = new Date(t);
      ticks.push({ t, day: d.getHours() === 0 && d.getMinutes() === 0 });
    }
  } else {
    const days = Math.round(step / DAY);
    const d = first;
    while (d.getTime() < view.start) d.setDate(d.getDate() + 1);
    for (; d.getTime() <= view.end && ticks.length < 500; d.setDate(d.getDate() + days)) ticks.push({ t: d.getTime(), day: true });
  }
  return { step, ticks };
}

export interface TimelineItem {
  id: string;
  service: string;
  environment: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface PlacedBar<T> {
  item: T;
  x: number;
  w: number;
  row: number;
}

export interface Lane<T> {
  key: string;
  rows: number;
  bars: PlacedBar<T>[];
}

export const MIN_BAR_PX = 4;

/**
 * Lanes in `order` (then any others, sorted), each holding the bars visible in `view`, packed
 * greedily into at most `maxRows` rows by their pixel extent (a bar of a few seconds still takes
 * MIN_BAR_PX). Beyond `maxRows` a bar shares the row that frees up first. Lanes with no item at
 * all in the data are left out; lanes whose bars are all outside the view stay (empty), so that
 * lanes do not jump while panning.
 */
export function layoutLanes<T extends TimelineItem>(
  items: readonly T[],
  laneOf: (item: T) => string,
  order: readonly string[],
  view: View,
  width: number,
  now: number,
  maxRows = 4,
): Lane<T>[] {
  const span = view.end - view.start;
  const byLane = new Map<string, { item: T; start: number; end: number }[]>();
  for (const item of items) {
    const key = laneOf(item);
    const start = Date.parse(item.startedAt);
    const end = item.finishedAt ? Date.parse(item.finishedAt) : Math.max(now, start);
    let list = byLane.get(key);
    if (!list) byLane.set(key, (list = []));
    if (end < view.start || start > view.end || span <= 0 || width <= 0) continue;
    list.push({ item, start, end });
  }
  const known = new Set(order);
  const keys = [...order.filter((k) => byLane.has(k)), ...[...byLane.keys()].filter((k) => !known.has(k)).sort()];
  return keys.map((key) => {
    const list = byLane.get(key)!.sort((a, b) => a.start - b.start);
    const rowEnds: number[] = [];
    const bars: PlacedBar<T>[] = [];
    for (const b of list) {
      const x = ((b.start - view.start) / span) * width;
      const w = Math.max(MIN_BAR_PX, ((b.end - b.start) / span) * width);
      let row = rowEnds.findIndex((e) => e + 2 <= x);
      if (row < 0) {
        if (rowEnds.length < maxRows) row = rowEnds.push(x + w) - 1;
        else row = rowEnds.indexOf(Math.min(...rowEnds));
      }
      rowEnds[row] = Math.max(rowEnds[row] ?? 0, x + w);
      bars.push({ item: b.item, x, w, row });
    }
    return { key, rows: Math.max(1, rowEnds.length), bars };
  });
}
