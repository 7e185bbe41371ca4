import type { AppSession } from "../../session/app-session";

/** The app's Durable Object: one per app, addressed by its id. */
export function sessionStub(env: Env, appId: string): DurableObjectStub<AppSession> {
  return env.APP_SESSION.get(env.APP_SESSION.idFromName(appId)) as DurableObjectStub<AppSession>;
}
