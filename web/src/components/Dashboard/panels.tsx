/** The dashboard's lists and charts, each fed by its own query (updated live). */
import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Schema } from "../../api/types";
import { formatDelta, formatNumber, formatRelative, humanize, leadLabel } from "../../lib/format";
import { StageBadge } from "../Leads/badges";
import { Card, EmptyState, Figures, StatusBadge, type Figure } from "../ui/primitives";
import { ListCard, QueryView } from "../ui/QueryView";
import { useAutomationLogs, useQueueHealth, useScoreMutations, useThroughput, useTopLeads } from "./hooks";

const linkClass = "text-xs font-medium text-brand-600 dark:text-brand-300 hover:underline";

export function Throughput() {
  const throughput = useThroughput();
  return (
    <Card title="Throughput (24 h)" className="lg:col-span-2">
      <QueryView query={throughput}>
        {({ buckets }) => (
          <div className="h-80" role="img" aria-label="Events and score mutations per hour over the last 24 hours">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart
                data={buckets.map((b) => ({
                  ...b,
                  label: new Date(b.hour).toLocaleTimeString("en-US", { hour: "numeric" }),
                }))}
                margin={{ top: 5, right: 10, left: -20, bottom: 0 }}
                barGap={1}
              >
                <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.08} vertical={false} />
                <XAxis
                  dataKey="label"
                  tick={{ fontSize: 11 }}
                  stroke="currentColor"
                  strokeOpacity={0.3}
                  interval="preserveStartEnd"
                />
                <YAxis allowDecimals={false} tick={{ fontSize: 11 }} stroke="currentColor" strokeOpacity={0.3} />
                <Tooltip cursor={{ fillOpacity: 0.06 }} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar dataKey="events" name="Events" fill="#6366f1" radius={[3, 3, 0, 0]} isAnimationActive={false} />
                <Bar
                  dataKey="scoreMutations"
                  name="Score mutations"
                  fill="#10b981"
                  radius={[3, 3, 0, 0]}
                  isAnimationActive={false}
                />
              </BarChart>
            </ResponsiveContainer>
          </div>
        )}
      </QueryView>
    </Card>
  );
}

type QueueHealth = Schema<"QueueHealthOut">;
const warnIf = (bad: boolean, tone = "text-rose-700 dark:text-rose-400") => (bad ? tone : undefined);

/** The queue's counts, bad ones coloured (shared with the System page). */
export function queueFigures(q: QueueHealth): Figure[] {
  return [
    { label: "Pending", value: formatNumber(q.pending) },
    { label: "Active", value: formatNumber(q.active) },
    { label: "Failed", value: formatNumber(q.failed), tone: warnIf(q.failed > 0) },
    { label: "Dead letters", value: formatNumber(q.deadLetters), tone: warnIf(q.deadLetters > 0) },
    {
      label: "Workers",
      value: formatNumber(q.workers),
      tone: warnIf(q.workers === 0, "text-amber-700 dark:text-amber-400"),
    },
    {
      label: "Oldest pending",
      value: q.oldestPendingAgeSeconds == null ? "—" : `${formatNumber(q.oldestPendingAgeSeconds)} s`,
    },
  ];
}

export function Queue() {
  const queue = useQueueHealth();
  return (
    <Card
      title="Queue health"
      action={
        <Link to="/app/system" className={linkClass}>
          System →
        </Link>
      }
    >
      <QueryView query={queue}>
        {(q) => <Figures items={queueFigures(q)} className="grid grid-cols-2 gap-x-4 gap-y-3" />}
      </QueryView>
    </Card>
  );
}

const deltaTone = (delta: number) =>
  delta >= 0 ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400";

function MutationItem({ m }: { m: Schema<"ScoreMutationOut"> }) {
  return (
    <>
      <div className="min-w-0">
        <Link to={`/app/leads/${m.leadId}`} className="truncate font-medium hover:underline">
          {m.leadName || m.leadEmail || m.anonymousId || `Lead #${m.leadId}`}
        </Link>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {humanize(m.eventType ?? m.cause)} · {formatRelative(m.createdAt)}
        </p>
      </div>
      <div className="text-right tabular-nums">
        <span className={deltaTone(m.delta)}>{formatDelta(m.delta)}</span>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {m.oldScore} → {m.newScore}
        </p>
      </div>
    </>
  );
}

const NO_MUTATIONS = (
  <EmptyState title="No score changes yet">Send an event from the Simulator to see scores move.</EmptyState>
);

export const Mutations = () => (
  <ListCard title="Latest score mutations" query={useScoreMutations(8)} empty={NO_MUTATIONS}>
    {(m) => <MutationItem m={m} />}
  </ListCard>
);

type TopLead = Schema<"TopLead">;

/** Under the lead's label: its e-mail when the label is its name, else who it is. */
function topLeadDetail(l: TopLead): string {
  if (l.name && l.email) return l.email;
  return l.name || l.email ? (l.anonymousId ?? "") : "Anonymous visitor";
}

function TopLeadItem({ lead }: { lead: TopLead }) {
  return (
    <>
      <div className="min-w-0">
        <Link to={`/app/leads/${lead.id}`} className="block truncate font-medium hover:underline">
          {leadLabel(lead)}
        </Link>
        <p className="truncate text-xs text-slate-500 dark:text-slate-400">{topLeadDetail(lead)}</p>
      </div>
      <div className="flex items-center gap-2">
        <StageBadge stage={lead.stage} />
        <span className="w-8 text-right font-semibold tabular-nums">{lead.score}</span>
      </div>
    </>
  );
}

export function TopLeads() {
  const all = (
    <Link to="/app/leads" className={linkClass}>
      All leads →
    </Link>
  );
  return (
    <ListCard title="Hottest leads" action={all} query={useTopLeads(8)} empty={<EmptyState title="No leads yet" />}>
      {(lead) => <TopLeadItem lead={lead} />}
    </ListCard>
  );
}

function LogItem({ x }: { x: Schema<"AutomationLogOut"> }) {
  return (
    <>
      <div className="min-w-0">
        <p className="truncate font-medium">{x.automationName}</p>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {x.leadName || x.leadEmail || `Lead #${x.leadId}`} · {humanize(x.action)} · {formatRelative(x.createdAt)}
        </p>
      </div>
      <StatusBadge status={x.status} />
    </>
  );
}

const NO_RUNS = <EmptyState title="No automations ran yet">Create one under Automations.</EmptyState>;

export const AutomationLog = () => (
  <ListCard title="Automation log" query={useAutomationLogs(8)} empty={NO_RUNS}>
    {(x) => <LogItem x={x} />}
  </ListCard>
);
