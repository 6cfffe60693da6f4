import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../lib/problem";
import { mockFetch, problem } from "../test/render";
import { api, download, onUnauthorized, tokenStore, unwrap } from "./http";

/** Replace fetch, keeping the Request objects the typed client sends. */
function captureRequests(answer: () => Response) {
  const requests: Request[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn((request: Request) => {
      requests.push(request);
      return Promise.resolve(answer());
    }),
  );
  return requests;
}

describe("the typed client", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the bearer token and the JSON body, and returns the parsed answer", async () => {
    tokenStore.set("tok");
    const requests = captureRequests(() => Response.json({ id: 1 }, { status: 201 }));
    const body = { eventType: "demo_request", points: 50, active: true };
    expect(await unwrap(api.POST("/api/rules", { body }))).toEqual({ id: 1 });
    expect(requests[0].headers.get("Authorization")).toBe("Bearer tok");
    expect(await requests[0].json()).toEqual(body);
  });

  it("turns problem+json into ApiError with field errors", async () => {
    mockFetch(() => problem(422, "bad", [["body.points", "must be an integer", "int_type"]], "Validation failed"));
    const error = await unwrap(api.POST("/api/rules", { body: { eventType: "x", points: 1, active: true } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).errors[0].loc).toBe("body.points");
  });

  it("on 401 with a token: clears it and notifies the auth layer", async () => {
    tokenStore.set("expired");
    const seen = vi.fn();
    const off = onUnauthorized(seen);
    mockFetch(() => problem(401, "Token expired"));
    await expect(unwrap(api.GET("/api/leads"))).rejects.toThrow("Token expired");
    expect(seen).toHaveBeenCalledOnce();
    expect(tokenStore.get()).toBeNull();
    off();
  });

  it("on 401 without a token (a wrong password): only the error", async () => {
    const seen = vi.fn();
    const off = onUnauthorized(seen);
    mockFetch(() => problem(401, "Wrong"));
    await expect(unwrap(api.POST("/api/auth/login", { body: { email: "a@b.co", password: "x" } }))).rejects.toThrow(
      "Wrong",
    );
    expect(seen).not.toHaveBeenCalled();
    off();
  });

  it("builds query strings without empty values", async () => {
    const calls = mockFetch(() => ({ body: { items: [], total: 0, limit: 25, offset: 0 } }));
    await unwrap(api.GET("/api/leads", { params: { query: { q: "a b", stage: null, offset: 0, sort: undefined } } }));
    await unwrap(api.GET("/api/leads", { params: { query: { q: "" } } }));
    expect(calls.map((c) => c.url)).toEqual(["/api/leads?q=a%20b&offset=0", "/api/leads"]);
  });

  it("downloads a file under the name the server gives it", async () => {
    const saved: string[] = [];
    vi.stubGlobal("fetch", () =>
      Promise.resolve(
        new Response("Name,Email\n", { headers: { "Content-Disposition": 'attachment; filename="leads-2026.csv"' } }),
      ),
    );
    URL.createObjectURL = vi.fn(() => "blob:leads");
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      saved.push(this.download);
    });
    expect(await download(api.GET("/api/leads/export", { parseAs: "blob" }), "leads.csv")).toBe("leads-2026.csv");
    expect(saved).toEqual(["leads-2026.csv"]);
    click.mockRestore();
  });
});
