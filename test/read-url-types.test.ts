import { describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { storeSnapshot } from "../src/services/snapshots";
import type { ReadUrl } from "../src/services/snapshots/read-url";
import { callJson } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { testContext } from "./helpers/env";

const ctx = testContext();

import { createApp } from "./helpers/factories";
import { createUser } from "./helpers/users";

const db = useTestDb();

const page = "<!doctype html><script>alert(document.domain)</script>\n";
const tree: Tree = new Map([
  ["index.html", { content: page, mode: "100644" }],
  ["public/Logo.SVG", { content: "<svg xmlns='http://www.w3.org/2000/svg'/>\n", mode: "100644" }],
  ["src/app.js", { content: "export {};\n", mode: "100644" }],
  ["README.md", { content: "# Shop\n", mode: "100644" }],
  [`${"d/".repeat(200)}${"p".repeat(600)}.html`, { content: page, mode: "100644" }],
]);

async function readUrl(token: string, appId: string, path?: string) {
  const q = path === undefined ? "" : `?path=${encodeURIComponent(path)}`;
  const r = await callJson<ReadUrl>("GET", `/apps/${appId}/read-url${q}`, { token });
  expect(r.status).toBe(200);
  return fetch(r.body.readUrl);
}

describe("presigned read-urls answer with safe content types", () => {
  it("text files as text/plain, HTML and SVG as downloads, the archive as a zip", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id, { snapshotVersion: 1 });
    await storeSnapshot({ ctx, input: { appId: app.id, version: 1, tree } });

    for (const path of tree.keys()) {
      const res = await readUrl(user.token, app.id, path);
      expect(res.status, path.slice(0, 40)).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      const download = /\.(html|svg)$/i.test(path);
      expect(res.headers.get("content-disposition"), path.slice(0, 40)).toBe(download ? "attachment" : null);
      expect(await res.text()).toBe(tree.get(path)!.content);
    }
    const zip = await readUrl(user.token, app.id);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-disposition")).toBe(`attachment; filename="${app.appName}.zip"`);
    await zip.arrayBuffer();
  });

  it("the archive downloads under the app's name, made safe for a header", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id, { snapshotVersion: 1, appName: 'Café "Menu"; x=1' });
    await storeSnapshot({ ctx, input: { appId: app.id, version: 1, tree } });
    const zip = await readUrl(user.token, app.id);
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    expect(zip.headers.get("content-disposition")).toBe('attachment; filename="cafe-menu-x-1.zip"');
    await zip.arrayBuffer();
  });

  it("the headers are signed: changing them breaks the URL", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id, { snapshotVersion: 1 });
    await storeSnapshot({ ctx, input: { appId: app.id, version: 1, tree } });
    const r = await callJson<ReadUrl>("GET", `/apps/${app.id}/read-url?path=index.html`, {
      token: user.token,
    });
    const url = new URL(r.body.readUrl);
    expect(url.searchParams.get("response-content-type")).toBe("text/plain; charset=utf-8");
    url.searchParams.set("response-content-type", "text/html");
    url.searchParams.delete("response-content-disposition");
    const res = await fetch(url);
    expect(res.status).toBe(403);
    await res.arrayBuffer();
  });
});
