import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema } from "../../api/types";

export type InboundSource = Schema<"SourceRead">;
export type SourceCreate = Schema<"SourceCreate">;
export type FieldMapping = Schema<"FieldMapping">;
export const SOURCES = ["inbound-sources"];

export function useSources() {
  return useQuery({
    queryKey: [...SOURCES, "list"],
    queryFn: async () => (await unwrap(api.GET("/api/inbound-sources"))).items,
  });
}

export function useCreateSource() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: SourceCreate) => unwrap(api.POST("/api/inbound-sources", { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: SOURCES }),
  });
}

export function useDeleteSource() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (sourceId: number) =>
      unwrap(api.DELETE("/api/inbound-sources/{source_id}", { params: { path: { source_id: sourceId } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: SOURCES }),
  });
}

/** Try a mapping on a sample payload: the event it makes, or the failing paths. */
export function usePreview() {
  return useMutation({
    mutationFn: (body: { mapping: FieldMapping; sample: Record<string, unknown> }) =>
      unwrap(api.POST("/api/inbound-sources/preview", { body })),
  });
}
