import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { mockFetch, renderApp } from "../../test/render";
import { LeadDrawer } from "./LeadDrawer";
import { formatChartTime, scoreSeries, thresholdLines } from "./LeadSections";

const lead = {
  id: 7,
  anonymousId: "visitor-7",
  email: null,
  name: null,
  company: null,
  currentScore: 75,
  leadStage: "hot",
  velocityScore: 10,
  eventsLast24h: 3,
  risk: "low",
  lastEventAt: null,
  createdAt: "2026-11-28T00:00:00Z",
  identified: false,
  traits: {},
  mergedInto: null,
};
const timeline = {
  leadId: 7,
  sessions: [
    {
      sessionId: null,
      startedAt: "2026-11-28T00:00:00Z",
      endedAt: "2026-11-28T00:02:00Z",
      events: [
        {
          id: 3,
          eventId: "e3",
          eventType: "demo_request",
          timestamp: "2026-11-28T00:02:00Z",
          receivedAt: "2026-11-28T00:02:00Z",
          properties: {},
          processed: true,
          delta: 50,
          score: 75,
        },
        {
          id: 2,
          eventId: "e2",
          eventType: "signup",
          timestamp: "2026-11-28T00:01:00Z",
          receivedAt: "2026-11-28T00:01:00Z",
          properties: {},
          processed: true,
          delta: 20,
          score: 25,
        },
      ],
    },
  ],
};

function api(onDelete: () => void) {
  return mockFetch(({ method, url }) => {
    if (url === "/api/leads/7" && method === "DELETE") {
      onDelete();
      return { status: 204 };
    }
    if (url === "/api/leads/7") return { body: lead };
    if (url === "/api/leads/7/timeline") return { body: timeline };
    if (url.startsWith("/api/leads/7/history")) return { body: { items: [], total: 0, limit: 200, offset: 0 } };
    if (url === "/api/leads/7/intelligence")
      return {
        body: {
          stage: "hot",
          eventsLast24h: 12,
          velocity: 36,
          velocityScore: 10,
          velocityTrend: "increasing",
          risk: "low",
          nextAction: "schedule_demo",
          engagementScore: 6,
          churnProbability: 0.01,
          daysSinceLastEvent: 0,
        },
      };
    return undefined;
  });
}

describe("lead drawer", () => {
  it("shows the timeline with per-event deltas and the next action", async () => {
    api(() => undefined);
    renderApp(<LeadDrawer leadId={7} onClose={() => undefined} />, { path: "/", route: "/" });
    expect(await screen.findAllByTestId("timeline-event")).toHaveLength(2);
    expect(screen.getByText("+50")).toBeInTheDocument();
    expect(await screen.findByText("Schedule demo")).toBeInTheDocument();
    expect(screen.getByTestId("drawer-score")).toHaveTextContent("75");
  });

  it("shows velocity on its 0–10 scale and the real event count, not the ×3 figure", async () => {
    api(() => undefined);
    renderApp(<LeadDrawer leadId={7} onClose={() => undefined} />, { path: "/", route: "/" });
    const velocity = (await screen.findByText("Velocity")).closest("div");
    expect(velocity).toHaveTextContent(/^Velocity10\/10$/);
    expect(screen.getByText("Events (24 h)").closest("div")).toHaveTextContent(/^Events \(24 h\)12$/);
    expect(screen.queryByText(/36/)).not.toBeInTheDocument();
  });

  it("deletes only after confirmation", async () => {
    const deleted = vi.fn();
    const onClose = vi.fn();
    api(deleted);
    renderApp(<LeadDrawer leadId={7} onClose={onClose} />, { path: "/", route: "/" });
    await userEvent.click(await screen.findByRole("button", { name: "Delete" }));
    expect(deleted).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(screen.queryByRole("dialog", { name: "Delete this lead?" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Delete" }));
    await userEvent.click(screen.getByRole("button", { name: "Delete permanently" }));
    await waitFor(() => expect(deleted).toHaveBeenCalledOnce());
    await waitFor(() => expect(onClose).toHaveBeenCalled());
  });

  it("orders the score chart oldest first", () => {
    const row = (id: number, at: string, score: number) => ({
      id,
      cause: "event",
      ruleId: null,
      eventRowId: null,
      eventId: null,
      eventType: null,
      eventTimestamp: null,
      points: 0,
      oldScore: 0,
      newScore: score,
      delta: 0,
      detail: null,
      createdAt: at,
    });
    expect(
      scoreSeries([row(2, "2026-11-28T00:02:00Z", 75), row(1, "2026-11-28T00:01:00Z", 25)]).map((p) => p.score),
    ).toEqual([25, 75]);
  });

  it("puts the score on a time axis with dates and marks each stage threshold", () => {
    const t = Date.UTC(2026, 11, 8, 14, 5);
    expect(formatChartTime(t)).toMatch(/^Dec 8, \d\d:05/);
    expect(thresholdLines({ warm: 30, hot: 60, qualified: 100 })).toEqual([
      { stage: "warm", y: 30 },
      { stage: "hot", y: 60 },
      { stage: "qualified", y: 100 },
    ]);
    expect(thresholdLines(undefined)).toEqual([]);
  });
});
