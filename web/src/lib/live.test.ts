import { describe, expect, it } from "vitest";
import type { Lead, LeadPage } from "../api/types";
import { applyLeadUpdate, pollingDisabled, POLLING_KEY } from "./live";

const lead = (id: number, score: number): Lead => ({
  id,
  anonymousId: `v${id}`,
  email: null,
  name: null,
  company: null,
  currentScore: score,
  leadStage: "cold",
  velocityScore: 0,
  eventsLast24h: 0,
  risk: "low",
  lastEventAt: null,
  createdAt: "2026-11-28T00:00:00Z",
  identified: false,
  traits: {},
});

describe("live cache updates", () => {
  it("updates the matching lead in a cached page", () => {
    const page: LeadPage = { items: [lead(1, 5), lead(2, 10)], total: 2, limit: 25, offset: 0 };
    const { page: next, found } = applyLeadUpdate(page, {
      id: 2,
      anonymousId: "v2",
      email: "a@b.co",
      name: null,
      currentScore: 75,
      leadStage: "hot",
      velocityScore: 9,
      eventsLast24h: 3,
      lastEventAt: "2026-11-28T01:00:00Z",
      previousScore: 10,
      previousStage: "cold",
    });
    expect(found).toBe(true);
    expect(next.items[1]).toMatchObject({ currentScore: 75, leadStage: "hot", email: "a@b.co", eventsLast24h: 3 });
    expect(next.items[0]).toBe(page.items[0]);
  });

  it("reports a lead that is not on the page", () => {
    const page: LeadPage = { items: [lead(1, 5)], total: 1, limit: 25, offset: 0 };
    const result = applyLeadUpdate(page, {
      id: 9,
      anonymousId: null,
      email: null,
      name: null,
      currentScore: 1,
      leadStage: "cold",
      velocityScore: 0,
      eventsLast24h: 1,
      lastEventAt: null,
      previousScore: 0,
      previousStage: "cold",
    });
    expect(result.found).toBe(false);
    expect(result.page).toBe(page);
  });
  it("turns the polling fallback off only when asked to", () => {
    const storage = (value: string | null) => ({ getItem: (key: string) => (key === POLLING_KEY ? value : null) });
    expect(pollingDisabled(storage("off"))).toBe(true);
    expect(pollingDisabled(storage(null))).toBe(false);
    expect(pollingDisabled(storage("on"))).toBe(false);
  });
});
