import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema } from "../../api/types";
import { useFallbackInterval } from "../../lib/live";

type DashboardStats = Schema<"DashboardOut">;

/** One cached answer of GET /api/analytics/dashboard, each caller reading its part. */
function useDashboard<T>(select: (stats: DashboardStats) => T) {
  const refetchInterval = useFallbackInterval(30_000);
  return useQuery({
    queryKey: ["analytics", "dashboard"],
    queryFn: () => unwrap(api.GET("/api/analytics/dashboard")),
    refetchInterval,
    select,
  });
}

const whole = (stats: DashboardStats) => stats;
export const useDashboardStats = () => useDashboard(whole);
/** The hottest leads, from the same cached answer as the metric cards. */
export const useTopLeads = (count = 8) => useDashboard((stats) => stats.topLeads.slice(0, count));

export function useThroughput(hours = 24) {
  return useQuery({
    queryKey: ["analytics", "throughput", hours],
    queryFn: () => unwrap(api.GET("/api/analytics/throughput", { params: { query: { hours } } })),
    refetchInterval: 60_000,
  });
}

export function useQueueHealth() {
  return useQuery({
    queryKey: ["analytics", "queue-health"],
    queryFn: () => unwrap(api.GET("/api/analytics/queue-health")),
    refetchInterval: 10_000,
  });
}

export function useScoreMutations(limit = 10) {
  return useQuery({
    queryKey: ["analytics", "score-mutations", limit],
    queryFn: async () =>
      (await unwrap(api.GET("/api/analytics/score-mutations", { params: { query: { limit } } }))).items,
  });
}

export function useAutomationLogs(limit = 10) {
  return useQuery({
    queryKey: ["analytics", "automation-logs", limit],
    queryFn: async () =>
      (await unwrap(api.GET("/api/analytics/automation-logs", { params: { query: { limit } } }))).items,
  });
}
