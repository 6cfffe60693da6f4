import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Automation, Schema } from "../../api/types";
import type { CrudCalls } from "../ui/crud";

export const AUTOMATIONS = ["automations"];

export function useAutomations() {
  return useQuery({
    queryKey: [...AUTOMATIONS, "list"],
    queryFn: async () => (await unwrap(api.GET("/api/automations", { params: { query: { limit: 200 } } }))).items,
  });
}

export function useExecutions() {
  return useQuery({
    queryKey: [...AUTOMATIONS, "executions"],
    queryFn: async () =>
      (await unwrap(api.GET("/api/automations/executions", { params: { query: { limit: 50 } } }))).items,
  });
}

/** The typed calls the CRUD pattern (ui/crud) makes for automations. */
const automation = (automation_id: number) => ({ params: { path: { automation_id } } });
export const automationCalls: CrudCalls<
  Schema<"AutomationCreate">,
  Schema<"AutomationUpdate">,
  Automation,
  Automation
> = {
  create: (body) => unwrap(api.POST("/api/automations", { body })),
  update: (id, body) => unwrap(api.PATCH("/api/automations/{automation_id}", { ...automation(id), body })),
  remove: (id) => unwrap(api.DELETE("/api/automations/{automation_id}", automation(id))),
};
