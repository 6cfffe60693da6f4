/** Copy-paste integration examples with the project's real key and this server's origin. */

export function scriptSnippet(origin: string, publishableKey: string): string {
  return `<script async src="${origin}/sdk/ls.js" data-api-key="${publishableKey}"></script>`;
}

export function curlExample(origin: string, publishableKey: string): string {
  return [
    `curl -X POST ${origin}/api/ingest/event \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -H "X-API-Key: ${publishableKey}" \\`,
    `  -d '{"event": "page_view", "anonymousId": "visitor-123", "properties": {"path": "/pricing"}}'`,
  ].join("\n");
}

export function pythonExample(origin: string, secretKey: string | null): string {
  return [
    "from leadpulse.client import Client",
    "",
    `client = Client("${secretKey ?? "sk_… (create a secret key above)"}", host="${origin}")`,
    'client.track("visitor-123", "signup", {"plan": "pro"})',
    'client.identify("visitor-123", "ada@example.com", {"name": "Ada"})',
    "client.flush()",
  ].join("\n");
}
