import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, download, unwrap } from "../../api/http";
import { useFallbackInterval } from "../../lib/live";
import { errorMessage } from "../../lib/problem";
import { useToast } from "../../lib/toast";
import { toApiQuery, type LeadFilters } from "./filters";

const path = (id: number) => ({ path: { lead_id: id } });

export function useLeads(filters: LeadFilters) {
  const refetchInterval = useFallbackInterval();
  const query = toApiQuery(filters);
  return useQuery({
    queryKey: ["leads", query],
    queryFn: () => unwrap(api.GET("/api/leads", { params: { query } })),
    placeholderData: keepPreviousData,
    refetchInterval,
  });
}

/** One lead; the Simulator polls it (`refetchInterval`) while the live feed is its main path. */
export function useLead(id: number, refetchInterval?: number) {
  return useQuery({
    queryKey: ["lead", id],
    queryFn: () => unwrap(api.GET("/api/leads/{lead_id}", { params: path(id) })),
    refetchInterval,
  });
}

export function useTimeline(id: number) {
  return useQuery({
    queryKey: ["lead", id, "timeline"],
    queryFn: async () => (await unwrap(api.GET("/api/leads/{lead_id}/timeline", { params: path(id) }))).sessions,
  });
}

export function useHistory(id: number) {
  return useQuery({
    queryKey: ["lead", id, "history"],
    queryFn: () => unwrap(api.GET("/api/leads/{lead_id}/history", { params: { ...path(id), query: { limit: 200 } } })),
  });
}

export function useIntelligence(id: number) {
  return useQuery({
    queryKey: ["lead", id, "intelligence"],
    queryFn: () => unwrap(api.GET("/api/leads/{lead_id}/intelligence", { params: path(id) })),
  });
}

export function useDeleteLead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => unwrap(api.DELETE("/api/leads/{lead_id}", { params: path(id) })),
    onSuccess: (_, id) => {
      client.removeQueries({ queryKey: ["lead", id] });
      void client.invalidateQueries({ queryKey: ["leads"] });
      void client.invalidateQueries({ queryKey: ["analytics"] });
    },
  });
}

/** Download the leads matching the filters as CSV; returns the file name. */
export function exportLeadsCsv(filters: LeadFilters): Promise<string> {
  const { q, stage } = toApiQuery(filters);
  return download(api.GET("/api/leads/export", { params: { query: { q, stage } }, parseAs: "blob" }), "leads.csv");
}

/** Download everything stored about one lead as JSON (GDPR export); returns the file name. */
export function exportLead(id: number): Promise<string> {
  return download(api.GET("/api/leads/{lead_id}/export", { params: path(id), parseAs: "blob" }), `lead-${id}.json`);
}

/** A file download as a mutation: busy while it runs, a toast when it is saved or fails. */
export function useDownload(run: () => Promise<string>, saved: (name: string) => string) {
  const toast = useToast();
  return useMutation({
    mutationFn: run,
    onSuccess: (name) => toast.success(saved(name)),
    onError: (e) => toast.error(errorMessage(e)),
  });
}
