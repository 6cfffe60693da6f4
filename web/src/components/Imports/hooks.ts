import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema } from "../../api/types";

export type ImportJob = Schema<"ImportRead">;
export type ImportDetail = Schema<"ImportDetail">;
export const IMPORTS = ["imports"];
const RUNNING = new Set(["queued", "running"]);

export function useImports() {
  return useQuery({
    queryKey: [...IMPORTS, "list"],
    queryFn: async () => (await unwrap(api.GET("/api/imports", { params: { query: { limit: 20 } } }))).items,
    refetchInterval: (query) => (query.state.data?.some((job) => RUNNING.has(job.status)) ? 2000 : false),
  });
}

/** One import, polled every second while it is queued or running. */
export function useImport(importId: number | null) {
  return useQuery({
    queryKey: [...IMPORTS, importId],
    enabled: importId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/imports/{import_id}", {
          params: { path: { import_id: importId ?? 0 }, query: { limit: 100 } },
        }),
      ),
    refetchInterval: (query) => (query.state.data && !RUNNING.has(query.state.data.status) ? false : 1000),
  });
}

export interface UploadInput {
  file: File;
  format: string;
}

/** Upload a file as multipart form data (the job runs in the worker). */
export function useUpload() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ file, format }: UploadInput) => {
      const form = new FormData();
      form.append("file", file, file.name);
      if (format) form.append("format", format);
      return unwrap(
        api.POST("/api/imports", {
          body: { file: file.name },
          bodySerializer: () => form,
        }),
      );
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: [...IMPORTS, "list"] }),
  });
}
