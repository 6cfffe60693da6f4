import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { request } from "../../api/http";
import type { EventItem } from "../../api/types";
import { formatDateTime, formatRelative, humanize } from "../../lib/format";
import { LIVE_FEED_KEY, useFallbackInterval, useLiveStatus, type LiveEventFrame } from "../../lib/live";
import { LiveIndicator } from "../Layout/AppShell";
import { Button, Card, EmptyState, ErrorState, Input, Loading, PageHeader, Td, Th } from "../ui/primitives";

interface EventPage {
  items: EventItem[];
  nextCursor: string | null;
}

export default function EventsPage() {
  const [eventType, setEventType] = useState("");
  const status = useLiveStatus();
  const refetchInterval = useFallbackInterval(10_000);
  const query = useInfiniteQuery({
    queryKey: ["events", { eventType }],
    queryFn: ({ pageParam }) =>
      request<EventPage>("/api/events", { query: { eventType: eventType || undefined, limit: 50, cursor: pageParam } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval,
  });
  const events = query.data?.pages.flatMap((p) => p.items) ?? [];
  // The live stream knows each new event's anonymous id; the list endpoint does not.
  const live = useQueryClient().getQueryData<LiveEventFrame[]>(LIVE_FEED_KEY) ?? [];
  const anonymous = new Map(live.map((f) => [f.id, f.anonymousId]));

  return (
    <>
      <PageHeader
        title="Events"
        description="Every event as it arrives. New events appear here without a reload."
        actions={<LiveIndicator status={status} />}
      />
      <Card bodyClassName="">
        <div className="border-b border-slate-100 p-4 dark:border-slate-800">
          <label htmlFor="event-type-filter" className="sr-only">
            Filter by event type
          </label>
          <Input
            id="event-type-filter"
            className="sm:max-w-xs"
            placeholder="Filter by event type, e.g. page_view"
            value={eventType}
            onChange={(e) => setEventType(e.target.value.trim())}
          />
        </div>
        {query.isPending ? (
          <Loading label="Loading events…" />
        ) : query.error ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : events.length === 0 ? (
          <EmptyState title="No events yet">
            Install the snippet from Integrations or send one from the Simulator.
          </EmptyState>
        ) : (
          <div className="overflow-x-auto">
            <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
              <thead className="bg-slate-50/60 dark:bg-slate-900">
                <tr>
                  <Th>Event</Th>
                  <Th>Lead</Th>
                  <Th className="hidden md:table-cell">Properties</Th>
                  <Th>When</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800" aria-live="polite">
                {events.map((ev) => (
                  <tr key={ev.id} className="animate-fade-in" data-testid="event-row">
                    <Td className="font-medium">{humanize(ev.eventType)}</Td>
                    <Td>
                      <Link
                        to={`/app/leads/${ev.leadId}`}
                        className="text-brand-600 hover:underline dark:text-brand-100"
                      >
                        {ev.email || anonymous.get(ev.eventId) || `Lead #${ev.leadId}`}
                      </Link>
                    </Td>
                    <Td className="hidden max-w-xs truncate font-mono text-xs text-slate-500 md:table-cell">
                      {ev.properties && Object.keys(ev.properties).length ? JSON.stringify(ev.properties) : "—"}
                    </Td>
                    <Td className="text-slate-500">
                      <span title={formatDateTime(ev.timestamp)}>{formatRelative(ev.timestamp)}</span>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {query.hasNextPage && (
          <div className="border-t border-slate-100 p-3 text-center dark:border-slate-800">
            <Button
              variant="secondary"
              size="sm"
              busy={query.isFetchingNextPage}
              onClick={() => void query.fetchNextPage()}
            >
              Load older events
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
