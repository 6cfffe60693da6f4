import { useInfiniteQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import { useFallbackInterval } from "../../lib/live";

/** The event feed, newest first, one page of 50 at a time (cursor pagination). */
export function useEventFeed(eventType: string) {
  const refetchInterval = useFallbackInterval(10_000);
  return useInfiniteQuery({
    queryKey: ["events", { eventType }],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/events", { params: { query: { eventType, limit: 50, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval,
  });
}
