import { useMutation } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { paths } from "../../api/schema";

export type EventBody = paths["/api/events"]["post"]["requestBody"]["content"]["application/json"];

/** POST /api/events as the signed-in user (JWT): the server format, like a back end sends. */
export function useSendEvent() {
  return useMutation({ mutationFn: (body: EventBody) => unwrap(api.POST("/api/events", { body })) });
}
