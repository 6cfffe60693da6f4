import { STAGES } from "../../api/types";
import { formatNumber, STAGE_COLORS } from "../../lib/format";
import { Card, Figures, PageHeader, Tile } from "../ui/primitives";
import { QueryView } from "../ui/QueryView";
import { FirstRun } from "./FirstRun";
import { useDashboardStats } from "./hooks";
import { AutomationLog, Mutations, Queue, Throughput, TopLeads } from "./panels";

function Metric({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Tile testId={`metric-${label.toLowerCase().replaceAll(" ", "-")}`}>
      <p className="text-sm font-medium text-slate-500 dark:text-slate-400">{label}</p>
      <p className="mt-2 text-3xl font-semibold tracking-tight tabular-nums">{value}</p>
      {hint && <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </Tile>
  );
}

function Metrics() {
  const stats = useDashboardStats();
  return (
    <QueryView query={stats}>
      {(data) => (
        <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
          <Metric
            label="Total leads"
            value={formatNumber(data.totalLeads)}
            hint={`${formatNumber(data.identifiedLeads)} identified · ${formatNumber(data.identityResolutions)} merges`}
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
      )}
    </QueryView>
  );
}

function StageBar() {
  const { data } = useDashboardStats();
  if (!data) return null;
  const counts = data.scoreDistribution;
  const total = STAGES.reduce((n, s) => n + counts[s], 0);
  return (
    <Card title="Leads by stage">
      <div className="flex h-3 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800">
        {total > 0 &&
          STAGES.map((s) => (
            <div key={s} style={{ width: `${(counts[s] / total) * 100}%`, background: STAGE_COLORS[s] }} />
          ))}
      </div>
      <Figures
        items={STAGES.map((s) => ({ label: s, value: formatNumber(counts[s]) }))}
        className="mt-4 grid grid-cols-4 gap-2 text-center capitalize"
      />
    </Card>
  );
}

export default function DashboardPage() {
  const { data } = useDashboardStats();
  return (
    <>
      <PageHeader title="Dashboard" description="Your pipeline at a glance, updated live." />
      <div className="space-y-6">
        {data?.totalLeads === 0 && <FirstRun />}
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
