import { sessionStub } from "../../bindings";
import type { ServiceContext } from "../../context";
import { AppError } from "../../errors";
import { MAX_READERS_PER_APP } from "../../session/subscribers";
import { getOwnedApp } from "../apps/get-owned-app";
import { isEmployee } from "../identity/profile";

export { MAX_READERS_PER_APP };

/** Whether the user's streams carry debug lines; never fails a request over it. */
export function showsDebug({ ctx }: { ctx: ServiceContext<"db" | "user"> }): Promise<boolean> {
  return isEmployee({ ctx }).catch(() => false);
}

export function tooManyReaders(): AppError {
  return new AppError(
    "too_many_readers",
    `This app already has ${MAX_READERS_PER_APP} open event streams; close one and retry`,
  );
}

export type OpenedEvents = { status: 204 } | { status: 200; stream: ReadableStream<Uint8Array> };

/** The app's event log after `after` (null: the current or last run), then live events. */
export async function openAppEvents({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user" | "env">;
  input: { appId: string; after: number | null };
}): Promise<OpenedEvents & { appId: string }> {
  const { after } = input;
  const app = await getOwnedApp({ ctx, input: { appId: input.appId } });
  const debug = await showsDebug({ ctx });
  const opened = await sessionStub(ctx.env, app.id).openEvents(after, debug);
  if (opened.status === 429) throw tooManyReaders();
  if (opened.status === 204) return { status: 204, appId: app.id };
  return { status: 200, stream: opened.stream, appId: app.id };
}

/** Stops the app's run while its agent stream is open; false when there was nothing to stop. */
export async function cancelRun({
  ctx,
  input,
}: {
  ctx: ServiceContext<"db" | "user" | "env">;
  input: { appId: string };
}): Promise<boolean> {
  const app = await getOwnedApp({ ctx, input: { appId: input.appId } });
  const { cancelled } = await sessionStub(ctx.env, app.id).cancel();
  return cancelled;
}
