import type { FailedJob, Health, HealthComponent } from "../../api/types";
import { formatRelative } from "../../lib/format";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { useQueueHealth } from "../Dashboard/hooks";
import { queueFigures } from "../Dashboard/panels";
import { actionsColumn, DataTable, type Column } from "../ui/DataTable";
import { Button, Card, EmptyState, Figures, PageHeader, Tile } from "../ui/primitives";
import { QueryView } from "../ui/QueryView";
import { useFailedJobs, useHealth, useReplayJob } from "./hooks";

const TONE: Record<string, string> = {
  ok: "bg-emerald-500",
  disabled: "bg-slate-400",
  none: "bg-amber-500",
  degraded: "bg-amber-500",
  down: "bg-rose-500",
  unknown: "bg-slate-400",
};

const LABELS: Record<string, string> = {
  ok: "Healthy",
  disabled: "Not used",
  none: "No worker",
  down: "Down",
  degraded: "Degraded",
  unknown: "Unknown",
};

/** A detail of the health answer, shown only when it is text or a number. */
const shown = (...values: unknown[]): string =>
  values.map((v) => (typeof v === "number" ? String(v) : v)).find((v): v is string => typeof v === "string") ?? "";

function Component({ name, c, detail }: { name: string; c: HealthComponent | { status: string }; detail?: string }) {
  return (
    <Tile testId={`health-${name.toLowerCase()}`}>
      <div className="flex items-center justify-between">
        <p className="text-sm font-medium text-slate-500 dark:text-slate-400">{name}</p>
        <span className={`h-2.5 w-2.5 rounded-full ${TONE[c.status] ?? "bg-slate-400"}`} aria-hidden="true" />
      </div>
      <p className="mt-2 text-xl font-semibold">{LABELS[c.status] ?? c.status}</p>
      {detail && <p className="mt-1 truncate text-xs text-slate-500 dark:text-slate-400">{detail}</p>}
    </Tile>
  );
}

function Components({ h }: { h: Health }) {
  const workers = shown(h.worker.workers);
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <Component name="API" c={{ status: h.status === "ok" ? "ok" : "degraded" }} detail={h.status} />
      <Component name="Database" c={h.database} detail={shown(h.database.backend, h.database.error)} />
      <Component name="Redis" c={h.redis} detail={shown(h.redis.mode, h.redis.error)} />
      <Component name="Worker" c={h.worker} detail={workers ? `${workers} alive` : shown(h.worker.error)} />
    </div>
  );
}

function FailedJobs() {
  const toast = useToast();
  const jobs = useFailedJobs();
  const replay = useReplayJob();
  const again = (id: number) =>
    replay.mutate(id, {
      onSuccess: () => toast.success("Job re-queued"),
      onError: (e) => toast.error(errorMessage(e)),
    });
  const columns: Column<FailedJob>[] = [
    { title: "Job", cell: (j) => `#${j.id} · lead #${j.leadId} · ${j.attempts} attempts` },
    {
      title: "Error",
      cellClassName: "max-w-sm truncate font-mono text-xs text-rose-700 dark:text-rose-400",
      cell: (j) => j.error || "—",
    },
    { title: "Failed", cellClassName: "text-slate-500 dark:text-slate-400", cell: (j) => formatRelative(j.failedAt) },
    actionsColumn((j) => (
      <Button size="sm" variant="secondary" onClick={() => again(j.id)}>
        Replay
      </Button>
    )),
  ];
  return (
    <Card title="Failed jobs" bodyClassName="">
      <QueryView query={jobs} empty={<EmptyState title="No failed jobs">Every event has been processed.</EmptyState>}>
        {(rows) => <DataTable rows={rows} columns={columns} rowKey={(j) => j.id} />}
      </QueryView>
    </Card>
  );
}

export default function SystemPage() {
  const health = useHealth();
  const queue = useQueueHealth();
  const h = health.data;
  return (
    <>
      <PageHeader
        title="System health"
        description={
          h ? `LeadPulse ${h.version ?? ""} · ${h.mode ?? ""} mode` : "API, database, Redis and worker status."
        }
      />
      <div className="space-y-6">
        <QueryView query={health}>{(data) => <Components h={data} />}</QueryView>
        {queue.data && (
          <Card title="Queue">
            <Figures items={queueFigures(queue.data)} className="grid grid-cols-2 gap-4 sm:grid-cols-6" />
          </Card>
        )}
        <FailedJobs />
      </div>
    </>
  );
}
