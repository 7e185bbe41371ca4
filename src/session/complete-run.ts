import type { PublishParams } from "../bindings";
import type { ServiceContext } from "../context";
import { AppError } from "../errors";
import type { Tree } from "../lib/tree";
import type { Logger } from "../logger";
import { readSnapshotTree, storeSnapshot } from "../services/snapshots";
import { applyUnifiedDiff, statSummary, treeStat } from "./diff";
import type { AgentEvent, DiffStatEntry, PlatformMetadata, RunError, RunIds } from "./events";
import { queueMirror } from "./outbox";
import { rawMember } from "./raw-json";
import type { RunRow, SessionStorage } from "./storage";

// The end of a run that reached the agent's final (idle) event: the message is forwarded, the
// diff applied to the run's base, and a changed tree becomes a version — snapshot first, then the
// app's tree. What happens next (finish, or hand the version to publishing) is the session's.

/** The largest version a run may make: files, and characters over all files. */
export const TREE_LIMITS = { files: 5_000, chars: 64 * 1024 * 1024 };

const LEGACY_EMPTY_DIFF = "# Note: This is a valid empty diff";
const LEGACY_ERROR_DIFF = "# ERROR GENERATING DIFF";

export interface CompleteDeps {
  /** The services' context (the snapshot store). */
  services: ServiceContext;
  store: SessionStorage;
  run: RunRow;
  ids: RunIds;
  logger: Logger;
  /** Appends the agent event to the app's event log (and so to its readers and history). */
  logEvent(e: AgentEvent, stat: DiffStatEntry[] | null): void;
  /** False once the app is being deleted: a version must not be made for it any more. */
  alive(): boolean;
  /** TREE_LIMITS unless a test lowers them. */
  limits?: { files: number; chars: number };
}

/** Why the new tree cannot be a version (too many files, too large), or null. */
function overLimits(tree: Tree, limits: { files: number; chars: number }): string | null {
  if (tree.size > limits.files) {
    return `The new version would have ${tree.size} files; at most ${limits.files} are allowed`;
  }
  let chars = 0;
  for (const f of tree.values()) chars += f.content.length;
  if (chars > limits.chars) {
    return `The new version would hold ${chars} characters of files; at most ${limits.chars} are allowed`;
  }
  return null;
}

/** What the session does with a completed run: end it, or publish the version it made. */
export type Completion =
  | { type: "finish"; error: RunError | null }
  | { type: "publish"; params: PublishParams };

const finish = (error: RunError | null): Completion => ({ type: "finish", error });

function remember(deps: CompleteDeps, e: AgentEvent, raw: string): void {
  const { kind, messages } = e.message;
  deps.store.appendConversation({
    role: "assistant",
    kind,
    messages: (messages ?? []).map((m) => ({ role: "assistant", content: String(m.content ?? "") })),
  });
  const state = rawMember(raw, ["message", "agentState"]);
  if (state !== undefined && state !== "null") deps.store.putText("agent_state", state);
}

export async function completeIdle(
  deps: CompleteDeps,
  idle: { event: AgentEvent; raw: string },
  base: Tree,
): Promise<Completion> {
  const { event } = idle;
  const msg = event.message;
  const diff = msg.unifiedDiff;
  if (msg.kind === "RuntimeError") {
    deps.logEvent(event, null);
    const text = (msg.messages ?? []).map((m) => m.content).join("\n") || "The agent reported an error";
    return finish({ code: "agent_error", message: text });
  }
  if (diff?.trimStart().startsWith(LEGACY_ERROR_DIFF)) {
    deps.logEvent(event, null);
    return finish({ code: "agent_error", message: "The agent could not generate the code" });
  }
  const hasDiff = !!diff && diff.trim() !== "" && !diff.trimStart().startsWith(LEGACY_EMPTY_DIFF);
  if (!hasDiff) {
    deps.logEvent(event, null);
    remember(deps, event, idle.raw);
    return finish(null);
  }
  const applied = applyUnifiedDiff(base, diff);
  if (!applied.ok) {
    deps.logEvent(event, null);
    return finish({
      code: applied.code === "agent_error" ? "agent_error" : "patch_failed",
      message: applied.reason,
    });
  }
  deps.logEvent(event, applied.diffStat);
  if (applied.changed.length === 0 && applied.deleted.length === 0) {
    remember(deps, event, idle.raw);
    return finish(null);
  }
  const made = await makeVersion(deps, applied.tree, {
    commitMessage: msg.commit_message ?? null,
    appName: msg.app_name ?? undefined,
    skippedPaths: applied.skippedPaths,
    stat: applied.diffStat,
    restoredFrom: null,
  });
  if (made.type === "publish") remember(deps, event, idle.raw);
  return made;
}

/** What a new version records besides its tree. */
interface VersionMeta {
  /** The agent's; null → `Version N`. */
  commitMessage: string | null;
  appName: string | undefined;
  skippedPaths: PublishParams["skippedPaths"];
  /** The change from the version before. */
  stat: DiffStatEntry[];
  restoredFrom: number | null;
}

/**
 * Makes `tree` the app's next version: its snapshot first (the version exists once its snapshot
 * does), then the app's tree, the version row (through the outbox), and the version handed on to
 * publishing.
 */
async function makeVersion(deps: CompleteDeps, tree: Tree, meta: VersionMeta): Promise<Completion> {
  const tooBig = overLimits(tree, deps.limits ?? TREE_LIMITS);
  if (tooBig) return finish({ code: "patch_failed", message: tooBig });
  const { store, ids } = deps;
  const version = Number(store.getMeta("version") ?? "0") + 1;
  if (!deps.alive()) return finish({ code: "cancelled", message: "The app is being deleted" });
  try {
    await storeWithRetry(deps, { appId: ids.appId, version, tree });
  } catch (err) {
    deps.logger.error("snapshot upload failed", { err, version });
    return finish({ code: "internal", message: "The new version could not be stored; nothing was changed" });
  }
  if (!deps.alive()) return finish({ code: "cancelled", message: "The app is being deleted" });
  // The version exists once its snapshot does: only now does the app's tree move.
  store.replaceTree(tree);
  store.setMeta("version", String(version));
  store.updateRun(deps.run.id, { version });
  const appName = meta.appName;
  if (appName) store.setMeta("app_name", appName);
  const commitMessage = meta.commitMessage ?? `Version ${version}`;
  queueMirror(store, {
    snapshotVersion: version,
    ...(appName ? { appName } : {}),
    versions: [
      {
        version,
        runId: deps.run.id,
        traceId: ids.traceId,
        commitMessage,
        ...statSummary(meta.stat),
        restoredFrom: meta.restoredFrom,
        createdAt: new Date().toISOString(),
      },
    ],
  });
  return {
    type: "publish",
    params: {
      appId: ids.appId,
      version,
      ownerId: deps.run.userId,
      traceId: ids.traceId,
      appName: appName ?? store.getMeta("app_name") ?? `app-${ids.appId.slice(0, 8)}`,
      commitMessage,
      skippedPaths: meta.skippedPaths,
    },
  };
}

/**
 * A restore: version `from`'s tree, read from its snapshot, becomes the next version (no agent
 * run). The conversation and the agent's state are left as they are: the next run sends the
 * restored files (`allFiles`), and the agent diffs against them.
 */
export async function completeRestore(
  deps: CompleteDeps & { logPlatform(meta: PlatformMetadata): void },
  from: number,
): Promise<Completion> {
  let tree: Tree;
  try {
    tree = await readSnapshotTree({ ctx: deps.services, input: { appId: deps.ids.appId, version: from } });
  } catch (err) {
    deps.logger.error("the version to restore could not be read", { err, version: from });
    return finish({ code: "internal", message: `Version ${from} could not be read; nothing was changed` });
  }
  const current: Tree = deps.store.hasTree() ? deps.store.readTree() : new Map();
  const made = await makeVersion(deps, tree, {
    commitMessage: `Restore version ${from}`,
    appName: undefined,
    skippedPaths: [],
    stat: treeStat(current, tree),
    restoredFrom: from,
  });
  if (made.type !== "publish") return made;
  deps.logPlatform({ type: "version_restored", version: made.params.version, restoredFrom: from });
  return made;
}

const SNAPSHOT_RETRY_DELAY_MS = 1_000;

/**
 * Stores the version's snapshot, once more after a failure (a timeout of a busy moment, a storage
 * hiccup beyond the client's own retries). Storing again is safe: contents are addressed by hash,
 * the version's keys are rewritten whole, and the latest pointer never moves back.
 */
async function storeWithRetry(
  deps: CompleteDeps,
  input: { appId: string; version: number; tree: Tree },
): Promise<void> {
  try {
    await storeSnapshot({ ctx: deps.services, input });
  } catch (err) {
    if (err instanceof AppError && err.code === "internal") throw err; // a tree we cannot store
    deps.logger.warn("snapshot upload failed; trying once more", { err, version: input.version });
    await new Promise((r) => setTimeout(r, SNAPSHOT_RETRY_DELAY_MS));
    if (!deps.alive()) throw err;
    await storeSnapshot({ ctx: deps.services, input });
  }
}
