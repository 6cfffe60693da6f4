import { describe, expect, it } from "vitest";
import { projectPatch } from "./SettingsPage";

describe("project settings", () => {
  it("sends the daily decay as a fraction and an empty domain as null", () => {
    expect(
      projectPatch({ name: " Acme ", domain: "", decayEnabled: true, decayGraceDays: "14", decayDailyRate: "2.5" }),
    ).toEqual({
      name: "Acme",
      domain: null,
      decayEnabled: true,
      decayGraceDays: 14,
      decayDailyRate: 0.025,
    });
  });
});
