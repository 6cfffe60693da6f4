import { describe, expect, it } from "vitest";
import { rescorePercent, validateRule, validateThresholds } from "./validate";

describe("rule validation", () => {
  it("accepts increasing thresholds", () => {
    expect(validateThresholds({ warm: 30, hot: 60, qualified: 100 })).toEqual({});
  });

  it("requires warm < hot < qualified and whole numbers", () => {
    expect(validateThresholds({ warm: 60, hot: 60, qualified: 100 })).toEqual({
      hot: "Must be above the warm threshold",
    });
    expect(validateThresholds({ warm: 10, hot: 60, qualified: 50 })).toEqual({
      qualified: "Must be above the hot threshold",
    });
    expect(validateThresholds({ warm: -1, hot: 1.5, qualified: 100 })).toMatchObject({
      warm: expect.any(String),
      hot: expect.any(String),
    });
  });

  it("checks a rule's name, event type and points", () => {
    expect(validateRule({ name: "Demo", eventType: "demo_request", points: 50 })).toEqual({});
    expect(validateRule({ name: " ", eventType: "has space", points: 1.5 })).toEqual({
      name: expect.any(String),
      eventType: expect.any(String),
      points: expect.any(String),
    });
  });

  it("computes rescore progress", () => {
    expect(rescorePercent(undefined)).toBe(0);
    expect(rescorePercent({ total: 0, done: 0 })).toBe(100);
    expect(rescorePercent({ total: 4, done: 1 })).toBe(25);
  });
});
