import { useMutation, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../../api/http";
import type { Schema } from "../../api/types";

/** A query of the signed-in session: asked only with a token, cached per token. */
function useSessionQuery<T>(name: string, token: string | null, get: () => Promise<T>) {
  return useQuery({ queryKey: [name, token], queryFn: get, enabled: !!token, staleTime: 60_000 });
}

/** Who is signed in. */
export const useCurrentUser = (token: string | null) =>
  useSessionQuery("me", token, () => unwrap(api.GET("/api/auth/me")));

/** The signed-in user's current project, with its publishable key. */
export const useCurrentProject = (token: string | null) =>
  useSessionQuery("project", token, () => unwrap(api.GET("/api/auth/project")));

export function useSignIn() {
  return useMutation({ mutationFn: (body: Schema<"LoginIn">) => unwrap(api.POST("/api/auth/login", { body })) });
}

export function useSignUp() {
  return useMutation({
    mutationFn: (body: Schema<"RegisterIn">) => unwrap(api.POST("/api/auth/register", { body })),
  });
}

/** Exchange a Google ID token for a session. */
export function googleSignIn(idToken: string) {
  return unwrap(api.POST("/api/auth/google", { body: { idToken } }));
}
