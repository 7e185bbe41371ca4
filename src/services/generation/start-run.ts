import { eq } from "drizzle-orm";
import type { AuthUser, RequestContext } from "../../context";
import { apps } from "../../db/schema";
import { AppError } from "../../errors";
import { getOwnedApp } from "../apps/get-owned-app";
import { isEmployee } from "../identity/profile";
import {
  countMessage,
  getLimitStatus,
  type LimitStatus,
  limitHeaders,
  refundMessage,
} from "../limits/counter";
import { claimKey, findKey, type KeyRecord, releaseKey, requestHash } from "./idempotency";
import { sessionStub } from "./session";

export const TEMPLATE_IDS = ["trpc_agent", "nicegui_agent", "laravel_agent"] as const;

export interface StartRunInput {
  message: string;
  applicationId?: string | null;
  templateId: (typeof TEMPLATE_IDS)[number];
  clientSource: string;
  settings: Record<string, unknown>;
  traceId?: string;
  idempotencyKey?: string;
}

export interface StartedRun {
  appId: string;
  stream: ReadableStream<Uint8Array>;
  limit: LimitStatus;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ATTACH_TRIES = 20;
const TRACE_ID = /^app-[0-9a-f-]{36}\.req-[^\u0000-\u001f\u007f]+$/i;

/**
 * api.md, Round 3: a new app ignores any traceId; an existing app keeps one that names it,
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

async function employee(ctx: RequestContext, user: AuthUser): Promise<boolean> {
  // Only decides whether debug lines are shown: never fail a run over it.
  return isEmployee(ctx, user).catch(() => false);
}

/** Streams the run an Idempotency-Key already started, from its first event. */
async function attach(ctx: RequestContext, user: AuthUser, rec: KeyRecord): Promise<StartedRun> {
  const stub = sessionStub(ctx.env, rec.appId);
  const debug = await employee(ctx, user);
  for (let i = 0; i < ATTACH_TRIES; i++) {
    const opened = await stub.openRun(rec.runId, debug);
    if (opened.status === 429) {
      throw new AppError(
        "too_many_readers",
        "This app already has too many open event streams; close one and retry",
      );
    }
    if (opened.status === 200) {
      const limit = await getLimitStatus(ctx.db, user.id, ctx.config.DAILY_MESSAGE_LIMIT);
      return { appId: rec.appId, stream: opened.stream, limit };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new AppError(
    "conflict",
    "A request with this Idempotency-Key is still being accepted; retry shortly",
  );
}

/**
 * POST /message, in the order api.md fixes: idempotency → app → run lock (409) → daily limit
 * (429, lock released) → the app row → the run, whose stream is returned before any agent byte.
 */
export async function startRun(
  ctx: RequestContext,
  user: AuthUser,
  input: StartRunInput,
): Promise<StartedRun> {
  const { db, config } = ctx;
  const hash = await requestHash({ ...input, idempotencyKey: undefined });
  if (input.idempotencyKey) {
    const known = await findKey(db, user.id, input.idempotencyKey);
    if (known) {
      if (known.requestHash !== hash) {
        throw new AppError(
          "idempotency_key_reused",
          "This Idempotency-Key was used with a different request",
        );
      }
      return attach(ctx, user, known);
    }
  }

  let appId: string;
  let techStack: string;
  let isNew = false;
  if (input.applicationId) {
    if (!UUID.test(input.applicationId)) throw new AppError("not_found", "No such app");
    const app = await getOwnedApp(db, user.id, input.applicationId);
    appId = app.id;
    techStack = app.techStack;
  } else {
    appId = crypto.randomUUID();
    techStack = input.templateId;
    isNew = true;
  }
  const runId = crypto.randomUUID();
  const traceId = traceIdFor(appId, isNew, input.traceId);

  if (input.idempotencyKey) {
    const owner = await claimKey(db, user.id, input.idempotencyKey, { requestHash: hash, appId, runId });
    if (owner) {
      if (owner.requestHash !== hash) {
        throw new AppError(
          "idempotency_key_reused",
          "This Idempotency-Key was used with a different request",
        );
      }
      return attach(ctx, user, owner);
    }
  }
  const freeKey = () =>
    input.idempotencyKey
      ? releaseKey(db, user.id, input.idempotencyKey, runId).catch(() => undefined)
      : undefined;

  const stub = sessionStub(ctx.env, appId);
  const debug = await employee(ctx, user);
  const lock = await stub.acquire({ appId, runId, traceId, userId: user.id, ownerIsEmployee: debug });
  if (!lock.ok && "deleted" in lock) {
    await freeKey();
    throw new AppError("not_found", "No such app");
  }
  if (!lock.ok) {
    await freeKey();
    throw new AppError("run_in_progress", "Another run of this app is in progress", {
      extra: { eventsUrl: `/apps/${appId}/events` },
    });
  }

  let counted: Awaited<ReturnType<typeof countMessage>>;
  try {
    counted = await countMessage(db, user.id, config.DAILY_MESSAGE_LIMIT);
  } catch (err) {
    await stub.release(runId);
    await freeKey();
    throw new AppError("upstream_unavailable", "The message could not be counted", { cause: err });
  }
  if (!counted.allowed) {
    await stub.release(runId);
    await freeKey();
    throw new AppError(
      "daily_message_limit_reached",
      `The daily limit of ${counted.limit} messages is reached`,
      {
        headers: limitHeaders(counted),
      },
    );
  }

  try {
    await recordRunStart(ctx, { appId, isNew, ownerId: user.id, techStack, traceId, input });
    const stream = await stub.begin({
      appId,
      runId,
      techStack,
      message: input.message,
      settings: input.settings,
      countedDay: counted.day,
    });
    if (!stream) throw new AppError("not_found", "No such app");
    return { appId, stream, limit: counted };
  } catch (err) {
    // The run never started: give back the lock, the count, the key and the app row's status.
    await stub.release(runId).catch(() => undefined);
    await db
      .update(apps)
      .set({ runStatus: "idle" })
      .where(eq(apps.id, appId))
      .catch(() => undefined);
    await refundMessage(db, user.id, counted.day).catch(() => undefined);
    await freeKey();
    throw err;
  }
}

async function recordRunStart(
  ctx: RequestContext,
  a: {
    appId: string;
    isNew: boolean;
    ownerId: string;
    techStack: string;
    traceId: string;
    input: StartRunInput;
  },
): Promise<void> {
  const now = new Date();
  if (a.isNew) {
    // A new app gets its row when its first run is accepted.
    await ctx.db.insert(apps).values({
      id: a.appId,
      ownerId: a.ownerId,
      name: a.input.message.split("\n", 1)[0]!.slice(0, 100),
      techStack: a.techStack,
      clientSource: a.input.clientSource,
      traceId: a.traceId,
      runStatus: "running",
      lastRunAt: now,
    });
  } else {
    await ctx.db
      .update(apps)
      .set({ runStatus: "running", lastRunAt: now, traceId: a.traceId, updatedAt: now })
      .where(eq(apps.id, a.appId));
  }
}
