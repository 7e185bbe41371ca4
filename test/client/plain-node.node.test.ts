import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";

// The client as built runs in a plain Node.js process, over real sockets: a connection cut in the
// middle of an event (the socket destroyed) is resumed from Last-Event-ID. The server here answers
// only what that takes, in the contract's shapes; the client against the real Worker is
// test/client/streams.test.ts.

const root = path.resolve(import.meta.dirname, "../..");
const dist = path.join(root, "client/dist");
const APP = "0b7d3c1e-5a2f-4c8e-9d61-2f4a7b9c0e13";
const ids = { traceId: `app-${APP}.req-1`, appId: APP };

const sse = (id: number, event: string, data: unknown) =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const message = (id: number) =>
  sse(id, "message", {
    status: "running",
    ...ids,
    techStack: "trpc_agent",
    createdAt: new Date().toISOString(),
    message: {
      kind: "WipUpdate",
      messages: [{ role: "assistant", content: `step ${id}` }],
      app_name: null,
      commit_message: null,
      diffStat: null,
    },
  });
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", "x-app-id": APP };

const requests: { method: string; url: string; auth?: string; key?: string; lastEventId?: string }[] = [];
let server: http.Server;
let url: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(dist, "index.js"))) {
    throw new Error("client/dist is missing: `npm test` builds it first (npm run client:build)");
  }
  server = http.createServer((req, res) => {
    const h = req.headers;
    requests.push({
      method: req.method!,
      url: req.url!,
      auth: h.authorization,
      key: h["idempotency-key"] as string | undefined,
      lastEventId: h["last-event-id"] as string | undefined,
    });
    if (req.url === "/me") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(
        JSON.stringify({
          id: "u1",
          email: null,
          displayName: null,
          githubUsername: null,
          isNeonEmployee: false,
        }),
      );
    }
    if (req.url === "/message") {
      res.writeHead(200, SSE_HEADERS);
      res.write(`retry: 2000\n\n${message(1)}${message(2)}${message(3)}`);
      // Half of the fourth event, then the connection is gone.
      res.write(message(4).slice(0, 30), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (req.url === `/apps/${APP}/events` && h["last-event-id"] === "3") {
      res.writeHead(200, SSE_HEADERS);
      return res.end(`retry: 2000\n\n${message(4)}${message(5)}${sse(6, "done", { done: true, ...ids })}`);
    }
    if (req.url === `/apps/${APP}/events?after=6`) {
      res.writeHead(204, { "x-app-id": APP });
      return res.end();
    }
    res.writeHead(404, { "content-type": "application/problem+json", "x-request-id": "r1" });
    res.end(
      JSON.stringify({
        type: "about:blank",
        title: "Not Found",
        status: 404,
        detail: "No such app",
        code: "not_found",
        requestId: "r1",
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

it("the built client has no import of a Node.js module or of a package", () => {
  for (const f of fs.readdirSync(dist).filter((f) => f.endsWith(".js"))) {
    const code = fs.readFileSync(path.join(dist, f), "utf8");
    const specifiers = [...code.matchAll(/\b(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
    expect(
      specifiers.filter((s) => !s!.startsWith("./")),
      f,
    ).toEqual([]);
    expect(code, f).not.toMatch(/\brequire\(|\bprocess\.|\bBuffer\b/);
  }
});

it("runs in plain Node.js: typed call, typed problem, a cut stream resumed from Last-Event-ID, 204 ends", async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, "test/client/plain-node.mjs")],
      { cwd: root, env: { ...process.env, API_URL: url }, timeout: 20_000 },
      (err, out, errOut) => (err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out)),
    );
  });
  const seen = JSON.parse(stdout);
  expect(seen.me.id).toBe("u1");
  expect(seen.problem).toEqual({ isApiError: true, status: 404, code: "not_found" });
  expect(seen.events).toEqual([
    ...[1, 2, 3, 4, 5].map((id) => ({ id, event: "message" })),
    { id: 6, event: "done" },
  ]);
  expect(seen.appId).toBe(APP);
  expect(seen.after).toEqual([]);
  expect(requests.map((r) => [r.method, r.url, r.lastEventId ?? null])).toEqual([
    ["GET", "/me", null],
    ["GET", "/apps/missing", null],
    ["POST", "/message", null],
    ["GET", `/apps/${APP}/events`, "3"],
    ["GET", `/apps/${APP}/events?after=6`, null],
  ]);
  expect(requests.every((r) => r.auth === "Bearer node-token")).toBe(true);
  expect(requests[2]!.key).toBe(seen.idempotencyKey);
  expect(seen.idempotencyKey).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});
