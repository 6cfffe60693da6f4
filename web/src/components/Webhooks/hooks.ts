import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema, Webhook } from "../../api/types";
import type { CrudCalls } from "../ui/crud";

export const WEBHOOKS = ["webhooks"];

export function useWebhooks() {
  return useQuery({
    queryKey: [...WEBHOOKS, "list"],
    queryFn: async () => (await unwrap(api.GET("/api/webhooks"))).items,
  });
}

export function useDeliveries(webhookId: number) {
  return useQuery({
    queryKey: [...WEBHOOKS, webhookId, "deliveries"],
    queryFn: async () => {
      const path = { webhook_id: webhookId };
      return (
        await unwrap(api.GET("/api/webhooks/{webhook_id}/deliveries", { params: { path, query: { limit: 50 } } }))
      ).items;
    },
  });
}

export function useRedeliver(webhookId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: number) =>
      unwrap(
        api.POST("/api/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", {
          params: { path: { webhook_id: webhookId, delivery_id: deliveryId } },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: [...WEBHOOKS, webhookId, "deliveries"] }),
  });
}

/** The typed calls the CRUD pattern (ui/crud) makes for webhooks. */
const webhook = (webhook_id: number) => ({ params: { path: { webhook_id } } });
export const webhookCalls: CrudCalls<
  Schema<"WebhookCreate">,
  Schema<"WebhookUpdate">,
  Schema<"WebhookCreated">,
  Webhook
> = {
  create: (body) => unwrap(api.POST("/api/webhooks", { body })),
  update: (id, body) => unwrap(api.PATCH("/api/webhooks/{webhook_id}", { ...webhook(id), body })),
  remove: (id) => unwrap(api.DELETE("/api/webhooks/{webhook_id}", webhook(id))),
};
