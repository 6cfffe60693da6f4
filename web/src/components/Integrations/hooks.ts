import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";

export function useCreateSecretKey() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/auth/generate-api-key", { body: { type: "secret" } })),
  });
}

/** Send a page_view with the publishable key through the SDK endpoint, as a website would. */
export function useSendTestEvent(publishableKey: string | null | undefined) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/ingest/event", {
          body: {
            apiKey: publishableKey,
            event: "page_view",
            anonymousId: `integration-test-${Date.now().toString(36)}`,
            properties: { path: "/integration-test", source: "dashboard" },
          },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["leads"] }),
  });
}
