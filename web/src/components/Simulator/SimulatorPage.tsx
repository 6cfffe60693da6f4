import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { request } from "../../api/http";
import type { Lead, Rule } from "../../api/types";
import { formatDelta, formatRelative, humanize } from "../../lib/format";
import { errorMessage, fieldErrors } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { StageBadge } from "../Leads/badges";
import { useRules } from "../Rules/hooks";
import { Button, Card, EmptyState, Field, Input, PageHeader, TextField } from "../ui/primitives";

interface Sent {
  eventId: string;
  leadId: number;
  eventType: string;
  at: string;
}

export const PRESET_EVENTS = [
  "page_view",
  "signup",
  "demo_request",
  "pricing_page_view",
  "email_open",
  "form_submit",
  "trial_started",
  "unsubscribe",
];

/** The POST /api/events body: an email goes with the anonymous id (identify), not instead of it. */
export function simulatorBody(eventType: string, anonymousId: string, email: string, properties: string) {
  let props: Record<string, unknown> = {};
  if (properties.trim()) props = JSON.parse(properties) as Record<string, unknown>;
  return {
    eventType: eventType.trim(),
    anonymousId: anonymousId.trim(),
    ...(email.trim() ? { email: email.trim() } : {}),
    properties: props,
  };
}

function newVisitorId(): string {
  return `visitor-${Math.random().toString(36).slice(2, 10)}`;
}

function LiveLead({ leadId }: { leadId: number }) {
  const { data } = useQuery({
    queryKey: ["lead", leadId],
    queryFn: () => request<Lead>(`/api/leads/${leadId}`),
    refetchInterval: 5_000,
  });
  if (!data) return null;
  return (
    <Card title="This lead, live">
      <div className="flex items-center gap-6">
        <div>
          <p className="text-xs text-slate-500">Score</p>
          <p className="text-5xl font-semibold tabular-nums" data-testid="simulator-score">
            {data.currentScore}
          </p>
        </div>
        <div className="space-y-2">
          <StageBadge stage={data.leadStage} />
          <p className="text-xs text-slate-500">
            {data.eventCount ?? "?"} events · last {formatRelative(data.lastEventAt)}
          </p>
          <Link to={`/app/leads/${leadId}`} className="text-sm font-medium text-brand-600 hover:underline">
            Open lead →
          </Link>
        </div>
      </div>
    </Card>
  );
}

export default function SimulatorPage() {
  const toast = useToast();
  const rules = useRules();
  const [eventType, setEventType] = useState("page_view");
  const [anonymousId, setAnonymousId] = useState(newVisitorId);
  const [email, setEmail] = useState("");
  const [properties, setProperties] = useState("");
  const [propsError, setPropsError] = useState<string | undefined>();
  const [sent, setSent] = useState<Sent[]>([]);
  const points = new Map((rules.data ?? []).filter((r: Rule) => r.active).map((r) => [r.eventType, r.points]));
  const options = [...new Set([...(rules.data ?? []).map((r) => r.eventType), ...PRESET_EVENTS])];

  const send = useMutation({
    mutationFn: (body: ReturnType<typeof simulatorBody>) =>
      request<{ eventId: string; leadId: number; status: string }>("/api/events", { method: "POST", body }),
    onSuccess: (r, body) => {
      setSent((s) =>
        [{ eventId: r.eventId, leadId: r.leadId, eventType: body.eventType, at: new Date().toISOString() }, ...s].slice(
          0,
          20,
        ),
      );
      toast.success(r.status === "duplicate" ? "Duplicate event ignored" : `${humanize(body.eventType)} sent`);
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  const errors = fieldErrors(send.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    try {
      setPropsError(undefined);
      send.mutate(simulatorBody(eventType, anonymousId, email, properties));
    } catch {
      setPropsError("Properties must be a JSON object");
    }
  };
  const leadId = sent[0]?.leadId;

  return (
    <>
      <PageHeader title="Simulator" description="Send events as a visitor would and watch the score move." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Send an event">
          <form onSubmit={submit} className="space-y-4" aria-label="Send an event">
            <div>
              <p className="mb-2 text-sm font-medium text-slate-700 dark:text-slate-300">Quick pick</p>
              <div className="flex flex-wrap gap-1.5">
                {options.slice(0, 10).map((t) => (
                  <button
                    key={t}
                    type="button"
                    aria-pressed={eventType === t}
                    onClick={() => setEventType(t)}
                    className={`rounded-full px-2.5 py-1 text-xs font-medium ring-1 ${eventType === t ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-600 ring-slate-300 hover:bg-slate-50 dark:bg-slate-900 dark:text-slate-300 dark:ring-slate-700"}`}
                  >
                    {t}
                    {points.has(t) && <span className="ml-1 opacity-70">{formatDelta(points.get(t) ?? 0)}</span>}
                  </button>
                ))}
              </div>
            </div>
            <TextField
              label="Event type"
              value={eventType}
              onChange={(e) => setEventType(e.target.value)}
              error={errors.eventType}
              list="simulator-event-types"
            />
            <datalist id="simulator-event-types">
              {options.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
            <Field label="Anonymous id" htmlFor="sim-anon" error={errors.anonymousId}>
              <div className="flex gap-2">
                <Input id="sim-anon" value={anonymousId} onChange={(e) => setAnonymousId(e.target.value)} />
                <Button
                  variant="secondary"
                  className="shrink-0 whitespace-nowrap"
                  onClick={() => {
                    setAnonymousId(newVisitorId());
                    setSent([]);
                  }}
                >
                  New visitor
                </Button>
              </div>
            </Field>
            <TextField
              label="Email (optional — identifies the visitor)"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.email}
            />
            <TextField
              label="Properties (optional JSON)"
              value={properties}
              onChange={(e) => setProperties(e.target.value)}
              error={propsError ?? errors.properties}
              placeholder='{"plan": "pro"}'
            />
            <Button type="submit" busy={send.isPending}>
              Send event
            </Button>
          </form>
        </Card>
        <div className="space-y-6">
          {leadId ? <LiveLead leadId={leadId} /> : null}
          <Card title="Sent this session" bodyClassName="">
            {sent.length === 0 ? (
              <EmptyState title="Nothing sent yet">Pick an event and press Send.</EmptyState>
            ) : (
              <ul className="divide-y divide-slate-100 dark:divide-slate-800">
                {sent.map((s) => (
                  <li
                    key={s.eventId}
                    data-testid="sent-event"
                    className="flex items-center justify-between px-5 py-2.5 text-sm"
                  >
                    <span className="font-medium">{humanize(s.eventType)}</span>
                    <span className="text-xs text-slate-500">
                      lead #{s.leadId} · {formatRelative(s.at)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
