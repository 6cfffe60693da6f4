import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Health } from "../../api/types";
import { ApiError } from "../../lib/problem";

const FAILED_JOBS = ["admin", "failed-jobs"];

function isHealth(body: unknown): body is Health {
  return !!body && typeof body === "object" && "database" in body && "redis" in body && "worker" in body;
}

/** GET /api/health answers 503 with the same body when degraded: a degraded body is data too. */
async function fetchHealth(): Promise<Health> {
  const { data, error, response } = await api.GET("/api/health");
  const body = data ?? error;
  if (!isHealth(body)) throw new ApiError(response.status, { detail: "Health check failed" });
  return body;
}

export function useHealth() {
  return useQuery({ queryKey: ["health"], queryFn: fetchHealth, refetchInterval: 10_000 });
}

export function useFailedJobs() {
  return useQuery({
    queryKey: FAILED_JOBS,
    queryFn: async () => (await unwrap(api.GET("/api/admin/failed-jobs", { params: { query: { limit: 100 } } }))).items,
  });
}

export function useReplayJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST("/api/admin/failed-jobs/{failed_id}/replay", { params: { path: { failed_id: id } } })),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: FAILED_JOBS });
      void client.invalidateQueries({ queryKey: ["analytics"] });
    },
  });
}
