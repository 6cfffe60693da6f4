import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { request } from "../../api/http";
import type { HistoryRow, Intelligence, Lead, Page, TimelineSession } from "../../api/types";
import { useFallbackInterval } from "../../lib/live";
import { toApiQuery, type LeadFilters } from "./filters";

export function useLeads(filters: LeadFilters) {
  const refetchInterval = useFallbackInterval();
  const query = toApiQuery(filters);
  return useQuery({
    queryKey: ["leads", query],
    queryFn: () => request<Page<Lead>>("/api/leads", { query }),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

export function useLead(id: number) {
  return useQuery({ queryKey: ["lead", id], queryFn: () => request<Lead>(`/api/leads/${id}`) });
}

export function useTimeline(id: number) {
  return useQuery({
    queryKey: ["lead", id, "timeline"],
    queryFn: async () => (await request<{ sessions: TimelineSession[] }>(`/api/leads/${id}/timeline`)).sessions,
  });
}

export function useHistory(id: number) {
  return useQuery({
    queryKey: ["lead", id, "history"],
    queryFn: () => request<Page<HistoryRow>>(`/api/leads/${id}/history`, { query: { limit: 200 } }),
  });
}

export function useIntelligence(id: number) {
  return useQuery({
    queryKey: ["lead", id, "intelligence"],
    queryFn: () => request<Intelligence>(`/api/leads/${id}/intelligence`),
  });
}

export function useDeleteLead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => request<void>(`/api/leads/${id}`, { method: "DELETE" }),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: ["lead", id] });
      void client.invalidateQueries({ queryKey: ["leads"] });
      void client.invalidateQueries({ queryKey: ["analytics"] });
    },
  });
}
