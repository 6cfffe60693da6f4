import { Link } from "react-router";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Stage } from "../../api/types";
import { STAGES } from "../../api/types";
import { formatDelta, formatNumber, formatRelative, humanize, leadLabel, STAGE_COLORS } from "../../lib/format";
import { StageBadge } from "../Leads/badges";
import { Badge, Card, EmptyState, ErrorState, Loading, PageHeader } from "../ui/primitives";
import { useAutomationLogs, useDashboardStats, useQueueHealth, useScoreMutations, useThroughput } from "./hooks";

function Metric({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
      <p className="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-2 text-3xl font-semibold tracking-tight tabular-nums">{value}</p>
      {hint && <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </div>
  );
}

function Metrics() {
  const { data, error, isPending, refetch } = useDashboardStats();
  if (isPending) return <Loading />;
  if (error) return <ErrorState error={error} onRetry={() => void refetch()} />;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <Metric
        label="Total leads"
        value={formatNumber(data.totalLeads)}
        hint={`${formatNumber(data.identityResolutions)} identified`}
      />
      <Metric
        label="Qualified leads"
        value={formatNumber(data.qualifiedLeads)}
        hint={`avg score ${formatNumber(data.averageScore)}`}
      />
      <Metric
        label="Events today"
        value={formatNumber(data.eventsToday)}
        hint={`${formatNumber(data.totalEvents)} all time`}
      />
      <Metric
        label="Processing latency"
        value={data.avgProcessingLatencyMs == null ? "—" : `${formatNumber(data.avgProcessingLatencyMs)} ms`}
        hint="avg ingest → scored"
      />
    </div>
  );
}

function StageBar() {
  const { data } = useDashboardStats();
  if (!data) return null;
  const total = STAGES.reduce((n, s) => n + (data.scoreDistribution?.[s] ?? 0), 0);
  return (
    <Card title="Leads by stage">
      <div className="flex h-3 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800">
        {total > 0 &&
          STAGES.map((s) => (
            <div
              key={s}
              style={{ width: `${((data.scoreDistribution[s] ?? 0) / total) * 100}%`, background: STAGE_COLORS[s] }}
            />
          ))}
      </div>
      <dl className="mt-4 grid grid-cols-4 gap-2 text-center">
        {STAGES.map((s: Stage) => (
          <div key={s}>
            <dt className="text-xs text-slate-500 capitalize dark:text-slate-400">{s}</dt>
            <dd className="text-lg font-semibold tabular-nums">{formatNumber(data.scoreDistribution?.[s] ?? 0)}</dd>
          </div>
        ))}
      </dl>
    </Card>
  );
}

function Throughput() {
  const { data, error, isPending } = useThroughput();
  const buckets = (data?.buckets ?? []).map((b) => ({
    ...b,
    label: new Date(b.hour).toLocaleTimeString("en-US", { hour: "numeric" }),
  }));
  return (
    <Card title="Throughput (24 h)" className="lg:col-span-2">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : (
        <div className="h-80" role="img" aria-label="Events and score mutations per hour over the last 24 hours">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={buckets} margin={{ top: 5, right: 10, left: -20, bottom: 0 }} barGap={1}>
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
    </Card>
  );
}

function Queue() {
  const { data, error, isPending } = useQueueHealth();
  const rows: [string, number | string, string?][] = data
    ? [
        ["Pending", data.pending],
        ["Active", data.active],
        ["Failed", data.failed, data.failed > 0 ? "text-rose-600" : undefined],
        ["Dead letters", data.deadLetters, data.deadLetters > 0 ? "text-rose-600" : undefined],
        ["Workers", data.workers, data.workers === 0 ? "text-amber-600" : undefined],
        [
          "Oldest pending",
          data.oldestPendingAgeSeconds == null ? "—" : `${formatNumber(data.oldestPendingAgeSeconds)} s`,
        ],
      ]
    : [];
  return (
    <Card
      title="Queue health"
      action={
        <Link to="/app/system" className="text-xs font-medium text-brand-600 hover:underline">
          System →
        </Link>
      }
    >
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : (
        <dl className="grid grid-cols-2 gap-x-4 gap-y-3">
          {rows.map(([label, value, tone]) => (
            <div key={label}>
              <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
              <dd className={`text-lg font-semibold tabular-nums ${tone ?? ""}`}>
                {typeof value === "number" ? formatNumber(value) : value}
              </dd>
            </div>
          ))}
        </dl>
      )}
    </Card>
  );
}

function Mutations() {
  const { data, error, isPending } = useScoreMutations(8);
  return (
    <Card title="Latest score mutations" bodyClassName="">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : data.length === 0 ? (
        <EmptyState title="No score changes yet">Send an event from the Simulator to see scores move.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {data.map((m, i) => (
            <li key={m.id ?? i} className="flex items-center justify-between gap-3 px-5 py-3 text-sm">
              <div className="min-w-0">
                <Link to={`/app/leads/${m.leadId}`} className="truncate font-medium hover:underline">
                  {m.leadName || m.leadEmail || m.anonymousId || `Lead #${m.leadId}`}
                </Link>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  {humanize(m.eventType ?? m.cause ?? "change")} · {formatRelative(m.createdAt)}
                </p>
              </div>
              <div className="text-right tabular-nums">
                <span
                  className={
                    m.delta >= 0 ? "text-emerald-600 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400"
                  }
                >
                  {formatDelta(m.delta)}
                </span>
                <p className="text-xs text-slate-500">
                  {m.oldScore} → {m.newScore}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function TopLeads() {
  const { data, error, isPending } = useDashboardStats();
  const leads = data?.topLeads ?? [];
  return (
    <Card
      title="Hottest leads"
      bodyClassName=""
      action={
        <Link to="/app/leads" className="text-xs font-medium text-brand-600 hover:underline">
          All leads →
        </Link>
      }
    >
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : leads.length === 0 ? (
        <EmptyState title="No leads yet" />
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {leads.slice(0, 8).map((l) => (
            <li key={l.id} className="flex items-center justify-between gap-3 px-5 py-3 text-sm">
              <div className="min-w-0">
                <Link to={`/app/leads/${l.id}`} className="block truncate font-medium hover:underline">
                  {leadLabel(l)}
                </Link>
                <p className="truncate text-xs text-slate-500 dark:text-slate-400">
                  {l.name && l.email ? l.email : l.name || l.email ? (l.anonymousId ?? "") : "Anonymous visitor"}
                </p>
              </div>
              <div className="flex items-center gap-2">
                <StageBadge stage={l.stage} />
                <span className="w-8 text-right font-semibold tabular-nums">{l.score}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function AutomationLog() {
  const { data, error, isPending } = useAutomationLogs(8);
  return (
    <Card title="Automation log" bodyClassName="">
      {isPending ? (
        <Loading />
      ) : error ? (
        <ErrorState error={error} />
      ) : data.length === 0 ? (
        <EmptyState title="No automations ran yet">Create one under Automations.</EmptyState>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {data.map((x) => (
            <li key={x.id} className="flex items-center justify-between gap-3 px-5 py-3 text-sm">
              <div className="min-w-0">
                <p className="truncate font-medium">{x.automationName ?? `Automation #${x.automationId}`}</p>
                <p className="text-xs text-slate-500 dark:text-slate-400">
                  {x.leadName || x.leadEmail || `Lead #${x.leadId}`} · {humanize(x.action)} ·{" "}
                  {formatRelative(x.createdAt)}
                </p>
              </div>
              <Badge
                className={
                  x.status === "succeeded"
                    ? "bg-emerald-50 text-emerald-700 ring-emerald-200"
                    : x.status === "failed"
                      ? "bg-rose-50 text-rose-700 ring-rose-200"
                      : "bg-slate-50 text-slate-600 ring-slate-200"
                }
              >
                {x.status}
              </Badge>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export default function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" description="Your pipeline at a glance, updated live." />
      <div className="space-y-6">
        <Metrics />
        <div className="grid gap-6 lg:grid-cols-3">
          <Throughput />
          <div className="space-y-6">
            <StageBar />
            <Queue />
          </div>
        </div>
        <div className="grid gap-6 lg:grid-cols-3">
          <TopLeads />
          <Mutations />
          <AutomationLog />
        </div>
      </div>
    </>
  );
}
