/**
 * The one HTTP layer: every call goes through `api`, the client typed from the server's OpenAPI
 * document (scripts/gen-api-client.sh), and through `unwrap`, the one error path: a non-2xx
 * answer becomes an `ApiError` (problem+json, field errors included) that the UI shows.
 * The bearer token rides on every request; a 401 with a token sends the user to sign-in.
 */
import createClient, { createQuerySerializer, type Middleware } from "openapi-fetch";
import { ApiError, toProblem } from "../lib/problem";
import type { paths } from "./schema";

const TOKEN_KEY = "leadpulse.token";
type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string) => localStorage.setItem(TOKEN_KEY, token),
  clear: () => localStorage.removeItem(TOKEN_KEY),
};

/** Subscribe to "the server said 401" (the auth provider sends the user to sign-in). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    const token = tokenStore.get();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && request.headers.has("Authorization")) {
      tokenStore.clear();
      unauthorizedListeners.forEach((listener) => listener());
    }
    return response;
  },
};

const serializeQuery = createQuerySerializer();

/** Query strings leave out empty values: an empty search box means "no filter". */
export function querySerializer(query: Record<string, unknown>): string {
  return serializeQuery(Object.fromEntries(Object.entries(query).filter(([, value]) => value !== "")));
}

/** The typed client generated from the server's OpenAPI document. */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request) => globalThis.fetch(request),
  querySerializer,
});
api.use(session);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Await a call of `api` and return its data; throw an ApiError for any non-2xx answer. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, toProblem(error, response.status));
  return data as T;
}

/** Save a file the API generated (CSV, JSON export) under the server's file name. */
export async function download(call: Promise<Answer<Blob>>, fallbackName: string): Promise<string> {
  const { response } = await call;
  const blob = await unwrap(call);
  const match = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") ?? "");
  const name = match?.[1] ?? fallbackName;
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}
