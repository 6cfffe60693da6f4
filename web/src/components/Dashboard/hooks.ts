import { useQuery } from "@tanstack/react-query";
import { request } from "../../api/http";
import type { AutomationLog, DashboardStats, QueueHealth, ScoreMutation, ThroughputBucket } from "../../api/types";
import { useFallbackInterval } from "../../lib/live";

type Listish<T> = T[] | { items: T[] };
const items = <T>(body: Listish<T>): T[] => (Array.isArray(body) ? body : (body?.items ?? []));

export function useDashboardStats() {
  const refetchInterval = useFallbackInterval(30_000);
  return useQuery({
    queryKey: ["analytics", "dashboard"],
    queryFn: () => request<DashboardStats>("/api/analytics/dashboard"),
    refetchInterval,
  });
}

export function useThroughput(hours = 24) {
  return useQuery({
    queryKey: ["analytics", "throughput", hours],
    queryFn: () => request<{ buckets: ThroughputBucket[] }>("/api/analytics/throughput", { query: { hours } }),
    refetchInterval: 60_000,
  });
}

export function useQueueHealth() {
  return useQuery({
    queryKey: ["analytics", "queue-health"],
    queryFn: () => request<QueueHealth>("/api/analytics/queue-health"),
    refetchInterval: 10_000,
  });
}

export function useScoreMutations(limit = 10) {
  return useQuery({
    queryKey: ["analytics", "score-mutations", limit],
    queryFn: async () =>
      items(await request<Listish<ScoreMutation>>("/api/analytics/score-mutations", { query: { limit } })),
  });
}

export function useAutomationLogs(limit = 10) {
  return useQuery({
    queryKey: ["analytics", "automation-logs", limit],
    queryFn: async () =>
      items(await request<Listish<AutomationLog>>("/api/analytics/automation-logs", { query: { limit } })),
  });
}
