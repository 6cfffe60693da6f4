/** Render helpers for component tests: providers plus a scripted fetch. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { AuthProvider } from "../lib/auth";
import { ToastProvider } from "../lib/toast";

export interface Call {
  method: string;
  url: string;
  body: unknown;
}

type Handler = (call: Call) => { status?: number; body?: unknown; contentType?: string } | undefined;

/**
 * Replace fetch: each request of the typed client goes to `handler`, with its URL relative to
 * this page (`/api/leads?limit=25`); unknown requests answer 404 problem+json.
 */
export function mockFetch(handler: Handler) {
  const calls: Call[] = [];
  const fn = vi.fn(async (request: Request) => {
    const url = new URL(request.url, location.origin);
    const text = await request.clone().text();
    const call: Call = {
      method: request.method,
      url: url.pathname + url.search,
      body: text ? (JSON.parse(text) as unknown) : null,
    };
    calls.push(call);
    const answer = handler(call) ?? problem(404, "no route", [], "Not found");
    const status = answer.status ?? 200;
    const body = answer.body === undefined ? "" : JSON.stringify(answer.body);
    return new Response(status === 204 ? null : body, {
      status,
      headers: { "Content-Type": answer.contentType ?? "application/json" },
    });
  });
  vi.stubGlobal("fetch", fn);
  return calls;
}

export function renderApp(ui: ReactElement, { path = "/", route = "/" }: { path?: string; route?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <ToastProvider>
          <AuthProvider>
            <Routes>
              <Route path={path} element={ui} />
              <Route path="/signin" element={<p>sign-in page</p>} />
              <Route path="/app" element={<p>app home</p>} />
            </Routes>
          </AuthProvider>
        </ToastProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** An application/problem+json answer for `mockFetch`; field errors as [loc, msg, type]. */
export function problem(status: number, detail: string, errors: [string, string, string][] = [], title?: string) {
  const fields = errors.map(([loc, msg, type]) => ({ loc, msg, type }));
  return {
    status,
    contentType: "application/problem+json",
    body: { ...(title ? { title } : {}), status, detail, ...(fields.length ? { errors: fields } : {}) },
  };
}
