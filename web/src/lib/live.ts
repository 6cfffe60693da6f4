/**
 * The one live-update hook: Socket.IO frames → TanStack Query cache updates. Frame types are
 * generated from the server's OpenAPI document (`LiveFrames`: event name → frame), and frames
 * name their fields like the REST resources, so a `leadUpdated` frame patches a cached lead
 * field for field.
 */
import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { LeadPage, LeadUpdatedFrame, LiveFrames } from "../api/types";

export type LiveStatus = "connecting" | "connected" | "disconnected";

/** What the server sends: each frame's event name with a handler of its generated type. */
type ServerEvents = { [Event in keyof LiveFrames]: (frame: LiveFrames[Event]) => void };

/** Apply a leadUpdated frame to one cached page of leads; report whether the lead was there. */
export function applyLeadUpdate(page: LeadPage, frame: LeadUpdatedFrame): { page: LeadPage; found: boolean } {
  const { currentScore, leadStage, velocityScore, eventsLast24h } = frame;
  let found = false;
  const items = page.items.map((lead) => {
    if (lead.id !== frame.id) return lead;
    found = true;
    return {
      ...lead,
      currentScore,
      leadStage,
      velocityScore,
      eventsLast24h,
      lastEventAt: frame.lastEventAt ?? lead.lastEventAt,
      email: frame.email ?? lead.email,
      name: frame.name ?? lead.name,
    };
  });
  return { page: found ? { ...page, items } : page, found };
}

/** Invalidate query keys at most every 250 ms: a burst of frames costs one refetch per key. */
function batcher(client: QueryClient) {
  const pending = new Map<string, QueryKey>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  return (key: QueryKey) => {
    pending.set(JSON.stringify(key), key);
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const keys = [...pending.values()];
      pending.clear();
      keys.forEach((queryKey) => void client.invalidateQueries({ queryKey }));
    }, 250);
  };
}

function handleLeadUpdated(client: QueryClient, invalidate: (k: QueryKey) => void, frame: LeadUpdatedFrame) {
  let seen = false;
  for (const [key, data] of client.getQueriesData<LeadPage>({ queryKey: ["leads"] })) {
    if (!data?.items) continue;
    const { page, found } = applyLeadUpdate(data, frame);
    if (found) {
      seen = true;
      client.setQueryData(key, page);
    }
  }
  // A new lead, or one whose order changed: let the list refetch (sorting is server-side).
  const moved = frame.previousStage !== frame.leadStage || frame.previousScore !== frame.currentScore;
  if (!seen || moved) invalidate(["leads"]);
  invalidate(["lead", frame.id]);
  invalidate(["leaderboard"]);
}

function listen(socket: Socket<ServerEvents>, client: QueryClient) {
  const invalidate = batcher(client);
  // The Events page refetches its feed: the API names each event's lead as it is now.
  socket.on("newEvent", () => {
    invalidate(["events"]);
    invalidate(["analytics"]);
  });
  socket.on("scoreMutation", (frame) => {
    invalidate(["analytics"]);
    invalidate(["lead", frame.leadId]);
  });
  socket.on("leadUpdated", (frame) => handleLeadUpdated(client, invalidate, frame));
  socket.on("leadMerged", (frame) => {
    invalidate(["leads"]);
    invalidate(["lead", frame.survivorId]);
    invalidate(["lead", frame.mergedId]);
  });
  socket.on("automationExecuted", () => {
    invalidate(["automations"]);
    invalidate(["analytics"]);
  });
}

/** Connect once per signed-in session and keep the query cache current; returns the status. */
export function useLiveUpdates(token: string | null): LiveStatus {
  const client = useQueryClient();
  // The status of the connection made for `token`; a new token starts out "connecting".
  const [state, setState] = useState<{ token: string | null; status: LiveStatus }>({ token, status: "connecting" });

  useEffect(() => {
    if (!token) return;
    const socket: Socket<ServerEvents> = io({
      path: "/socket.io",
      auth: { token },
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 10_000,
    });
    const set = (status: LiveStatus) => setState({ token, status });
    socket.on("connect", () => set("connected"));
    socket.on("disconnect", () => set("disconnected"));
    socket.on("connect_error", () => set("disconnected"));
    listen(socket, client);
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [client, token]);

  if (!token) return "disconnected";
  return state.token === token ? state.status : "connecting";
}

export const LiveStatusContext = createContext<LiveStatus>("disconnected");

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}

/**
 * `localStorage["leadpulse.polling"] = "off"` turns the polling fallback off, so only the live
 * socket updates the screens (the browser test that proves live updates sets it).
 */
export const POLLING_KEY = "leadpulse.polling";

export function pollingDisabled(storage: Pick<Storage, "getItem"> = localStorage): boolean {
  return storage.getItem(POLLING_KEY) === "off";
}

/** Poll only while the live connection is down (a safety net, not the main path). */
export function useFallbackInterval(ms = 15_000): number | false {
  const status = useLiveStatus();
  return status === "connected" || pollingDisabled() ? false : ms;
}
