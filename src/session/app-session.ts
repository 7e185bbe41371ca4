import { DurableObject } from "cloudflare:workers";
import { type PublishParams, startPublish } from "../bindings";
import { type Config, loadConfig } from "../config";
import { type ServiceContext, serviceContext } from "../context";
import type { Tree } from "../lib/tree";
import { createLogger, type Logger } from "../logger";
import {
  type ClaimResult,
  claimRun,
  type StartAnswer,
  type StartInput,
} from "../services/generation/claim-run";
import type { HistoryRow } from "../services/history/writer";
import { refundMessage } from "../services/limits/counter";
import { deleteAppObjects } from "../services/snapshots";
import { type AgentOutcome, type AgentRun, agentRequest, runAgent } from "./agent-run";
import { type Completion, completeIdle, completeRestore } from "./complete-run";
import {
  type AgentEvent,
  agentMessageEvent,
  type DiffStatEntry,
  doneEvent,
  errorEvent,
  type PlatformMetadata,
  platformMessageEvent,
  type RunError,
  type RunIds,
} from "./events";
import { flushOutbox, queueMirror } from "./outbox";
import { type RunRow, SessionStorage, type StoredEvent } from "./storage";
import { Subscribers } from "./subscribers";
import { isStaleLock, watchdogAction } from "./watchdog";

const HEARTBEAT_MS = 30_000;
const KEEPALIVE_MS = 15_000;
/**
 * How long new history rows wait in the outbox for company: a run's history reaches Postgres
 * about once a second while it streams (and all of it before its `done`). Each flush is a
 * Postgres round trip and a few storage writes; at 250 ms, twenty streaming apps in one isolate
 * spent enough on flushes to push the relay's p99 past its budget.
 */
const FLUSH_DELAY_MS = 1000;
/** The longest a run's `done` waits for its history to reach Postgres. */
const DONE_FLUSH_WAIT_MS = 5_000;

interface RunKey {
  runId: string;
  userId: string;
  key: string;
  hash: string;
}

export type StreamResult =
  | { status: 204 }
  /** No such run: it never started (or the app was deleted). */
  | { status: 404 }
  | { status: 429 }
  | { status: 200; stream: ReadableStream<Uint8Array> };

/**
 * One app's build session: the run lock, the event log (ids never repeat), the file tree, the
 * last good agent state, and the agent read loop, which runs detached from any request.
 */
export class AppSession extends DurableObject<Env> {
  private readonly store: SessionStorage;
  private readonly subs = new Subscribers(() => this.stopKeepalive());
  private live: AgentRun | undefined;
  /** Runs whose end is being written (finish waits on the flush): a second finish is a no-op. */
  private readonly ending = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  /** Overridable by tests (runInDurableObject) to exercise the timeout without waiting minutes. */
  idleTimeoutMs: number | undefined;
  /** Interval of the `: keepalive` comments to readers; overridable by tests like the timeout. */
  keepaliveMs = KEEPALIVE_MS;
  /** The longest agent line accepted; overridable by tests like the timeout. */
  maxAgentLineChars: number | undefined;
  /** Hands a version to the PublishWorkflow; overridable by tests (a binding that fails or never answers). */
  startPublishing = (params: PublishParams): Promise<void> => startPublish(this.env, params);
  /** The largest version (files, characters); overridable by tests like the timeout. */
  treeLimits: { files: number; chars: number } | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new SessionStorage(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => this.store.init());
  }

  private get config(): Config {
    return loadConfig(this.env);
  }

  private get appId(): string {
    return this.store.getMeta("app_id") ?? "";
  }

  private logger(runId?: string): Logger {
    return createLogger({ component: "app-session", appId: this.appId, runId });
  }

  /** The services' context: no caller and no database handle (each call opens a short-lived one). */
  private services(runId?: string): ServiceContext {
    return serviceContext({ config: this.config, logger: this.logger(runId) });
  }

  private get idleMs(): number {
    return this.idleTimeoutMs ?? this.config.AGENT_IDLE_TIMEOUT_S * 1000;
  }

  private ids(run: Pick<RunRow, "traceId">): RunIds {
    return { traceId: run.traceId, appId: this.appId, techStack: this.store.getMeta("tech_stack") ?? "" };
  }

  // --- starting a run ------------------------------------------------------------------------

  /**
   * Starts a run, or says why not, in one call. The lock is taken with no await between its check
   * and its take; then one Postgres statement settles ownership, the Idempotency-Key, the daily
   * count and the app row (claimRun). Only then does the run begin. Any refusal or fault gives the
   * lock back and leaves nothing behind; the stream is returned before any agent byte.
   */
  async start(input: StartInput): Promise<StartAnswer> {
    this.store.setMeta("app_id", input.appId);
    if (!this.alive()) return { type: "not_found" };
    if (input.restore && input.restore.version > Number(this.store.getMeta("version") ?? "0")) {
      return { type: "no_version" };
    }
    const active = this.store.activeRun();
    if (active && !isStaleLock(active, Date.now())) return this.heldBy(active, input);
    if (active) this.store.deleteRun(active.id);
    this.store.insertRun({ ...input, id: input.runId, startedAt: Date.now() });
    if (input.idempotency) {
      const held: RunKey = { runId: input.runId, userId: input.userId, ...input.idempotency };
      this.store.setMeta("run_key", JSON.stringify(held));
    }
    const log = this.logger(input.runId);
    let claim: ClaimResult;
    try {
      claim = await this.claim(input);
    } catch (err) {
      log.error("the run's start could not be settled in Postgres", { err });
      this.release(input.runId);
      return { type: "unavailable" };
    }
    if (claim.type !== "claimed") {
      this.release(input.runId);
      return claim.type === "gone" ? { type: "not_found" } : claim;
    }
    if (!this.alive()) {
      // Deleted while the start was being settled: the run never starts, its message is given back.
      this.release(input.runId);
      await this.refund(input.runId, input.userId, claim.limit.day);
      return { type: "not_found" };
    }
    try {
      const stream = await this.begin(input, claim.limit.day);
      return { type: "started", stream, limit: claim.limit };
    } catch (err) {
      log.error("the run could not begin", { err });
      await this.finish(input.runId, { code: "internal", message: "The run could not begin" });
      await this.refund(input.runId, input.userId, claim.limit.day);
      return { type: "unavailable" };
    }
  }

  /** The lock is held: by this very request (a repeat) or its Idempotency-Key, or by another run. */
  private heldBy(active: RunRow, input: StartInput): StartAnswer {
    if (active.id === input.runId) return { type: "attach", runId: active.id };
    const held = this.store.getMeta("run_key");
    const k = held ? (JSON.parse(held) as RunKey) : null;
    const mine = input.idempotency;
    if (k && mine && k.runId === active.id && k.userId === input.userId && k.key === mine.key) {
      return k.hash === mine.hash ? { type: "attach", runId: active.id } : { type: "key_reused" };
    }
    return { type: "in_progress", runId: active.id };
  }

  private claim(input: StartInput): Promise<ClaimResult> {
    return claimRun({
      ctx: this.services(input.runId),
      input: {
        appId: input.appId,
        runId: input.runId,
        userId: input.userId,
        traceId: input.traceId,
        newApp: input.newApp && { ...input.newApp, techStack: input.techStack },
        idempotency: input.idempotency,
      },
    });
  }

  /** Gives back a lock that never became a run. */
  private release(runId: string): void {
    const run = this.store.getRun(runId);
    if (run?.status === "pending") {
      this.store.deleteRun(runId);
      this.subs.closeRun(runId);
    }
  }

  /** Turns the claimed lock into a running run, its agent call detached from any request. */
  private async begin(input: StartInput, countedDay: string): Promise<ReadableStream<Uint8Array>> {
    const run = this.store.getRun(input.runId);
    if (run?.status !== "pending") throw new Error(`run ${input.runId} is not pending`);
    const now = Date.now();
    this.store.setMeta("tech_stack", input.techStack);
    this.store.updateRun(run.id, { status: "running", countedDay, lastByteAt: now });
    // A restore is no message to the agent: its `version_restored` platform message is its record.
    if (!input.restore) this.queueUserMessage(run, input.message, now);
    // claimRun wrote `running`; an `idle` of the last run still waiting in the outbox must not
    // overwrite it when it is flushed.
    if (this.store.getMeta("pending_mirror")) queueMirror(this.store, { runStatus: "running" });
    this.scheduleFlush();
    const sub = this.subs.open({ runId: run.id, debug: run.ownerIsEmployee }, null);
    this.startKeepalive();
    await this.ctx.storage.setAlarm(now + HEARTBEAT_MS);
    const running: RunRow = { ...run, status: "running", countedDay };
    this.ctx.waitUntil(this.drive(running, input));
    return sub.stream;
  }

  private queueUserMessage(run: RunRow, message: string, now: number): void {
    this.store.appendConversation({ role: "user", content: message });
    this.store.queueUserRow({
      prompt: message,
      kind: "user",
      messageKind: "UserMessage",
      metadata: null,
      traceId: run.traceId,
      runId: run.id,
      createdAt: new Date(now).toISOString(),
    } satisfies HistoryRow);
  }

  /**
   * The run from the agent call to its end. Every way out — an agent outcome, a fault in the
   * completion, a fault anywhere — reaches `finish` (or the publishing wait, which ends in it).
   */
  private async drive(run: RunRow, input: StartInput): Promise<void> {
    const log = this.logger(run.id);
    const ids = this.ids(run);
    let end: RunError | null;
    try {
      const completion = input.restore
        ? await this.restore(run, ids, input.restore.version)
        : await this.runAgentToCompletion(run, ids, input, log);
      if (completion.type === "publish") return await this.publish(run, completion.params);
      end = completion.error;
    } catch (err) {
      log.error("run failed", { err });
      end = { code: "internal", message: "The run failed unexpectedly" };
    }
    await this.finish(run.id, end);
  }

  /** The agent call, its events logged as they come, then what its outcome makes (complete). */
  private async runAgentToCompletion(
    run: RunRow,
    ids: RunIds,
    input: StartInput,
    log: Logger,
  ): Promise<Completion> {
    const { body, base } = agentRequest(this.store, ids, input);
    const agent = runAgent({
      runId: run.id,
      config: this.config,
      body,
      idleTimeoutMs: this.idleMs,
      maxLineChars: this.maxAgentLineChars,
      logger: log,
      sink: {
        logEvents: (events) =>
          this.appendMany(
            run.id,
            "message",
            events.map((f) => JSON.stringify(agentMessageEvent(ids, f.event, f.stat))),
          ),
        debug: (data) => this.subs.debug(run.id, JSON.stringify(data)),
        touch: (at) => this.store.updateRun(run.id, { lastByteAt: at }),
      },
    });
    this.live = agent;
    const outcome = await agent.done;
    return this.complete(run, ids, outcome, base);
  }

  /** Appends an agent event to the log as a `message` event. */
  private logAgentMessage(runId: string, ids: RunIds, e: AgentEvent, stat: DiffStatEntry[] | null): void {
    this.append(runId, "message", JSON.stringify(agentMessageEvent(ids, e, stat)));
  }

  private async complete(run: RunRow, ids: RunIds, outcome: AgentOutcome, base: Tree): Promise<Completion> {
    if (outcome.type === "failed") {
      if (outcome.refund) await this.refund(run.id, run.userId, run.countedDay);
      return { type: "finish", error: outcome.error };
    }
    const log = this.logger(run.id);
    const completion = await completeIdle(
      {
        services: this.services(run.id),
        store: this.store,
        run,
        ids,
        logger: log,
        logEvent: (e, stat) => this.logAgentMessage(run.id, ids, e, stat),
        alive: () => this.alive(),
        limits: this.treeLimits,
      },
      outcome,
      base,
    );
    return this.unlessDeleted(run, ids, completion);
  }

  /** A restore's work: the version's files become the next version (completeRestore). */
  private async restore(run: RunRow, ids: RunIds, from: number): Promise<Completion> {
    const completion = await completeRestore(
      {
        services: this.services(run.id),
        store: this.store,
        run,
        ids,
        logger: this.logger(run.id),
        logEvent: () => undefined,
        logPlatform: (metadata) =>
          this.append(run.id, "message", JSON.stringify(platformMessageEvent(ids, metadata))),
        alive: () => this.alive(),
        limits: this.treeLimits,
      },
      from,
    );
    // Nothing was made (the version could not be read or stored): the restore is given back.
    if (completion.type === "finish" && completion.error) {
      await this.refund(run.id, run.userId, run.countedDay);
    }
    return this.unlessDeleted(run, ids, completion);
  }

  /**
   * A run that ends after its app was deleted may have been writing its snapshot meanwhile: the
   * delete workflow can have removed the app's objects before the last of those writes landed.
   * Once the store has ended (nothing of it is in flight), they are taken back out of S3 here,
   * and a version that was made is not published.
   */
  private async unlessDeleted(run: RunRow, ids: RunIds, completion: Completion): Promise<Completion> {
    if (this.alive()) return completion;
    await deleteAppObjects({ ctx: this.services(run.id), input: { appId: ids.appId } }).catch((err) =>
      this.logger(run.id).error("snapshot clean-up failed", { err }),
    );
    if (completion.type !== "publish") return completion;
    return { type: "finish", error: { code: "cancelled", message: "The app is being deleted" } };
  }

  /** Hands a new version to the PublishWorkflow; the run ends when its first outcome arrives. */
  private async publish(run: RunRow, params: PublishParams): Promise<void> {
    this.store.updateRun(run.id, { status: "publishing", lastByteAt: Date.now() });
    await this.flushNow();
    try {
      await this.startPublishing(params);
    } catch (err) {
      this.logger(run.id).error("publish could not start", { err, version: params.version });
      await this.platformMessage({
        appId: this.appId,
        version: params.version,
        metadata: {
          type: "publish_failed",
          step: "start",
          reason: "The publishing step could not be started",
        },
      });
    }
  }

  /** A run that produced no stream (agent_unavailable, or it never began): its message is given back. */
  private async refund(runId: string, userId: string, day: string | null): Promise<void> {
    if (!day) return;
    try {
      await refundMessage({ ctx: this.services(runId), input: { userId, day } });
    } catch (err) {
      this.logger(runId).error("refund failed", { err });
    }
  }

  /** False once the app is being deleted: no run starts and no version is made any more. */
  private alive(): boolean {
    return this.store.getMeta("deleted") !== "1";
  }

  // --- reading the log ------------------------------------------------------------------------

  /**
   * A run's events from its first one, then live until its `done` (an Idempotency-Key replay).
   * 204 while the run is still being started.
   */
  openRun(runId: string, debug: boolean): StreamResult {
    const run = this.store.getRun(runId);
    if (!run) return { status: 404 };
    if (run.status === "pending") return { status: 204 };
    if (this.subs.full) return { status: 429 };
    const sub = this.subs.open(
      { runId, debug },
      {
        source: (after, limit, maxChars) => this.store.eventsPage(after, limit, maxChars, runId),
        after: 0,
        follow: () => this.store.getRun(runId)?.status !== "done",
      },
    );
    this.startKeepalive();
    return { status: 200, stream: sub.stream };
  }

  /**
   * The app's log after a cursor, then live while a run or a deployment is in progress. Without a
   * cursor: the current (or last) run from its first event. Nothing to send and nothing to wait
   * for → 204, which stops a browser EventSource from reconnecting in a loop. The replay is read
   * in pages at the reader's pace.
   */
  openEvents(after: number | null, debug: boolean): Exclude<StreamResult, { status: 404 }> {
    const from = after ?? this.store.defaultCursor();
    if (!this.store.inProgress() && from >= this.store.lastSeq()) return { status: 204 };
    if (this.subs.full) return { status: 429 };
    const sub = this.subs.open(
      { debug },
      {
        source: (cursor, limit, maxChars) => this.store.eventsPage(cursor, limit, maxChars),
        after: from,
        follow: () => this.store.inProgress(),
      },
    );
    this.startKeepalive();
    return { status: 200, stream: sub.stream };
  }

  // --- control --------------------------------------------------------------------------------

  /** Stops the run while its agent stream is open; after the idle event there is nothing to cancel. */
  cancel(): { cancelled: boolean } {
    if (!this.live?.cancel()) return { cancelled: false };
    return { cancelled: true };
  }

  /** A platform message from the publishing or deployment steps: logged, streamed, stored in the history. */
  async platformMessage(input: {
    appId: string;
    version: number | null;
    metadata: PlatformMetadata;
    /** A retried workflow step sends the same key: the message is logged once. */
    key?: string;
  }): Promise<number> {
    this.store.setMeta("app_id", input.appId);
    const dedupe = input.key ? `platform:${input.key}` : null;
    const seen = dedupe ? this.store.getMeta(dedupe) : null;
    if (seen) return Number(seen);
    const run =
      (input.version !== null ? this.store.runForVersion(input.version) : null) ?? this.store.latestRun();
    const runId = run?.id ?? "platform";
    const ids = this.ids(run ?? { traceId: this.store.getMeta("last_trace_id") ?? "" });
    const type = input.metadata.type;
    if (type === "deployment_in_progress") this.store.setMeta("deploying", "1");
    if (type === "deployment_complete" || type === "deployment_failed") this.store.setMeta("deploying", "0");
    const event = this.append(runId, "message", JSON.stringify(platformMessageEvent(ids, input.metadata)));
    if (dedupe) this.store.setMeta(dedupe, String(event.seq));
    if (run && run.status === "publishing" && this.endsPublishingWait(type)) {
      await this.finish(run.id, null);
    } else {
      await this.flushNow();
      if (!this.store.inProgress()) this.subs.closeFollowers();
    }
    return event.seq;
  }

  /** The run's `done` follows the deployment's start, or a failure before it (docs/decisions.md, Events). */
  private endsPublishingWait(type: PlatformMetadata["type"]): boolean {
    return type !== "repo_created" && type !== "commit_created";
  }

  /** Removes everything the session holds (the app is being deleted). */
  async wipe(): Promise<void> {
    this.markDeleted();
    this.live = undefined;
    // A run still between its agent and its end (storing its snapshot, say) loses its log here:
    // its readers get their `error` + `done` now, since the run can no longer log them.
    const active = this.store.activeRun();
    if (active && active.status !== "pending") {
      const ids = this.ids(active);
      this.subs.endRun(active.id, [
        { event: "error", data: JSON.stringify(errorEvent(ids, "cancelled", "The app was deleted")) },
        { event: "done", data: JSON.stringify(doneEvent(ids)) },
      ]);
    }
    this.subs.closeAll();
    this.stopKeepalive();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store.init();
    // The app stays deleted: a request that was accepted before the wipe still cannot start a run.
    this.store.setMeta("deleted", "1");
  }

  /**
   * The app is being deleted: from now on no run starts, a run still streaming is cancelled, and a
   * run past its agent makes no version (a snapshot it was writing is taken back out of S3).
   */
  markDeleted(): { cancelled: boolean } {
    this.store.setMeta("deleted", "1");
    return this.cancel();
  }

  // --- the log, the outbox and the end of a run -------------------------------------------------

  /** Appends to the log first, then sends: an id is never given out twice, even after a restart. */
  private append(runId: string, event: string, data: string): StoredEvent {
    const stored = this.store.appendEvent(runId, event, data);
    this.subs.broadcast(stored);
    this.scheduleFlush(); // its history rows follow in the next batch
    return stored;
  }

  /** Several events of one run: logged in one go, then sent. */
  private appendMany(runId: string, event: string, datas: string[]): void {
    for (const stored of this.store.appendEvents(runId, event, datas)) this.subs.broadcast(stored);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushNow().catch(() => undefined);
    }, FLUSH_DELAY_MS);
  }

  /** One flush at a time; a failed flush leaves the rows queued for the next one (or the alarm). */
  private flushNow(): Promise<void> {
    const next = this.flushing.then(() =>
      flushOutbox(this.services(), this.store, this.appId).catch(async (err) => {
        this.logger().warn("history flush failed; the alarm retries it", { err });
        await this.ensureAlarm().catch(() => undefined);
      }),
    );
    this.flushing = next;
    return next;
  }

  /**
   * Ends a run: its error (if any), `runStatus` idle, then `done`, and with `done` the lock given
   * back (no await between them: a reader that sees `done` can send the next message, and a
   * reader following the run never sees it over before its `done`). Each step stands alone, so a
   * fault in one (a storage error, say) cannot keep the lock held or leave a reader waiting:
   * readers get `error` + `done` even when they could not be logged.
   */
  private async finish(runId: string, error: RunError | null): Promise<void> {
    const log = this.logger(runId);
    const run = this.store.getRun(runId);
    if (!run || run.status === "done" || this.ending.has(runId)) return;
    this.ending.add(runId);
    try {
      await this.end(run, error, log);
    } finally {
      this.ending.delete(runId);
    }
  }

  private async end(run: RunRow, error: RunError | null, log: Logger): Promise<void> {
    const ids = this.ids(run);
    if (this.live?.runId === run.id) this.live = undefined;
    let logged = true;
    if (error) {
      try {
        this.append(run.id, "error", JSON.stringify(errorEvent(ids, error.code, error.message)));
      } catch (err) {
        log.error("could not log the run's error event", { err, code: error.code });
        logged = false;
      }
    }
    try {
      this.store.setMeta("last_trace_id", run.traceId);
      queueMirror(this.store, { runStatus: "idle" });
    } catch (err) {
      log.error("could not queue the app row update", { err });
    }
    // The history and the idle app row should be in Postgres when readers see `done`, but a slow
    // or unreachable database must not hold the end of the stream: wait a bounded time only.
    await Promise.race([this.flushNow(), new Promise((r) => setTimeout(r, DONE_FLUSH_WAIT_MS))]);
    try {
      if (!logged) throw new Error("the error event was not logged");
      this.append(run.id, "done", JSON.stringify(doneEvent(ids)));
    } catch (err) {
      log.error("could not log the run's done event; ending its readers directly", { err });
      const failure = error ?? { code: "internal" as const, message: "The run failed unexpectedly" };
      this.subs.endRun(run.id, [
        { event: "error", data: JSON.stringify(errorEvent(ids, failure.code, failure.message)) },
        { event: "done", data: JSON.stringify(doneEvent(ids)) },
      ]);
    }
    this.store.updateRun(run.id, { status: "done", endedAt: Date.now() });
    if (!this.store.inProgress()) this.subs.closeFollowers();
  }

  // --- heartbeat and watchdog -----------------------------------------------------------------

  /** Something is left to do (a pending write): the alarm comes back for it. */
  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
  }

  private hasPendingWrites(): boolean {
    return this.store.hasPendingHistory() || !!this.store.getMeta("pending_mirror");
  }

  private startKeepalive(): void {
    if (this.keepaliveTimer || this.subs.size === 0) return;
    this.keepaliveTimer = setInterval(() => this.subs.keepalive(), this.keepaliveMs);
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = undefined;
  }

  /**
   * Every ~30 s while a run is live: keeps the object resident, ends a silent run with
   * agent_timeout, a run whose reader was lost (eviction, restart, deploy) with run_interrupted,
   * and a run whose publishing step never answered; retries a failed history flush.
   */
  override async alarm(): Promise<void> {
    const active = this.store.activeRun();
    const action = active
      ? watchdogAction(active, {
          now: Date.now(),
          idleMs: this.idleMs,
          readerAlive: this.live?.runId === active.id,
        })
      : "none";
    if (active && action === "drop_lock") this.store.deleteRun(active.id);
    if (active && action === "interrupt") {
      await this.finish(active.id, {
        code: "run_interrupted",
        message: "The run lost its connection to the agent",
      });
    }
    if (action === "timeout") this.live?.timeout();
    if (active && action === "publish_timeout") {
      await this.platformMessage({
        appId: this.appId,
        version: active.version,
        metadata: {
          type: "publish_failed",
          step: "wait",
          reason: "The publishing step did not answer in time",
        },
      });
    }
    if (this.hasPendingWrites()) await this.flushNow();
    if (this.store.activeRun() || this.hasPendingWrites()) {
      await this.ctx.storage.setAlarm(Date.now() + HEARTBEAT_MS);
    }
  }
}
