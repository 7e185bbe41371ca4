import { sessionStub } from "../bindings";
import type { PlatformMetadata } from "../session/events";

/** Tells the app's session; `key` makes a retried step log its message once. */
export async function notify(
  env: Env,
  appId: string,
  version: number | null,
  metadata: PlatformMetadata,
  key: string,
): Promise<void> {
  await sessionStub(env, appId).platformMessage({ appId, version, metadata, key });
}
