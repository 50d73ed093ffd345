import { describe, expect, it } from "vitest";
import { changeOf, csvHref, formatTime, formatValue, insightsHref, recordsHref, selectionFrom } from "./format.ts";

describe("insights formatting", () => {
  it("writes values in their unit", () => {
    expect(formatValue(99.4231, "%")).toBe("99.42 %");
    expect(formatValue(100, "%")).toBe("100 %");
    expect(formatValue(85.714, "%")).toBe("85.7 %");
    expect(formatValue(6.5, "minutes")).toBe("6.5 min");
    expect(formatValue(90, "minutes")).toBe("1.5 h");
    expect(formatValue(0.5, "hours")).toBe("30 min");
    expect(formatValue(16.556, "hours")).toBe("16.6 h");
    expect(formatValue(72, "hours")).toBe("3 days");
    expect(formatValue(4.2, "per day")).toBe("4.2 / day");
    expect(formatValue(3 / 7, "per day")).toBe("3 / week");
    expect(formatValue(0.05, "per day")).toBe("1.5 / month");
    expect(formatValue(0, "per day")).toBe("none");
    expect(formatValue(null, "%")).toBe("—");
  });

  it("keeps the selection in the links", () => {
    expect(insightsHref({ range: "30d" })).toBe("/insights");
    expect(insightsHref({ range: "7d", team: "payments" })).toBe("/insights?range=7d&team=payments");
    expect(recordsHref("leadTime", { range: "custom", from: "2026-01-01", to: "2026-01-31" }, 50)).toBe("/insights/records?range=custom&from=2026-01-01&to=2026-01-31&metric=leadTime&offset=50");
    expect(csvHref("records", { from: "2026-01-01", to: "2026-01-31" }, { team: "payments", metric: "mttrMinutes" })).toBe(
      "/api/v1/insights/records?from=2026-01-01&to=2026-01-31&format=csv&team=payments&metric=mttrMinutes",
    );
  });

  it("writes times in UTC and the change against the previous period", () => {
    expect(formatTime("2026-03-01T10:05:33.000Z")).toBe("2026-03-01 10:05 UTC");
    expect(changeOf(99.5, 99, true)).toEqual({ text: "up from 99", tone: "better" });
    expect(changeOf(8, 6, false)).toEqual({ text: "up from 6", tone: "worse" });
    expect(changeOf(5, 5, false)?.tone).toBe("same");
    expect(changeOf(null, 5, true)).toBeNull();
  });
});

describe("the selection in the URL", () => {
  it("reads presets, custom dates and the team, and falls back to 30 days with the reason", () => {
    expect(selectionFrom({}, "2026-03-31")).toEqual({ selection: { range: "30d" }, period: { from: "2026-03-02", to: "2026-03-31" }, problem: null });
    expect(selectionFrom({ range: "7d", team: "payments" }, "2026-03-31")).toEqual({ selection: { range: "7d", team: "payments" }, period: { from: "2026-03-25", to: "2026-03-31" }, problem: null });
    expect(selectionFrom({ range: "custom", from: "2026-01-01", to: "2026-01-31" }, "2026-03-31").period).toEqual({ from: "2026-01-01", to: "2026-01-31" });
    expect(selectionFrom({ range: "custom", from: "2026-02-01", to: "2026-01-31" }, "2026-03-31").problem).toBe("The custom period starts after it ends. Showing the last 30 days.");
    expect(selectionFrom({ range: "custom", from: "2026-02-30", to: "2026-03-01" }, "2026-03-31").selection).toEqual({ range: "30d" });
  });
});
