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

/** Replace fetch: each request goes to `handler`; unknown requests answer 404 problem+json. */
export function mockFetch(handler: Handler) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.toString() : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const raw = init?.body ?? (input instanceof Request ? (await input.clone().text()) || null : null);
    const call = { method, url, body: typeof raw === "string" ? JSON.parse(raw) : raw };
    calls.push(call);
    const answer = handler(call) ?? {
      status: 404,
      body: { title: "Not found", status: 404, detail: "no route" },
      contentType: "application/problem+json",
    };
    const status = answer.status ?? 200;
    const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
    return new Response(status === 204 ? null : text, {
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
