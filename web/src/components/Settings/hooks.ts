import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema } from "../../api/types";

export function useSaveProject(projectId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Schema<"ProjectUpdate">) =>
      unwrap(api.PATCH("/api/projects/{project_id}", { params: { path: { project_id: projectId } }, body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["project"] }),
  });
}
