import { type PublishParams, publishInstanceId } from "../workflows/types";

/** Hands a stored version to the PublishWorkflow; an instance that already exists is already running. */
export async function startPublish(env: Env, params: PublishParams): Promise<void> {
  const id = publishInstanceId(params.appId, params.version);
  try {
    await env.PUBLISH_WORKFLOW.create({ id, params });
  } catch (err) {
    const existing = await env.PUBLISH_WORKFLOW.get(id).catch(() => null);
    if (!existing) throw err;
  }
}
