import { describe, expect, it } from "vitest";
import { formatDelta, formatNumber, formatPercent, formatRelative, humanize, leadLabel, stageStyle } from "./format";

const NOW = new Date("2026-11-28T12:00:00Z");

describe("formatting", () => {
  it("formats relative times", () => {
    expect(formatRelative(null, NOW)).toBe("never");
    expect(formatRelative("2026-11-28T11:59:50Z", NOW)).toBe("just now");
    expect(formatRelative("2026-11-28T11:55:00Z", NOW)).toBe("5 min ago");
    expect(formatRelative("2026-11-28T09:00:00Z", NOW)).toBe("3 h ago");
    expect(formatRelative("2026-11-26T12:00:00Z", NOW)).toBe("2 d ago");
    expect(formatRelative("garbage", NOW)).toBe("—");
  });

  it("formats deltas with a sign", () => {
    expect(formatDelta(50)).toBe("+50");
    expect(formatDelta(-20)).toBe("−20");
    expect(formatDelta(0)).toBe("±0");
  });

  it("formats numbers and percentages", () => {
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(3.14159)).toBe("3.1");
    expect(formatPercent(0.256)).toBe("26%");
  });

  it("labels a lead by name, email, anonymous id, then id", () => {
    expect(leadLabel({ id: 1, name: "Ada", email: "a@x.io", anonymousId: "v1" })).toBe("Ada");
    expect(leadLabel({ id: 1, name: null, email: "a@x.io", anonymousId: "v1" })).toBe("a@x.io");
    expect(leadLabel({ id: 1, name: null, email: null, anonymousId: "v1" })).toBe("v1");
    expect(leadLabel({ id: 7, name: null, email: null, anonymousId: null })).toBe("Lead #7");
  });

  it("humanizes identifiers and styles unknown stages as cold", () => {
    expect(humanize("schedule_demo")).toBe("Schedule demo");
    expect(stageStyle("mystery")).toBe(stageStyle("cold"));
  });
});
