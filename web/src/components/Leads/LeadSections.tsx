/** The lead drawer's sections: score over time, intelligence, timeline, merges, traits. */
import type { ReactNode } from "react";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { HistoryRow, Lead, Stage, StageThresholds } from "../../api/types";
import {
  formatDateTime,
  formatDelta,
  formatNumber,
  formatPercent,
  formatRelative,
  humanize,
  STAGE_COLORS,
} from "../../lib/format";
import { useStages } from "../Rules/hooks";
import { EmptyState, Figures } from "../ui/primitives";
import { QueryView } from "../ui/QueryView";
import { RiskBadge } from "./badges";
import { useHistory, useIntelligence, useTimeline } from "./hooks";

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="mb-7">
      <h3 className="mb-3 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{title}</h3>
      {children}
    </section>
  );
}

/** Oldest-first points for the score chart; `t` is the change's time in ms (the time axis). */
export function scoreSeries(rows: HistoryRow[]): { t: number; score: number }[] {
  return [...rows]
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
    .map((r) => ({ t: new Date(r.createdAt).getTime(), score: r.newScore }));
}

/** A time-axis tick: "Dec 8, 14:05". */
export function formatChartTime(ms: number): string {
  return new Date(ms).toLocaleString("en-US", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** The stage lines drawn over the chart: where warm, hot and qualified begin. */
export function thresholdLines(stages: StageThresholds | undefined): { stage: Stage; y: number }[] {
  if (!stages) return [];
  return (["warm", "hot", "qualified"] as const).map((stage) => ({ stage, y: stages[stage] }));
}

const axis = { tick: { fontSize: 11 }, stroke: "currentColor", strokeOpacity: 0.5 } as const;

function ScoreLines({ rows }: { rows: HistoryRow[] }) {
  const lines = thresholdLines(useStages().data);
  const top = Math.max(0, ...lines.map((l) => l.y));
  return (
    <div className="h-56" role="img" aria-label="Score over time, with the stage thresholds">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={scoreSeries(rows)} margin={{ top: 8, right: 88, left: -20, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.08} />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={formatChartTime}
            minTickGap={24}
            {...axis}
          />
          <YAxis allowDecimals={false} domain={[0, (max: number) => Math.max(max, top)]} {...axis} />
          <Tooltip labelFormatter={(t) => formatChartTime(Number(t))} />
          {lines.map(({ stage, y }) => (
            <ReferenceLine
              key={stage}
              y={y}
              stroke={STAGE_COLORS[stage]}
              strokeDasharray="4 4"
              label={{ value: `${stage} ${y}`, position: "right", fontSize: 11, fill: "currentColor" }}
            />
          ))}
          <Line
            type="stepAfter"
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

export function ScoreChart({ leadId }: { leadId: number }) {
  const history = useHistory(leadId);
  return (
    <QueryView
      query={history}
      isEmpty={(page) => page.items.length === 0}
      empty={<EmptyState title="No score changes yet" />}
    >
      {(page) => <ScoreLines rows={page.items} />}
    </QueryView>
  );
}

export function Intel({ leadId }: { leadId: number }) {
  const intelligence = useIntelligence(leadId);
  return (
    <QueryView query={intelligence}>
      {(data) => (
        <>
          <div className="mb-4 rounded-lg bg-brand-50 px-4 py-3 text-sm text-brand-700 ring-1 ring-brand-100 dark:bg-brand-600/10 dark:text-brand-100 dark:ring-brand-600/30">
            <span className="font-semibold">Next action: </span>
            {humanize(data.nextAction)}
          </div>
          <Figures
            className="grid grid-cols-2 gap-x-6 gap-y-3 text-sm"
            valueClassName="mt-0.5 font-medium"
            items={[
              { label: "Risk", value: <RiskBadge risk={data.risk} /> },
              { label: "Velocity trend", value: humanize(data.velocityTrend) },
              { label: "Velocity", value: `${data.velocityScore}/10` },
              { label: "Events (24 h)", value: formatNumber(data.eventsLast24h) },
              { label: "Engagement", value: `${Math.round(data.engagementScore)}` },
              { label: "Churn probability", value: formatPercent(data.churnProbability) },
              {
                label: "Days since last event",
                value: data.daysSinceLastEvent == null ? "—" : data.daysSinceLastEvent.toFixed(1),
              },
            ]}
          />
        </>
      )}
    </QueryView>
  );
}

const deltaTone = (delta: number) =>
  delta > 0
    ? "text-emerald-700 dark:text-emerald-400"
    : delta < 0
      ? "text-rose-700 dark:text-rose-400"
      : "text-slate-500 dark:text-slate-400";

export function Timeline({ leadId }: { leadId: number }) {
  const timeline = useTimeline(leadId);
  return (
    <QueryView query={timeline} empty={<EmptyState title="No events yet" />}>
      {(sessions) => (
        <ol className="space-y-5">
          {sessions.map((session, i) => (
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
                    <span
                      className="absolute top-3 -left-[1.3rem] h-2 w-2 rounded-full bg-brand-500"
                      aria-hidden="true"
                    />
                    <div className="min-w-0">
                      <span className="font-medium">{humanize(ev.eventType)}</span>
                      <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">
                        {formatRelative(ev.timestamp)}
                      </span>
                    </div>
                    <div className="shrink-0 text-right tabular-nums">
                      <span className={deltaTone(ev.delta)}>{formatDelta(ev.delta)}</span>
                      {ev.score != null && (
                        <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">→ {ev.score}</span>
                      )}
                      {!ev.processed && (
                        <span className="ml-2 text-xs text-amber-700 dark:text-amber-400">pending</span>
                      )}
                    </div>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </QueryView>
  );
}

export function MergeHistory({ leadId }: { leadId: number }) {
  const history = useHistory(leadId);
  const merges = (history.data?.items ?? []).filter((r) => r.cause.includes("merge"));
  if (merges.length === 0) {
    return <p className="text-sm text-slate-500 dark:text-slate-400">No merges: this lead has a single identity.</p>;
  }
  return (
    <ul className="space-y-1 text-sm">
      {merges.map((m) => (
        <li key={m.id}>
          {formatDateTime(m.createdAt)} — {humanize(m.cause)} ({formatDelta(m.delta)})
        </li>
      ))}
    </ul>
  );
}

const traitText = (value: unknown) =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";

export function Traits({ traits }: { traits: Lead["traits"] }) {
  return (
    <Figures
      className="grid grid-cols-2 gap-2 text-sm"
      valueClassName="truncate"
      items={Object.entries(traits).map(([label, value]) => ({ label, value: traitText(value) }))}
    />
  );
}
