import { afterEach, describe, expect, it, vi } from "vitest";
import { mockFetch } from "../test/render";
import { ApiError } from "../lib/problem";
import { buildUrl, onUnauthorized, request, tokenStore } from "./http";

describe("request()", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the bearer token and JSON body, and parses JSON", async () => {
    tokenStore.set("tok");
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ ok: 1 }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    expect(
      await request("/api/x", { method: "POST", body: { a: 1 }, query: { limit: 5, q: "", stage: undefined } }),
    ).toEqual({ ok: 1 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("/api/x?limit=5");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok");
    expect(init.body).toBe('{"a":1}');
  });

  it("turns problem+json into ApiError with field errors", async () => {
    mockFetch(() => ({
      status: 422,
      contentType: "application/problem+json",
      body: {
        title: "Validation failed",
        status: 422,
        detail: "bad",
        errors: [{ loc: "body.points", msg: "must be an integer", type: "int_type" }],
      },
    }));
    const error = await request("/api/rules", { method: "POST", body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).errors[0].loc).toBe("body.points");
  });

  it("on 401 with a token: clears it and notifies the auth layer", async () => {
    tokenStore.set("expired");
    const seen = vi.fn();
    const off = onUnauthorized(seen);
    mockFetch(() => ({
      status: 401,
      contentType: "application/problem+json",
      body: { status: 401, detail: "Token expired" },
    }));
    await expect(request("/api/leads")).rejects.toThrow("Token expired");
    expect(seen).toHaveBeenCalledOnce();
    expect(tokenStore.get()).toBeNull();
    off();
  });

  it("builds query strings without empty values", () => {
    expect(buildUrl("/api/leads", { q: "a b", stage: null, offset: 0 })).toBe("/api/leads?q=a+b&offset=0");
    expect(buildUrl("/api/leads")).toBe("/api/leads");
  });
});
