import type { Tree } from "../lib/tree";
import { storeSnapshot } from "../services/snapshots";
import type { RunContext } from "./agent-run";
import { applyUnifiedDiff } from "./diff";
import { type AgentEvent, agentMessageEvent, type DiffStatEntry } from "./events";
import { queueMirror } from "./outbox";
import { startPublish } from "./publish";
import { rawMember } from "./raw-json";

// The end of a run that reached the agent's final (idle) event: the message is forwarded, the
// diff applied to the run's base, and a changed tree becomes a version — snapshot first, then the
// app's tree, then the publishing Workflow.

const LEGACY_EMPTY_DIFF = "# Note: This is a valid empty diff";
const LEGACY_ERROR_DIFF = "# ERROR GENERATING DIFF";

/** Logs and sends an agent event (its history rows are derived from the log when flushed). */
export function forward(ctx: RunContext, e: AgentEvent, stat: DiffStatEntry[] | null): void {
  ctx.append("message", JSON.stringify(agentMessageEvent(ctx.ids, e, stat)));
}

function remember(ctx: RunContext, e: AgentEvent, raw: string): void {
  const { kind, messages } = e.message;
  ctx.store.appendConversation({
    role: "assistant",
    kind,
    messages: (messages ?? []).map((m) => ({ role: "assistant", content: String(m.content ?? "") })),
  });
  const state = rawMember(raw, ["message", "agentState"]);
  if (state !== undefined && state !== "null") ctx.store.putText("agent_state", state);
}

export async function completeIdle(
  ctx: RunContext,
  idle: { event: AgentEvent; raw: string },
  base: Tree,
): Promise<void> {
  const { event } = idle;
  const msg = event.message;
  const diff = msg.unifiedDiff;
  if (msg.kind === "RuntimeError") {
    forward(ctx, event, null);
    const text = (msg.messages ?? []).map((m) => m.content).join("\n") || "The agent reported an error";
    return ctx.finish({ code: "agent_error", message: text });
  }
  if (diff?.trimStart().startsWith(LEGACY_ERROR_DIFF)) {
    forward(ctx, event, null);
    return ctx.finish({ code: "agent_error", message: "The agent could not generate the code" });
  }
  const hasDiff = !!diff && diff.trim() !== "" && !diff.trimStart().startsWith(LEGACY_EMPTY_DIFF);
  if (!hasDiff) {
    forward(ctx, event, null);
    remember(ctx, event, idle.raw);
    return ctx.finish(null);
  }
  const applied = applyUnifiedDiff(base, diff);
  if (!applied.ok) {
    forward(ctx, event, null);
    return ctx.finish({
      code: applied.code === "agent_error" ? "agent_error" : "patch_failed",
      message: applied.reason,
    });
  }
  forward(ctx, event, applied.diffStat);
  if (applied.changed.length === 0 && applied.deleted.length === 0) {
    remember(ctx, event, idle.raw);
    return ctx.finish(null);
  }
  const version = Number(ctx.store.getMeta("version") ?? "0") + 1;
  try {
    await storeSnapshot(ctx.config, { appId: ctx.ids.appId, version, tree: applied.tree });
  } catch (err) {
    ctx.logger.error("snapshot upload failed", { err, version });
    return ctx.finish({
      code: "internal",
      message: "The new version could not be stored; nothing was changed",
    });
  }
  // The version exists once its snapshot does: only now does the app's tree move.
  ctx.store.replaceTree(applied.tree);
  ctx.store.setMeta("version", String(version));
  ctx.store.updateRun(ctx.run.id, { version });
  remember(ctx, event, idle.raw);
  const appName = msg.app_name ?? undefined;
  if (appName) ctx.store.setMeta("app_name", appName);
  queueMirror(ctx.store, { snapshotVersion: version, ...(appName ? { appName } : {}) });
  ctx.enterPublishing();
  await ctx.flush();
  try {
    await startPublish(ctx.env, {
      appId: ctx.ids.appId,
      version,
      ownerId: ctx.run.userId,
      traceId: ctx.ids.traceId,
      appName: appName ?? ctx.store.getMeta("app_name") ?? `app-${ctx.ids.appId.slice(0, 8)}`,
      commitMessage: msg.commit_message ?? `Version ${version}`,
      skippedPaths: applied.skippedPaths,
    });
  } catch (err) {
    ctx.logger.error("publish could not start", { err, version });
    await ctx.platform({
      type: "publish_failed",
      step: "start",
      reason: "The publishing step could not be started",
    });
  }
}
