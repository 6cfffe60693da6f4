/** The one live-update hook: Socket.IO frames → TanStack Query cache updates. */
import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState } from "react";
import { io } from "socket.io-client";
import type { Lead, Page } from "../api/types";

export type LiveStatus = "connecting" | "connected" | "disconnected";

export interface LiveEventFrame {
  id: string;
  leadId: number;
  eventType: string;
  anonymousId: string | null;
  timestamp: string | null;
  receivedAt: string | null;
}

export interface LeadUpdatedFrame {
  id: number;
  anonymousId: string | null;
  email: string | null;
  name: string | null;
  score: number;
  stage: string;
  velocityScore: number;
  eventsLast24h: number;
  lastEventAt: string | null;
  previousScore?: number;
  previousStage?: string;
}

export const LIVE_FEED_KEY = ["live-feed"] as const;
export const LIVE_FEED_LIMIT = 200;

/** Apply a leadUpdated frame to one cached page of leads; report whether the lead was there. */
export function applyLeadUpdate(page: Page<Lead>, frame: LeadUpdatedFrame): { page: Page<Lead>; found: boolean } {
  let found = false;
  const items = page.items.map((lead) => {
    if (lead.id !== frame.id) return lead;
    found = true;
    return {
      ...lead,
      currentScore: frame.score,
      leadStage: frame.stage,
      velocityScore: frame.velocityScore,
      eventsLast24h: frame.eventsLast24h,
      lastEventAt: frame.lastEventAt ?? lead.lastEventAt,
      email: frame.email ?? lead.email,
      name: frame.name ?? lead.name,
    };
  });
  return { page: found ? { ...page, items } : page, found };
}

/** Prepend a frame to the live feed, newest first, keeping at most `limit` (dedup by id). */
export function prependFeed(
  feed: LiveEventFrame[] | undefined,
  frame: LiveEventFrame,
  limit = LIVE_FEED_LIMIT,
): LiveEventFrame[] {
  const rest = (feed ?? []).filter((f) => f.id !== frame.id);
  return [frame, ...rest].slice(0, limit);
}

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
  for (const [key, data] of client.getQueriesData<Page<Lead>>({ queryKey: ["leads"] })) {
    if (!data?.items) continue;
    const { page, found } = applyLeadUpdate(data, frame);
    if (found) {
      seen = true;
      client.setQueryData(key, page);
    }
  }
  // A new lead, or one whose order changed: let the list refetch (sorting is server-side).
  if (!seen || frame.previousStage !== frame.stage || frame.previousScore !== frame.score) invalidate(["leads"]);
  invalidate(["lead", frame.id]);
  invalidate(["leaderboard"]);
}

/** Connect once per signed-in session and keep the query cache current; returns the status. */
export function useLiveUpdates(token: string | null): LiveStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    if (!token) return;
    const invalidate = batcher(client);
    const socket = io({
      path: "/socket.io",
      auth: { token },
      transports: ["websocket", "polling"],
      reconnectionDelayMax: 10_000,
    });
    setStatus("connecting");
    socket.on("connect", () => setStatus("connected"));
    socket.on("disconnect", () => setStatus("disconnected"));
    socket.on("connect_error", () => setStatus("disconnected"));
    socket.on("newEvent", (frame: LiveEventFrame) => {
      client.setQueryData<LiveEventFrame[]>(LIVE_FEED_KEY, (feed) => prependFeed(feed, frame));
      invalidate(["events"]);
      invalidate(["analytics"]);
    });
    socket.on("scoreMutation", (frame: { leadId: number }) => {
      invalidate(["analytics"]);
      invalidate(["lead", frame.leadId]);
    });
    socket.on("leadUpdated", (frame: LeadUpdatedFrame) => handleLeadUpdated(client, invalidate, frame));
    socket.on("leadMerged", (frame: { survivorId: number; mergedId: number }) => {
      invalidate(["leads"]);
      invalidate(["lead", frame.survivorId]);
      invalidate(["lead", frame.mergedId]);
    });
    socket.on("automationExecuted", () => {
      invalidate(["automations"]);
      invalidate(["analytics"]);
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, [client, token]);

  return token ? status : "disconnected";
}

export const LiveStatusContext = createContext<LiveStatus>("disconnected");

export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}

/** Poll only while the live connection is down (a safety net, not the main path). */
export function useFallbackInterval(ms = 15_000): number | false {
  return useLiveStatus() === "connected" ? false : ms;
}
