import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { formatDelta, formatRelative, humanize } from "../../lib/format";
import { useForm } from "../../lib/form";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ScoreFigure, StageBadge } from "../Leads/badges";
import { useLead } from "../Leads/hooks";
import { useRules } from "../Rules/hooks";
import { Button, Card, EmptyState, PageHeader, Pill } from "../ui/primitives";
import { Field, Input, TextField } from "../ui/fields";
import { ItemList } from "../ui/QueryView";
import { useSendEvent, type EventBody } from "./hooks";

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
export function simulatorBody(eventType: string, anonymousId: string, email: string, properties: string): EventBody {
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
  const { data } = useLead(leadId, 5_000);
  if (!data) return null;
  return (
    <Card title="This lead, live">
      <div className="flex items-center gap-6">
        <ScoreFigure score={data.currentScore} testId="simulator-score" large />
        <div className="space-y-2">
          <StageBadge stage={data.leadStage} />
          <p className="text-xs text-slate-500 dark:text-slate-400">
            {data.eventCount ?? "?"} events · last {formatRelative(data.lastEventAt)}
          </p>
          <Link
            to={`/app/leads/${leadId}`}
            className="text-sm font-medium text-brand-600 dark:text-brand-300 hover:underline"
          >
            Open lead →
          </Link>
        </div>
      </div>
    </Card>
  );
}

function QuickPick({ value, onPick }: { value: string; onPick: (eventType: string) => void }) {
  const rules = useRules();
  const points = new Map((rules.data ?? []).filter((r) => r.active).map((r) => [r.eventType, r.points]));
  const options = [...new Set([...(rules.data ?? []).map((r) => r.eventType), ...PRESET_EVENTS])];
  return (
    <>
      <div>
        <p className="mb-2 text-sm font-medium text-slate-700 dark:text-slate-300">Quick pick</p>
        <div className="flex flex-wrap gap-1.5">
          {options.slice(0, 10).map((t) => (
            <Pill key={t} pressed={value === t} onClick={() => onPick(t)} className="px-2.5">
              {t}
              {points.has(t) && (
                <span className="ml-1 font-normal tabular-nums">{formatDelta(points.get(t) ?? 0)}</span>
              )}
            </Pill>
          ))}
        </div>
      </div>
      <datalist id="simulator-event-types">
        {options.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </>
  );
}

function SendForm({ onSent, onNewVisitor }: { onSent: (sent: Sent) => void; onNewVisitor: () => void }) {
  const toast = useToast();
  const send = useSendEvent();
  const blank = () => ({ eventType: "page_view", anonymousId: newVisitorId(), email: "", properties: "" });
  const form = useForm(blank, send.error);
  const { eventType, anonymousId, email, properties } = form.values;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    let body: EventBody;
    try {
      body = simulatorBody(eventType, anonymousId, email, properties);
    } catch {
      form.check({ properties: "Properties must be a JSON object" });
      return;
    }
    form.check({});
    send.mutate(body, {
      onSuccess: (r) => {
        onSent({ eventId: r.eventId, leadId: r.leadId, eventType: body.eventType, at: new Date().toISOString() });
        toast.success(r.status === "duplicate" ? "Duplicate event ignored" : `${humanize(body.eventType)} sent`);
      },
      onError: (err) => toast.error(errorMessage(err)),
    });
  };
  const newVisitor = () => {
    form.set("anonymousId", newVisitorId());
    onNewVisitor();
  };
  const anonymous = form.field("anonymousId");
  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Send an event">
      <QuickPick value={eventType} onPick={(t) => form.set("eventType", t)} />
      <TextField label="Event type" list="simulator-event-types" {...form.field("eventType")} />
      <Field label="Anonymous id" htmlFor="sim-anon" error={anonymous.error}>
        <div className="flex gap-2">
          <Input id="sim-anon" value={anonymous.value} onChange={anonymous.onChange} />
          <Button variant="secondary" className="shrink-0 whitespace-nowrap" onClick={newVisitor}>
            New visitor
          </Button>
        </div>
      </Field>
      <TextField label="Email (optional — identifies the visitor)" type="email" {...form.field("email")} />
      <TextField label="Properties (optional JSON)" placeholder='{"plan": "pro"}' {...form.field("properties")} />
      <Button type="submit" busy={send.isPending}>
        Send event
      </Button>
    </form>
  );
}

export default function SimulatorPage() {
  const [sent, setSent] = useState<Sent[]>([]);
  const leadId = sent[0]?.leadId;
  return (
    <>
      <PageHeader title="Simulator" description="Send events as a visitor would and watch the score move." />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Send an event">
          <SendForm onSent={(one) => setSent((s) => [one, ...s].slice(0, 20))} onNewVisitor={() => setSent([])} />
        </Card>
        <div className="space-y-6">
          {leadId ? <LiveLead leadId={leadId} /> : null}
          <Card title="Sent this session" bodyClassName="">
            {sent.length === 0 ? (
              <EmptyState title="Nothing sent yet">Pick an event and press Send.</EmptyState>
            ) : (
              <ItemList items={sent} itemKey={(s) => s.eventId} itemProps={{ "data-testid": "sent-event" }}>
                {(s) => (
                  <>
                    <span className="font-medium">{humanize(s.eventType)}</span>
                    <span className="text-xs text-slate-500 dark:text-slate-400">
                      lead #{s.leadId} · {formatRelative(s.at)}
                    </span>
                  </>
                )}
              </ItemList>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
