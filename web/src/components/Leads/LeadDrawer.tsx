import { useState } from "react";
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { download } from "../../api/http";
import type { HistoryRow } from "../../api/types";
import { formatDateTime, formatDelta, formatPercent, formatRelative, humanize, leadLabel } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { ConfirmDialog, Drawer } from "../ui/Dialog";
import { Button, EmptyState, ErrorState, Loading } from "../ui/primitives";
import { IdentityBadge, RiskBadge, StageBadge } from "./badges";
import { useDeleteLead, useHistory, useIntelligence, useLead, useTimeline } from "./hooks";

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="mb-7">
      <h3 className="mb-3 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{title}</h3>
      {children}
    </section>
  );
}

/** Oldest-first points for the score chart. */
export function scoreSeries(rows: HistoryRow[]): { at: string; score: number }[] {
  return [...rows]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    .map((r) => ({ at: formatDateTime(r.createdAt), score: r.newScore }));
}

function ScoreChart({ leadId }: { leadId: number }) {
  const { data, error, isPending } = useHistory(leadId);
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} />;
  const series = scoreSeries(data.items);
  if (series.length === 0) return <EmptyState title="No score changes yet" />;
  return (
    <div className="h-48" role="img" aria-label="Score over time">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={series} margin={{ top: 5, right: 10, left: -20, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.08} />
          <XAxis dataKey="at" hide />
          <YAxis allowDecimals={false} tick={{ fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} />
          <Tooltip />
          <Line
            type="monotone"
            dataKey="score"
            stroke="#6366f1"
            strokeWidth={2}
            dot={{ r: 3 }}
            name="Score"
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function Intel({ leadId }: { leadId: number }) {
  const { data, error, isPending } = useIntelligence(leadId);
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} />;
  const items: [string, React.ReactNode][] = [
    ["Risk", <RiskBadge key="r" risk={data.risk} />],
    ["Velocity trend", humanize(data.velocityTrend)],
    ["Velocity", `${data.velocityScore}/100 (${data.velocity} events/24 h)`],
    ["Engagement", `${Math.round(data.engagementScore)}`],
    ["Churn probability", formatPercent(data.churnProbability)],
    ["Days since last event", data.daysSinceLastEvent == null ? "—" : data.daysSinceLastEvent.toFixed(1)],
  ];
  return (
    <>
      <div className="mb-4 rounded-lg bg-brand-50 px-4 py-3 text-sm text-brand-700 ring-1 ring-brand-100 dark:bg-brand-600/10 dark:text-brand-100 dark:ring-brand-600/30">
        <span className="font-semibold">Next action: </span>
        {humanize(data.nextAction)}
      </div>
      <dl className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm">
        {items.map(([k, v]) => (
          <div key={k}>
            <dt className="text-xs text-slate-500 dark:text-slate-400">{k}</dt>
            <dd className="mt-0.5 font-medium">{v}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

function Timeline({ leadId }: { leadId: number }) {
  const { data, error, isPending } = useTimeline(leadId);
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} />;
  if (data.length === 0) return <EmptyState title="No events yet" />;
  return (
    <ol className="space-y-5">
      {data.map((session, i) => (
        <li key={session.sessionId ?? `none-${i}`}>
          <p className="mb-2 text-xs font-medium text-slate-500 dark:text-slate-400">
            {session.sessionId ? `Session ${session.sessionId.slice(0, 12)}` : "Events without a session"} ·{" "}
            {formatDateTime(session.startedAt)}
          </p>
          <ul className="space-y-0 border-l-2 border-slate-200 pl-4 dark:border-slate-700">
            {session.events.map((ev) => (
              <li
                key={ev.id}
                data-testid="timeline-event"
                className="relative flex items-center justify-between gap-3 py-1.5 text-sm"
              >
                <span className="absolute top-3 -left-[1.3rem] h-2 w-2 rounded-full bg-brand-500" aria-hidden="true" />
                <div className="min-w-0">
                  <span className="font-medium">{humanize(ev.eventType)}</span>
                  <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
                    {formatRelative(ev.timestamp)}
                  </span>
                </div>
                <div className="shrink-0 text-right tabular-nums">
                  <span
                    className={
                      ev.delta > 0
                        ? "text-emerald-600 dark:text-emerald-400"
                        : ev.delta < 0
                          ? "text-rose-600"
                          : "text-slate-400"
                    }
                  >
                    {formatDelta(ev.delta)}
                  </span>
                  {ev.score != null && <span className="ml-2 text-xs text-slate-500">→ {ev.score}</span>}
                  {!ev.processed && <span className="ml-2 text-xs text-amber-600">pending</span>}
                </div>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

export function LeadDrawer({ leadId, onClose }: { leadId: number; onClose: () => void }) {
  const { data: lead, error, isPending } = useLead(leadId);
  const history = useHistory(leadId);
  const remove = useDeleteLead();
  const toast = useToast();
  const [confirm, setConfirm] = useState(false);
  const merges = (history.data?.items ?? []).filter((r) => r.cause.includes("merge"));

  const exportJson = async () => {
    try {
      await download(`/api/leads/${leadId}/export`, undefined, `lead-${leadId}.json`);
      toast.success("Lead data exported");
    } catch (e) {
      toast.error(errorMessage(e));
    }
  };
  const erase = () =>
    remove.mutate(leadId, {
      onSuccess: () => {
        toast.success("Lead and all its data deleted");
        onClose();
      },
      onError: (e) => toast.error(errorMessage(e)),
    });

  return (
    <Drawer
      title={lead ? leadLabel(lead) : `Lead #${leadId}`}
      subtitle={
        lead
          ? [lead.name ? lead.email : null, lead.company].filter(Boolean).join(" · ") ||
            (lead.identified ? undefined : "Anonymous visitor")
          : undefined
      }
      onClose={onClose}
    >
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : (
        <>
          {lead.mergedInto && (
            <p className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-200">
              This lead was merged into lead #{lead.mergedInto}.
            </p>
          )}
          <div className="mb-7 flex flex-wrap items-center gap-4">
            <div>
              <p className="text-xs text-slate-500 dark:text-slate-400">Score</p>
              <p className="text-4xl font-semibold tabular-nums" data-testid="drawer-score">
                {lead.currentScore}
              </p>
            </div>
            <div className="flex flex-wrap gap-2">
              <StageBadge stage={lead.leadStage} />
              <RiskBadge risk={lead.risk} />
              <IdentityBadge identified={lead.identified} />
            </div>
            <div className="ml-auto flex gap-2">
              <Button size="sm" variant="secondary" onClick={exportJson}>
                Export data
              </Button>
              <Button size="sm" variant="danger" onClick={() => setConfirm(true)}>
                Delete
              </Button>
            </div>
          </div>
          <Section title="Score over time">
            <ScoreChart leadId={leadId} />
          </Section>
          <Section title="Intelligence">
            <Intel leadId={leadId} />
          </Section>
          <Section title="Timeline">
            <Timeline leadId={leadId} />
          </Section>
          <Section title="Merge history">
            {merges.length === 0 ? (
              <p className="text-sm text-slate-500 dark:text-slate-400">No merges: this lead has a single identity.</p>
            ) : (
              <ul className="space-y-1 text-sm">
                {merges.map((m) => (
                  <li key={m.id}>
                    {formatDateTime(m.createdAt)} — {humanize(m.cause)} ({formatDelta(m.delta)})
                  </li>
                ))}
              </ul>
            )}
          </Section>
          {Object.keys(lead.traits ?? {}).length > 0 && (
            <Section title="Traits">
              <dl className="grid grid-cols-2 gap-2 text-sm">
                {Object.entries(lead.traits).map(([k, v]) => (
                  <div key={k}>
                    <dt className="text-xs text-slate-500">{k}</dt>
                    <dd className="truncate">{String(v)}</dd>
                  </div>
                ))}
              </dl>
            </Section>
          )}
        </>
      )}
      {confirm && (
        <ConfirmDialog
          title="Delete this lead?"
          message="This permanently erases the lead, its events, score history and automation runs (GDPR erasure). It cannot be undone."
          confirmLabel="Delete permanently"
          busy={remove.isPending}
          onCancel={() => setConfirm(false)}
          onConfirm={erase}
        />
      )}
    </Drawer>
  );
}
