import { describe, expect, it } from "vitest";
import { AGENT_SECRET, agentRequests, readSseData, setAgentScenario } from "./helpers/agent-stand-in";
import { standInUrl } from "./helpers/env";

interface AgentEvent {
  status: "running" | "idle";
  traceId: string;
  message: {
    role: string;
    kind: string;
    messages: { role: string; content: string }[] | null;
    agentState: Record<string, unknown> | null;
    unifiedDiff: string | null;
    app_name: string | null;
    commit_message: string | null;
  };
  timestamp: string;
}

const EVENT_KEYS = ["status", "traceId", "message", "timestamp"];
const MESSAGE_KEYS = [
  "role",
  "kind",
  "messages",
  "agentState",
  "unifiedDiff",
  "completeDiffHash",
  "diffStat",
  "app_name",
  "commit_message",
];

function post(body: unknown, auth: string | null = `Bearer ${AGENT_SECRET}`) {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  if (auth) headers.authorization = auth;
  return fetch(`${standInUrl("agent")}/message`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function request(content: string, extra: Record<string, unknown> = {}) {
  const applicationId = crypto.randomUUID();
  return {
    allMessages: [{ role: "user", content }],
    applicationId,
    traceId: `app-${applicationId}.req-${crypto.randomUUID()}`,
    agentState: null,
    allFiles: null,
    templateId: "trpc_agent",
    settings: {},
    ...extra,
  };
}

async function run(body: ReturnType<typeof request>) {
  const res = await post(body);
  expect(res.status).toBe(200);
  const data = await readSseData(res);
  return { data, events: data.map((d) => JSON.parse(d) as AgentEvent) };
}

/** The tree a diff of new files describes (enough to feed an edit its allFiles). */
function filesOfBuildDiff(diff: string): { path: string; content: string }[] {
  return diff
    .split(/^diff --git /m)
    .slice(1)
    .map((section) => {
      const path = /^a\/(\S+) b\//.exec(section)![1]!;
      const body = section.split(/^@@ .*$/m)[1] ?? "";
      const lines = body.split("\n").filter((l) => l.startsWith("+"));
      const noEol = body.includes("\\ No newline at end of file");
      const content = lines.map((l) => l.slice(1)).join("\n") + (lines.length && !noEol ? "\n" : "");
      return { path, content };
    });
}

describe("agent stand-in", () => {
  it("answers 401 without a token and 403 with a wrong one, before any stream byte", async () => {
    const none = await post(request("x"), null);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toContain("application/json");
    expect(await none.json()).toEqual({ detail: "Not authenticated" });
    const wrong = await post(request("x"), "Bearer nope");
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("content-type")).toContain("application/json");
  });

  it("refuses a PlatformMessage assistant entry with a FastAPI-style 422", async () => {
    const body = request("x");
    body.allMessages = [
      { role: "assistant", kind: "PlatformMessage", messages: [] } as never,
      { role: "user", content: "next" },
    ];
    const res = await post(body);
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { detail: { loc: unknown[]; type: string }[] };
    expect(problem.detail[0]!.loc).toEqual(["body", "allMessages", 0, "kind"]);
  });

  it("refuses malformed bodies with 422: bad JSON, empty conversation, missing ids, bad allFiles", async () => {
    expect((await post("{nope")).status).toBe(422);
    expect((await post({ ...request("x"), allMessages: [] })).status).toBe(422);
    const { traceId: _t, ...noTrace } = request("x");
    expect((await post(noTrace)).status).toBe(422);
    expect((await post({ ...request("x"), allFiles: [{ path: "a" }] })).status).toBe(422);
    expect((await post({ ...request("x"), agentState: "state" })).status).toBe(422);
    expect((await post({ ...request("x"), unknownKey: 1 })).status).toBe(200);
  });

  it("frames every event as one compact data line with fixed key order and zone-less timestamps", async () => {
    const body = request("A page that counts clicks");
    const res = await post(body);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const blocks = text.split("\n\n");
    expect(blocks.pop()).toBe("");
    for (const block of blocks) {
      expect(block).toMatch(/^data: \{[^\n]*\}$/);
      const e = JSON.parse(block.slice(6)) as AgentEvent;
      // Compact: re-serialising gives the same text (except the big numbers a double cannot hold).
      const big = "12345678901234567890";
      expect(JSON.stringify(e)).toBe(block.slice(6).replaceAll(big, String(Number(big))));
      expect(Object.keys(e)).toEqual(EVENT_KEYS);
      expect(Object.keys(e.message)).toEqual(MESSAGE_KEYS);
      expect(e.traceId).toBe(body.traceId);
      expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    }
  });

  it("build: WipUpdate, StageResult, running Initial commit diff, then a full idle diff that supersedes it", async () => {
    const { data, events } = await run(request("A page that counts clicks"));
    expect(events.map((e) => `${e.status}:${e.message.kind}`)).toEqual([
      "running:WipUpdate",
      "running:StageResult",
      "running:ReviewResult",
      "running:WipUpdate",
      "running:WipUpdate",
      "idle:ReviewResult",
    ]);
    const [, stage, initial] = events;
    expect(stage!.message.messages![0]!.content).toBe("Initializing application...");
    expect(stage!.message.app_name).toBe("a-page-that-counts");
    expect(initial!.message.commit_message).toBe("Initial commit");
    const idle = events.at(-1)!;
    const diff = idle.message.unifiedDiff!;
    expect(diff).not.toBe(initial!.message.unifiedDiff);
    expect(diff).toContain("diff --git a/scripts/start.sh b/scripts/start.sh\nnew file mode 100755\n");
    expect(diff).toContain(
      "+++ b/public/media/x.txt\n@@ -0,0 +1 @@\n+x marks the spot\n\\ No newline at end of file\n",
    );
    expect(diff).toContain("--- /dev/null\n");
    expect(filesOfBuildDiff(diff)).toHaveLength(10);
    // The state carries a number beyond 2^53 written literally in the JSON text.
    expect(data.at(-1)).toContain('"big":12345678901234567890');
    expect(idle.message.agentState).toMatchObject({
      turn: 1,
      metadata: { app_name: "a-page-that-counts", template_diff_sent: true },
    });
    expect(idle.message.commit_message).toMatch(/^feat: /);
  });

  it("refine: one idle RefinementRequest whose state has fsm_state null", async () => {
    const { events } = await run(request("something [scenario:refine]"));
    const idle = events.at(-1)!;
    expect(idle.status).toBe("idle");
    expect(idle.message.kind).toBe("RefinementRequest");
    expect(idle.message.agentState).toMatchObject({ fsm_state: null });
    expect(idle.message.messages![0]!.content).toContain("?");
  });

  it("edit: an incremental diff against the allFiles sent (modify, delete, add)", async () => {
    const built = await run(request("A click counter"));
    const idleRaw = built.data.at(-1)!;
    const stateRaw = /"agentState":(\{.*\}),"unifiedDiff"/.exec(idleRaw)![1]!;
    const allFiles = filesOfBuildDiff(built.events.at(-1)!.message.unifiedDiff!);
    const body = request("Make it blue", { allFiles });
    body.allMessages = [
      { role: "user", content: "A click counter" },
      {
        role: "assistant",
        kind: "ReviewResult",
        messages: [{ role: "assistant", content: "done" }],
      } as never,
      { role: "user", content: "Make it blue" },
    ];
    const raw = JSON.stringify(body).replace('"agentState":null', `"agentState":${stateRaw}`);
    const res = await post(raw);
    const events = (await readSseData(res)).map((d) => JSON.parse(d) as AgentEvent);
    const idle = events.at(-1)!;
    expect(idle.message.kind).toBe("ReviewResult");
    const diff = idle.message.unifiedDiff!;
    expect(diff).toContain("--- a/README.md\n+++ b/README.md\n");
    expect(diff).toContain("+## Change 2\n");
    expect(diff).toContain("diff --git a/src/old-helper.ts b/src/old-helper.ts\ndeleted file mode 100644\n");
    expect(diff).toContain("diff --git a/src/change-2.ts b/src/change-2.ts\nnew file mode 100644\n");
    expect(idle.message.agentState).toMatchObject({ turn: 2, metadata: { app_name: "a-click-counter" } });

    // Another tree → another diff: the result depends on what was sent.
    const other = raw.replace(
      JSON.stringify(allFiles),
      JSON.stringify([{ path: "notes.txt", content: "hi\n" }]),
    );
    const otherIdle = (await readSseData(await post(other))).map((d) => JSON.parse(d) as AgentEvent).at(-1)!;
    expect(otherIdle.message.unifiedDiff).toContain("--- a/notes.txt\n+++ b/notes.txt\n");
    expect(otherIdle.message.unifiedDiff).not.toContain("README.md");
  });

  it("edit without allFiles ends in an idle RuntimeError with a null state", async () => {
    const body = request("change it [scenario:edit]", { agentState: { fsm_state: { x: 1 } } });
    const { events } = await run(body);
    const idle = events.at(-1)!;
    expect(idle.message.kind).toBe("RuntimeError");
    expect(idle.message.agentState).toBeNull();
    expect(idle.message.messages![0]!.content).toContain("missing allFiles");
  });

  it("sends KeepAlives with empty messages at the configured interval", async () => {
    const { events } = await run(request("x [scenario:build keepalive=20 delay=30]"));
    const keepAlives = events.filter((e) => e.message.kind === "KeepAlive");
    expect(keepAlives.length).toBeGreaterThan(0);
    expect(keepAlives[0]!.message.messages).toEqual([]);
    expect(events.at(-1)!.status).toBe("idle");
  });

  it("a scenario registered for an app is used by its next request only", async () => {
    const body = request("Build a shop");
    await setAgentScenario(body.applicationId, "runtime_error");
    expect((await run(body)).events.at(-1)!.message.kind).toBe("RuntimeError");
    expect((await run(body)).events.at(-1)!.message.kind).toBe("ReviewResult");
  });

  it("records each request with its headers and parsed body, oldest first", async () => {
    const body = request("first [scenario:refine]");
    await run(body);
    await post(body, "Bearer wrong");
    const records = await agentRequests(body.applicationId);
    expect(records).toHaveLength(2);
    expect(records[0]!.headers.authorization).toBe(`Bearer ${AGENT_SECRET}`);
    expect(records[0]!.body).toMatchObject({ traceId: body.traceId, templateId: "trpc_agent" });
    expect(records[0]!.scenario).toBe("refine");
    expect(records[0]!.outcome).toBe("completed");
    expect(records[1]!.status).toBe(403);
  });

  it("cut: the stream breaks after a few running events without an idle event", async () => {
    const res = await post(request("x [scenario:cut after=2 how=end]"));
    const events = (await readSseData(res)).map((d) => JSON.parse(d) as AgentEvent);
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.status === "running")).toBe(true);
  });

  it("no_change, legacy notes, malformed lines and trickle timestamps come out as specified", async () => {
    const last = async (content: string) => (await run(request(content))).events.at(-1)!;
    const none = await last("x [scenario:no_change]");
    expect([none.status, none.message.kind, none.message.unifiedDiff]).toEqual(["idle", "StageResult", null]);
    expect((await last("x [scenario:no_change legacy=1]")).message.unifiedDiff).toMatch(
      /^# Note: This is a valid empty diff/,
    );
    expect((await last("x [scenario:legacy_error_diff]")).message.unifiedDiff).toMatch(
      /^# ERROR GENERATING DIFF/,
    );
    const malformed = await readSseData(await post(request("x [scenario:malformed]")));
    expect(malformed[1]).toBe("{not json");
    expect((JSON.parse(malformed.at(-1)!) as AgentEvent).status).toBe("idle");
    const { events } = await run(request("x [scenario:trickle events=50 size=300 rate=0]"));
    const wips = events.filter((e) => e.message.kind === "WipUpdate");
    expect(wips).toHaveLength(50);
    const content = wips[0]!.message.messages![0]!.content;
    expect(content).toMatch(/^t=\d{13}(\.\d+)? /);
    expect(new TextEncoder().encode(content).length).toBe(300);
    expect(Math.abs(Number(content.slice(2, content.indexOf(" "))) - Date.now())).toBeLessThan(10_000);
  });

  it("http_error answers its status before any stream byte", async () => {
    const res = await post(request("x [scenario:http_error status=503]"));
    expect(res.status).toBe(503);
    await res.body?.cancel();
  });
});
