import { useState } from "react";
import { Link } from "react-router";
import type { Schema } from "../../api/types";
import { formatDateTime, formatRelative, humanize, leadLabel } from "../../lib/format";
import { DataTable, type Column } from "../ui/DataTable";
import { Button, Card, EmptyState, PageHeader } from "../ui/primitives";
import { Input } from "../ui/fields";
import { QueryView } from "../ui/QueryView";
import { useEventFeed } from "./hooks";

type EventRead = Schema<"EventRead">;

/** Who sent an event: its lead as the lead is now (name, e-mail, visitor id), on every row. */
export function eventLead(ev: EventRead): string {
  const { leadId: id, leadName: name = null, leadEmail, anonymousId = null } = ev;
  return leadLabel({ id, name, email: leadEmail ?? ev.email, anonymousId });
}

function columns(): Column<EventRead>[] {
  return [
    { title: "Event", cellClassName: "font-medium", cell: (ev) => humanize(ev.eventType) },
    {
      title: "Lead",
      cell: (ev) => (
        <Link to={`/app/leads/${ev.leadId}`} className="text-brand-700 hover:underline dark:text-brand-100">
          {eventLead(ev)}
        </Link>
      ),
    },
    {
      title: "Properties",
      className: "hidden md:table-cell",
      cellClassName: "max-w-xs truncate font-mono text-xs text-slate-500 dark:text-slate-400",
      cell: (ev) => (Object.keys(ev.properties).length ? JSON.stringify(ev.properties) : "—"),
    },
    {
      title: "When",
      cellClassName: "text-slate-500 dark:text-slate-400",
      cell: (ev) => <span title={formatDateTime(ev.timestamp)}>{formatRelative(ev.timestamp)}</span>,
    },
  ];
}

export default function EventsPage() {
  const [eventType, setEventType] = useState("");
  const feed = useEventFeed(eventType);
  const events = {
    data: feed.data?.pages.flatMap((p) => p.items),
    error: feed.error,
    isPending: feed.isPending,
    refetch: feed.refetch,
  };

  return (
    <>
      <PageHeader title="Events" description="Every event as it arrives. New events appear here without a reload." />
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
        <QueryView
          query={events}
          loadingLabel="Loading events…"
          empty={
            <EmptyState title="No events yet">
              Install the snippet from Integrations or send one from the Simulator.
            </EmptyState>
          }
        >
          {(rows) => (
            <DataTable
              rows={rows}
              columns={columns()}
              rowKey={(ev) => ev.id}
              rowProps={() => ({ className: "animate-fade-in", "data-testid": "event-row" })}
              bodyProps={{ "aria-live": "polite" }}
            />
          )}
        </QueryView>
        {feed.hasNextPage && (
          <div className="border-t border-slate-100 p-3 text-center dark:border-slate-800">
            <Button
              variant="secondary"
              size="sm"
              busy={feed.isFetchingNextPage}
              onClick={() => void feed.fetchNextPage()}
            >
              Load older events
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
