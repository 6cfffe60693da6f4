import { describe, expect, it } from "vitest";
import type { Schema } from "../../api/types";
import { eventLead } from "./EventsPage";

const event = (overrides: Partial<Schema<"EventRead">>): Schema<"EventRead"> => ({
  id: 1,
  eventId: "e1",
  eventType: "page_view",
  leadId: 7,
  sessionId: null,
  email: null,
  timestamp: "2026-12-08T00:00:00Z",
  receivedAt: "2026-12-08T00:00:00Z",
  properties: {},
  processed: true,
  ...overrides,
});

describe("event feed rows", () => {
  it("name the lead as it is now, also on events sent before it was identified", () => {
    expect(eventLead(event({ leadEmail: "ada@example.com", anonymousId: "v-1" }))).toBe("ada@example.com");
    expect(eventLead(event({ leadName: "Ada", leadEmail: "ada@example.com" }))).toBe("Ada");
    expect(eventLead(event({ anonymousId: "v-1" }))).toBe("v-1");
    expect(eventLead(event({}))).toBe("Lead #7");
  });
});
