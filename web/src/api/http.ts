/** The one HTTP layer: bearer token, JSON, problem+json → ApiError, 401 → sign-in. */
import createClient, { type Middleware } from "openapi-fetch";
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

function unauthorized(): void {
  tokenStore.clear();
  unauthorizedListeners.forEach((l) => l());
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

/** Call the API and return the parsed JSON body; throw ApiError on any non-2xx. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(buildUrl(path, options.query), {
    method: options.method ?? "GET",
    headers,
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    signal: options.signal,
  });
  const body = await parseBody(response);
  if (!response.ok) {
    if (response.status === 401 && token) unauthorized();
    throw new ApiError(response.status, toProblem(body, response.status));
  }
  return body as T;
}

/** Download a file the API generates (CSV, JSON export) with the bearer token. */
export async function download(path: string, query: Query | undefined, fallbackName: string): Promise<string> {
  const token = tokenStore.get();
  const response = await fetch(buildUrl(path, query), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
  if (!response.ok) {
    const body = await parseBody(response);
    if (response.status === 401 && token) unauthorized();
    throw new ApiError(response.status, toProblem(body, response.status));
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const name = match?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  return name;
}

const authMiddleware: Middleware = {
  onRequest({ request: req }) {
    const token = tokenStore.get();
    if (token) req.headers.set("Authorization", `Bearer ${token}`);
    return req;
  },
  async onResponse({ response }) {
    if (!response.ok) {
      const body = await parseBody(response.clone());
      if (response.status === 401 && tokenStore.get()) unauthorized();
      throw new ApiError(response.status, toProblem(body, response.status));
    }
    return response;
  },
};

/** The typed client generated from the server's OpenAPI document (scripts/gen-api-client.sh). */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (req) => globalThis.fetch(req),
});

/** Unwrap an openapi-fetch result (errors were already thrown by the middleware). */
export function data<T>(result: { data?: T }): T {
  return result.data as T;
}
api.use(authMiddleware);
