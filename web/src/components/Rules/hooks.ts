import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request } from "../../api/http";
import type { components } from "../../api/schema";
import type { RescoreJob, Rule, StageThresholds } from "../../api/types";

type Listish<T> = T[] | { items: T[] };
const items = <T>(body: Listish<T>): T[] => (Array.isArray(body) ? body : (body?.items ?? []));
export type RuleInput = components["schemas"]["RuleCreate"];

export function useRules() {
  return useQuery({
    queryKey: ["rules"],
    queryFn: async () => items(await request<Listish<Rule>>("/api/rules", { query: { limit: 200 } })),
  });
}

export function useRuleMutations() {
  const client = useQueryClient();
  const done = () => void client.invalidateQueries({ queryKey: ["rules"] });
  return {
    create: useMutation({
      mutationFn: (body: RuleInput) => request<Rule>("/api/rules", { method: "POST", body }),
      onSuccess: done,
    }),
    update: useMutation({
      mutationFn: ({ id, ...body }: components["schemas"]["RuleUpdate"] & { id: number }) =>
        request<Rule>(`/api/rules/${id}`, { method: "PATCH", body }),
      onSuccess: done,
    }),
    remove: useMutation({
      mutationFn: (id: number) => request<void>(`/api/rules/${id}`, { method: "DELETE" }),
      onSuccess: done,
    }),
  };
}

export function useStages() {
  return useQuery({ queryKey: ["stages"], queryFn: () => request<StageThresholds>("/api/stages") });
}

export function useSaveStages() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StageThresholds) => request<StageThresholds>("/api/stages", { method: "PUT", body }),
    onSuccess: (data) => client.setQueryData(["stages"], data),
  });
}

export function useStartRescore() {
  return useMutation({
    mutationFn: () => request<{ jobId: string | number }>("/api/rules/rescore", { method: "POST" }),
  });
}

export const RESCORE_DONE = ["finished", "done", "completed", "succeeded", "failed"];

export function useRescoreJob(jobId: string | number | null) {
  return useQuery({
    queryKey: ["rescore", jobId],
    queryFn: () => request<RescoreJob>(`/api/rules/rescore/${jobId}`),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data && RESCORE_DONE.includes(q.state.data.status) ? false : 700),
  });
}
