import { describe, expect, it } from "vitest";
import { MIN_BAR_PX, MIN_SPAN_MS, axisTicks, layoutLanes, panView, zoomView } from "./timeline-model";

const H = 3_600_000;
const T0 = Date.parse("2026-11-20T00:00:00Z");
const item = (id: string, service: string, start: number, end: number | null, environment = "production") => ({
  id,
  service,
  environment,
  startedAt: new Date(start).toISOString(),
  finishedAt: end === null ? null : new Date(end).toISOString(),
});

describe("zoomView", () => {
  it("keeps the anchored instant in place", () => {
    const v = zoomView({ start: 0, end: 10 * H }, 0.5, 0.2, 100 * H);
    expect(v.end - v.start).toBe(5 * H);
    expect(v.start + (v.end - v.start) * 0.2).toBe(2 * H);
  });
  it("stays between a minute and the maximum span", () => {
    expect(zoomView({ start: 0, end: 2 * MIN_SPAN_MS }, 0.01, 0.5, H).end - zoomView({ start: 0, end: 2 * MIN_SPAN_MS }, 0.01, 0.5, H).start).toBe(MIN_SPAN_MS);
    const out = zoomView({ start: 0, end: H }, 10, 0.5, 2 * H);
    expect(out.end - out.start).toBe(2 * H);
  });
  it("pans by a duration", () => {
    expect(panView({ start: 0, end: H }, H)).toEqual({ start: H, end: 2 * H });
  });
});

describe("axisTicks", () => {
  it("picks round steps about the minimum spacing apart", () => {
    const { step, ticks } = axisTicks({ start: T0, end: T0 + 24 * H }, 1200, 96);
    expect(step).toBe(2 * H);
    expect(ticks.length).toBeGreaterThanOrEqual(12);
    for (const t of ticks) expect((t.t - ticks[0]!.t) % step).toBe(0);
  });
  it("uses days for long windows", () => {
    const { step, ticks } = axisTicks({ start: T0, end: T0 + 30 * 24 * H }, 1200, 96);
    expect(step).toBeGreaterThanOrEqual(24 * H);
    expect(ticks.every((t) => t.day)).toBe(true);
  });
  it("has no ticks without a width", () => {
    expect(axisTicks({ start: T0, end: T0 + H }, 0).ticks).toEqual([]);
  });
});

describe("layoutLanes", () => {
  const view = { start: T0, end: T0 + 10 * H };
  it("packs overlapping bars into rows and keeps the lane order", () => {
    const lanes = layoutLanes(
      [item("a", "frontend", T0 + H, T0 + 3 * H), item("b", "frontend", T0 + 2 * H, T0 + 4 * H), item("c", "frontend", T0 + 5 * H, T0 + 6 * H), item("d", "api", T0, T0 + H)],
      (i) => i.service,
      ["frontend", "api"],
      view,
      1000,
      T0 + 10 * H,
    );
    expect(lanes.map((l) => l.key)).toEqual(["frontend", "api"]);
    const f = lanes[0]!;
    expect(f.rows).toBe(2);
    expect(f.bars.find((b) => b.item.id === "a")!.row).toBe(0);
    expect(f.bars.find((b) => b.item.id === "b")!.row).toBe(1);
    expect(f.bars.find((b) => b.item.id === "c")!.row).toBe(0);
    expect(f.bars.find((b) => b.item.id === "a")!.x).toBe(100);
    expect(f.bars.find((b) => b.item.id === "a")!.w).toBe(200);
  });
  it("extends an unfinished deployment to now and gives a short one a minimum width", () => {
    const [lane] = layoutLanes([item("a", "x", T0 + H, null), item("b", "x", T0 + 8 * H, T0 + 8 * H + 1000)], (i) => i.service, [], view, 1000, T0 + 5 * H);
    expect(lane!.bars[0]!.w).toBe(400);
    expect(lane!.bars[1]!.w).toBe(MIN_BAR_PX);
  });
  it("keeps lanes whose bars are outside the view, empty, and caps the rows", () => {
    const many = Array.from({ length: 10 }, (_, i) => item(String(i), "x", T0 + H, T0 + 2 * H));
    const lanes = layoutLanes([...many, item("far", "y", T0 - 5 * H, T0 - 4 * H)], (i) => i.service, [], view, 1000, T0, 3);
    expect(lanes.find((l) => l.key === "x")!.rows).toBe(3);
    expect(lanes.find((l) => l.key === "x")!.bars).toHaveLength(10);
    expect(lanes.find((l) => l.key === "y")!.bars).toHaveLength(0);
  });
});
