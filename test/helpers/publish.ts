import { env, introspectWorkflow } from "cloudflare:test";
import { unzipTree } from "../../src/lib/zip";
import { clientFor } from "./client";
import { runToDone, type SendOptions } from "./generation";
import { exportRepo, ghUrl } from "./github";
import type { SseEvent, SseRead } from "./sse";

// Helpers for the publish → deploy → delete pipeline tests: fast workflows, a built app, its
// repository and archive as plain trees, and bounded waits for what goes on after `done`.

/** A tree as tests compare it: path → "<mode> <content>". */
export type FlatTree = Record<string, string>;

export const flat = (tree: Map<string, { content: string; mode: string }>): FlatTree =>
  Object.fromEntries(
    [...tree].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, f]) => [p, `${f.mode} ${f.content}`]),
  );

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const fromB64 = (data: string) => utf8.decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));

/**
 * Workflow sleeps and retry delays off for instances made from now on (builds and Koyeb polls run
 * at once). Call `dispose()` after the workflows ended.
 */
export async function fastWorkflows() {
  const publish = await introspectWorkflow(env.PUBLISH_WORKFLOW);
  const remove = await introspectWorkflow(env.DELETE_APP_WORKFLOW);
  for (const wf of [publish, remove]) {
    await wf.modifyAll(async (m) => {
      await m.disableSleeps();
      await m.disableRetryDelays();
    });
  }
  return {
    publish,
    remove,
    dispose: async () => {
      await publish.dispose();
      await remove.dispose();
    },
  };
}

/** Runs `fn` with workflow sleeps and retry delays off; disposes after. */
export async function withFastWorkflows<T>(fn: () => Promise<T>): Promise<T> {
  const wf = await fastWorkflows();
  try {
    return await fn();
  } finally {
    await wf.dispose();
  }
}

/** A unique agent app name (so stand-in faults and repositories belong to one test). */
export const uniqueAppName = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** A message that makes the agent stand-in run `scenario` with `options`. */
export const scenario = (name: string, options: Record<string, string | number> = {}, text = "a todo list") =>
  `${text} [scenario:${name}${Object.entries(options)
    .map(([k, v]) => ` ${k}=${v}`)
    .join("")}]`;

export const platformOf = (e: SseEvent) =>
  (e.json as { metadata?: Record<string, unknown> & { type: string } }).metadata ?? null;

/** The platform messages of a stream, in order. */
export const platformEvents = (r: SseRead) =>
  r.events.filter((e) => e.event === "message" && platformOf(e)).map((e) => platformOf(e)!);

/** "agent" / "agent:idle" / "<platform type>" / "error:<code>" / "done", one per event. */
export function outline(r: SseRead): string[] {
  return r.events.map((e) => {
    if (e.event === "message") {
      const p = platformOf(e);
      if (p) return p.type;
      return (e.json as { status: string }).status === "idle" ? "agent:idle" : "agent";
    }
    if (e.event === "error") return `error:${(e.json as { code: string }).code}`;
    return e.event;
  });
}

/** One run to `done`; throws with the event outline when the stream does not reach it. */
export async function run(message: string, opts: SendOptions & { timeoutMs?: number }) {
  return runToDone(message, { timeoutMs: 30_000, ...opts });
}

export async function getApp(token: string, appId: string) {
  return (await clientFor(token).get("/apps/{id}", { path: { id: appId } })).data;
}

export async function deploymentsOf(token: string, appId: string) {
  return (await clientFor(token).get("/apps/{id}/deployments", { path: { id: appId } })).data;
}

export async function historyOf(token: string, appId: string) {
  return (await clientFor(token).get("/apps/{id}/history", { path: { id: appId }, query: { limit: 1000 } }))
    .data;
}

const ENDED = new Set(["healthy", "failed", "cancelled"]);

/** Polls `check` until it answers non-null, every 100 ms, for at most `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | null>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until the app's deployment `id` (else its newest) has ended; answers it. */
export function deploymentEnded(token: string, appId: string, id?: string, timeoutMs = 30_000) {
  return eventually(
    "the deployment to end",
    async () => {
      const list = await deploymentsOf(token, appId);
      const d = id ? list.find((x) => x.id === id) : list[0];
      return d && ENDED.has(d.status) ? d : null;
    },
    timeoutMs,
  );
}

/** Waits until the history holds a platform message of `type` (the outcome arrives after `done`). */
export function historyHas(token: string, appId: string, type: string) {
  return eventually(`a ${type} history entry`, async () => {
    const rows = await historyOf(token, appId);
    return rows.find((r) => r.metadata?.type === type) ?? null;
  });
}

/** The app's repository in the GitHub stand-in: files as a flat tree, and commits newest first. */
export async function repoOf(token: string, appId: string) {
  const app = await getApp(token, appId);
  if (!app.githubOwner || !app.githubRepo) throw new Error("the app has no repository");
  const exported = await exportRepo(app.githubOwner, app.githubRepo);
  const files: FlatTree = {};
  for (const f of exported.files) files[f.path] = `${f.mode} ${fromB64(f.content)}`;
  return { app, exported, files };
}

/** The latest snapshot archive through `read-url`: a plain GET of the presigned URL. */
export async function archiveOf(token: string, appId: string) {
  const { data } = await clientFor(token).get("/apps/{id}/read-url", { path: { id: appId } });
  const res = await fetch(data.readUrl);
  if (res.status !== 200) throw new Error(`archive GET answered ${res.status}`);
  return { version: data.version, files: flat(unzipTree(new Uint8Array(await res.arrayBuffer()))) };
}

/** One file of the latest snapshot through `read-url?path=`. */
export async function fileOf(token: string, appId: string, path: string) {
  const { data } = await clientFor(token).get("/apps/{id}/read-url", {
    path: { id: appId },
    query: { path },
  });
  const res = await fetch(data.readUrl);
  return new TextDecoder().decode(await res.arrayBuffer());
}

/** Repository names under `owner` that the stand-in served calls for, starting with `prefix`. */
export async function reposTouched(owner: string, prefix: string): Promise<string[]> {
  const res = await fetch(`${ghUrl()}/__dev/stats`);
  const { requests } = (await res.json()) as { requests: Record<string, number> };
  const names = new Set<string>();
  for (const key of Object.keys(requests)) {
    const m = new RegExp(`^[A-Z]+ /repos/${owner}/([^/]+)`).exec(key);
    if (m?.[1]?.startsWith(prefix)) names.add(m[1]);
  }
  return [...names].sort();
}
