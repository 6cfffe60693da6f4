import { describe, expect, it } from "vitest";
import { curlExample, pythonExample, scriptSnippet } from "./snippets";

describe("integration snippets", () => {
  it("embed the real key and origin", () => {
    expect(scriptSnippet("https://lp.example", "pk_abc")).toBe(
      '<script async src="https://lp.example/sdk/ls.js" data-api-key="pk_abc"></script>',
    );
    expect(curlExample("https://lp.example", "pk_abc")).toContain("X-API-Key: pk_abc");
    expect(curlExample("https://lp.example", "pk_abc")).toContain("https://lp.example/api/ingest/event");
    expect(pythonExample("https://lp.example", "sk_live")).toContain('Client("sk_live", host="https://lp.example")');
    expect(pythonExample("https://lp.example", null)).toContain("create a secret key");
  });
});
