import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Rule, Schema, StageThresholds } from "../../api/types";
import type { CrudCalls } from "../ui/crud";

export const RULES = ["rules"];

export function useRules() {
  return useQuery({ queryKey: RULES, queryFn: async () => (await unwrap(api.GET("/api/rules"))).items });
}

export function useStages() {
  return useQuery({ queryKey: ["stages"], queryFn: () => unwrap(api.GET("/api/stages")) });
}

export function useSaveStages() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: StageThresholds) => unwrap(api.PUT("/api/stages", { body })),
    onSuccess: (data) => client.setQueryData(["stages"], data),
  });
}

export function useStartRescore() {
  return useMutation({ mutationFn: () => unwrap(api.POST("/api/rules/rescore")) });
}

export const RESCORE_DONE = ["finished", "done", "completed", "succeeded", "failed"];

export function useRescoreJob(jobId: string | null) {
  return useQuery({
    queryKey: ["rescore", jobId],
    queryFn: () => unwrap(api.GET("/api/rules/rescore/{job_id}", { params: { path: { job_id: jobId ?? "" } } })),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data && RESCORE_DONE.includes(q.state.data.status) ? false : 700),
  });
}

/** The typed calls the CRUD pattern (ui/crud) makes for rules. */
const rule = (rule_id: number) => ({ params: { path: { rule_id } } });
export const ruleCalls: CrudCalls<Schema<"RuleCreate">, Schema<"RuleUpdate">, Rule, Rule> = {
  create: (body) => unwrap(api.POST("/api/rules", { body })),
  update: (id, body) => unwrap(api.PATCH("/api/rules/{rule_id}", { ...rule(id), body })),
  remove: (id) => unwrap(api.DELETE("/api/rules/{rule_id}", rule(id))),
};
