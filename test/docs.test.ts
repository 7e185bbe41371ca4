import { describe, expect, it } from "vitest";
import { call } from "./helpers/api";

describe("GET /docs", () => {
  it("is rendered by this service: every operation listed, no script, nothing loaded from elsewhere", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    const doc = (await (await call("GET", "/openapi.json")).json()) as { paths: Record<string, unknown> };
    for (const path of Object.keys(doc.paths)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    // The one inline style is allowed by its hash, which matches the style served.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(style));
    const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).not.toContain("unsafe-inline");
  });
});
