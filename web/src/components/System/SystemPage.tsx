import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request } from "../../api/http";
import type { FailedJob, Health, HealthComponent } from "../../api/types";
import { ApiError, errorMessage } from "../../lib/problem";
import { formatNumber, formatRelative } from "../../lib/format";
import { useToast } from "../../lib/toast";
import { useQueueHealth } from "../Dashboard/hooks";
import { Button, Card, EmptyState, ErrorState, Loading, PageHeader, Td, Th } from "../ui/primitives";

type Listish<T> = T[] | { items: T[] };
const items = <T,>(b: Listish<T>): T[] => (Array.isArray(b) ? b : (b?.items ?? []));

/** /api/health answers 503 with the same body when degraded: keep the body. */
async function fetchHealth(): Promise<Health> {
  const response = await fetch("/api/health", { headers: { Accept: "application/json" } });
  const body = (await response.json()) as Health;
  if (!body || typeof body !== "object" || !("database" in body))
    throw new ApiError(response.status, { detail: "Health check failed" });
  return body;
}

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

function Component({ name, c, detail }: { name: string; c: HealthComponent | { status: string }; detail?: string }) {
  return (
    <div
      className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      data-testid={`health-${name.toLowerCase()}`}
    >
      <div className="flex items-center justify-between">
        <p className="text-sm font-medium text-slate-500 dark:text-slate-400">{name}</p>
        <span className={`h-2.5 w-2.5 rounded-full ${TONE[c.status] ?? "bg-slate-400"}`} aria-hidden="true" />
      </div>
      <p className="mt-2 text-xl font-semibold">{LABELS[c.status] ?? c.status}</p>
      {detail && <p className="mt-1 truncate text-xs text-slate-500 dark:text-slate-400">{detail}</p>}
    </div>
  );
}

function FailedJobs() {
  const toast = useToast();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: ["admin", "failed-jobs"],
    queryFn: async () => items(await request<Listish<FailedJob>>("/api/admin/failed-jobs", { query: { limit: 100 } })),
  });
  const replay = useMutation({
    mutationFn: (id: number) => request(`/api/admin/failed-jobs/${id}/replay`, { method: "POST" }),
    onSuccess: () => {
      toast.success("Job re-queued");
      void client.invalidateQueries({ queryKey: ["admin", "failed-jobs"] });
      void client.invalidateQueries({ queryKey: ["analytics"] });
    },
    onError: (e) => toast.error(errorMessage(e)),
  });
  return (
    <Card title="Failed jobs" bodyClassName="">
      {jobs.isPending ? (
        <Loading />
      ) : jobs.error ? (
        <ErrorState error={jobs.error} onRetry={() => void jobs.refetch()} />
      ) : jobs.data.length === 0 ? (
        <EmptyState title="No failed jobs">Every event has been processed.</EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-100 dark:divide-slate-800">
            <thead className="bg-slate-50/60 dark:bg-slate-900">
              <tr>
                <Th>Job</Th>
                <Th>Error</Th>
                <Th>Failed</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {jobs.data.map((j) => (
                <tr key={j.id}>
                  <Td>
                    #{j.id} · lead #{j.leadId} · {j.attempts} attempts
                  </Td>
                  <Td className="max-w-sm truncate font-mono text-xs text-rose-600">{j.error ?? "—"}</Td>
                  <Td className="text-slate-500">{formatRelative(j.failedAt)}</Td>
                  <Td className="text-right">
                    <Button size="sm" variant="secondary" onClick={() => replay.mutate(j.id)}>
                      Replay
                    </Button>
                  </Td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

export default function SystemPage() {
  const health = useQuery({ queryKey: ["health"], queryFn: fetchHealth, refetchInterval: 10_000 });
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
        {health.isPending ? (
          <Loading />
        ) : health.error || !h ? (
          <ErrorState error={health.error} onRetry={() => void health.refetch()} />
        ) : (
          <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Component name="API" c={{ status: h.status === "ok" ? "ok" : "degraded" }} detail={h.status} />
            <Component name="Database" c={h.database} detail={String(h.database.backend ?? h.database.error ?? "")} />
            <Component name="Redis" c={h.redis} detail={String(h.redis.mode ?? h.redis.error ?? "")} />
            <Component
              name="Worker"
              c={h.worker}
              detail={h.worker.workers != null ? `${h.worker.workers} alive` : String(h.worker.error ?? "")}
            />
          </div>
        )}
        {queue.data && (
          <Card title="Queue">
            <dl className="grid grid-cols-2 gap-4 sm:grid-cols-5">
              {(
                [
                  ["Pending", queue.data.pending],
                  ["Active", queue.data.active],
                  ["Failed", queue.data.failed],
                  ["Dead letters", queue.data.deadLetters],
                  ["Workers", queue.data.workers],
                ] as const
              ).map(([k, v]) => (
                <div key={k}>
                  <dt className="text-xs text-slate-500">{k}</dt>
                  <dd className="text-lg font-semibold tabular-nums">{formatNumber(v)}</dd>
                </div>
              ))}
            </dl>
          </Card>
        )}
        <FailedJobs />
      </div>
    </>
  );
}
