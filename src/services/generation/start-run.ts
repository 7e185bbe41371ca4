import type { z } from "@hono/zod-openapi";
import { sessionStub } from "../../bindings";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import { getOwnedApp } from "../apps/get-owned-app";
import { getLimitStatus, type LimitStatus, limitHeaders } from "../limits/counter";
import { showsDebug, tooManyReaders } from "./app-events";
import type { StartAnswer, StartInput } from "./claim-run";
import { findKey, type KeyRecord, releaseKey, requestHash } from "./idempotency";
import type { MessageBody } from "./message-body";

/** The parsed POST /message body and the request's Idempotency-Key. */
export type StartRunInput = z.output<typeof MessageBody> & { idempotencyKey?: string };

/** A run is started for the caller, through the app's session (the bindings), with the request's database. */
type RunContext = ServiceContext<"db" | "user" | "env">;

export interface StartedRun {
  appId: string;
  stream: ReadableStream<Uint8Array>;
  limit: LimitStatus;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTACH_TRIES = 20;
const ATTACH_WAIT_MS = 100;
const TRACE_ID = /^app-[0-9a-f-]{36}\.req-[^\u0000-\u001f\u007f]+$/i;

/**
 * docs/decisions.md, Round 3: a new app ignores any traceId; an existing app keeps one that names it,
 * replaces a well-formed one naming another app, and refuses a malformed one.
 */
function traceIdFor(appId: string, isNew: boolean, sent: string | undefined): string {
  const fresh = `app-${appId}.req-${crypto.randomUUID()}`;
  if (isNew || sent === undefined) return fresh;
  if (sent.length > 256 || !TRACE_ID.test(sent)) {
    throw new AppError("validation_failed", "The request is invalid", {
      errors: [
        { path: "traceId", message: "must be app-<applicationId>.req-<anything>, at most 256 characters" },
      ],
    });
  }
  return sent.startsWith(`app-${appId}.req-`) ? sent : fresh;
}

const keyReused = () =>
  new AppError("idempotency_key_reused", "This Idempotency-Key was used with a different request");

/**
 * Streams the run an Idempotency-Key already started, from its first event. A run the app's
 * session does not know never started (its start failed after the key was written): the key is
 * freed and the request can be repeated.
 */
async function attach(
  ctx: RunContext,
  rec: Pick<KeyRecord, "appId" | "runId">,
  key: string | undefined,
): Promise<StartedRun> {
  const stub = sessionStub(ctx.env, rec.appId);
  const debug = await showsDebug({ ctx });
  for (let i = 0; i < ATTACH_TRIES; i++) {
    const opened = await stub.openRun(rec.runId, debug);
    if (opened.status === 429) throw tooManyReaders();
    if (opened.status === 404) {
      if (key) await releaseKey({ ctx, input: { key, runId: rec.runId } }).catch(() => undefined);
      throw new AppError("upstream_unavailable", "The earlier request with this key did not start; retry");
    }
    if (opened.status === 200) {
      const limit = await getLimitStatus({ ctx, input: { userId: ctx.user.id } });
      return { appId: rec.appId, stream: opened.stream, limit };
    }
    await new Promise((r) => setTimeout(r, ATTACH_WAIT_MS));
  }
  throw new AppError(
    "conflict",
    "A request with this Idempotency-Key is still being accepted; retry shortly",
  );
}

/**
 * POST /message, in the order docs/decisions.md (Requests) fixes: idempotency → app → run lock (409) → daily limit
 * (429). The Worker reads (the key, the app); the app's session does the rest in one call
 * (AppSession.start): the lock, one Postgres statement for ownership, key, count and app row,
 * then the run, whose stream is returned before any agent byte.
 */
export async function startRun({
  ctx,
  input,
}: {
  ctx: RunContext;
  input: StartRunInput;
}): Promise<StartedRun> {
  const { user } = ctx;
  const key = input.idempotencyKey;
  const hash = await requestHash({ ...input, idempotencyKey: undefined });
  const known = key ? await findKey({ ctx, input: { key } }) : null;
  if (known) {
    if (known.requestHash !== hash) throw keyReused();
    return attach(ctx, known, key);
  }

  let appId: string;
  let techStack: string;
  const isNew = !input.applicationId;
  if (input.applicationId) {
    if (!UUID.test(input.applicationId)) throw new AppError("not_found", "No such app");
    const app = await getOwnedApp({ ctx, input: { appId: input.applicationId } });
    appId = app.id;
    techStack = app.techStack;
  } else {
    appId = crypto.randomUUID();
    techStack = input.templateId;
  }
  const runId = crypto.randomUUID();
  const traceId = traceIdFor(appId, isNew, input.traceId);
  const start: StartInput = {
    appId,
    runId,
    traceId,
    userId: user.id,
    ownerIsEmployee: await showsDebug({ ctx }),
    newApp: isNew
      ? { name: input.message.split("\n", 1)[0]!.slice(0, 100), clientSource: input.clientSource }
      : null,
    techStack,
    message: input.message,
    settings: input.settings,
    idempotency: key ? { key, hash } : null,
  };
  return settle(ctx, start, hash);
}

/** The restore's request, as its Idempotency-Key compares it. */
export interface StartRestoreInput {
  appId: string;
  version: number;
  idempotencyKey?: string;
}

/**
 * POST /apps/:id/versions/:version/restore: a run without the agent, under the rules of a message
 * (docs/decisions.md, Versions): the same Idempotency-Key handling, app check, lock (409) and
 * daily count (429). A version the app does not have is 404, before the lock is looked at.
 */
export async function startRestore({
  ctx,
  input,
}: {
  ctx: RunContext;
  input: StartRestoreInput;
}): Promise<StartedRun> {
  const { user } = ctx;
  const key = input.idempotencyKey;
  const hash = await requestHash({ restore: { appId: input.appId, version: input.version } });
  const known = key ? await findKey({ ctx, input: { key } }) : null;
  if (known) {
    if (known.requestHash !== hash) throw keyReused();
    return attach(ctx, known, key);
  }
  const app = await getOwnedApp({ ctx, input: { appId: input.appId } });
  const runId = crypto.randomUUID();
  const start: StartInput = {
    appId: app.id,
    runId,
    traceId: `app-${app.id}.req-${crypto.randomUUID()}`,
    userId: user.id,
    ownerIsEmployee: await showsDebug({ ctx }),
    newApp: null,
    techStack: app.techStack,
    message: `Restore version ${input.version}`,
    settings: {},
    idempotency: key ? { key, hash } : null,
    restore: { version: input.version },
  };
  return settle(ctx, start, hash);
}

/** Hands the start to the app's session and turns its answer into the stream or a problem. */
async function settle(ctx: RunContext, start: StartInput, hash: string): Promise<StartedRun> {
  const { appId } = start;
  const key = start.idempotency?.key;
  const answer = await startInSession(ctx, start);
  switch (answer.type) {
    case "started":
      return { appId, stream: answer.stream, limit: answer.limit };
    case "attach":
      return attach(ctx, { appId, runId: answer.runId }, key);
    case "key_taken": {
      const owner = key ? await findKey({ ctx, input: { key } }) : null;
      if (!owner) throw new AppError("conflict", "This Idempotency-Key is being used; retry shortly");
      if (owner.requestHash !== hash) throw keyReused();
      return attach(ctx, owner, key);
    }
    case "key_reused":
      throw keyReused();
    case "in_progress":
      throw new AppError("run_in_progress", "Another run of this app is in progress", {
        extra: { eventsUrl: `/apps/${appId}/events` },
      });
    case "not_found":
      throw new AppError("not_found", "No such app");
    case "no_version":
      throw new AppError("no_such_version", "This app has no such version");
    case "limited":
      throw new AppError(
        "daily_message_limit_reached",
        `The daily limit of ${answer.limit.limit} messages is reached`,
        { headers: limitHeaders(answer.limit) },
      );
    case "unavailable":
      throw new AppError("upstream_unavailable", "The message could not be accepted; retry");
  }
}

/**
 * One call to the app's session. A call that fails on the way (the object restarted, say) is
 * repeated once with the same run id when the runtime says it may be: a start that did happen
 * answers `attach` to its repeat, so a run is never started twice.
 */
async function startInSession(ctx: RunContext, start: StartInput): Promise<StartAnswer> {
  const stub = () => sessionStub(ctx.env, start.appId);
  try {
    return await stub().start(start);
  } catch (err) {
    const e = err as { retryable?: boolean; overloaded?: boolean };
    if (e.retryable && !e.overloaded) {
      try {
        return await stub().start(start);
      } catch (again) {
        ctx.logger.warn("the app's session did not answer the start", { err: again });
      }
    } else {
      ctx.logger.warn("the app's session did not answer the start", { err });
    }
    throw new AppError("upstream_unavailable", "The message could not be accepted; retry", { cause: err });
  }
}
