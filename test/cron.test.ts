import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../src/index";
import { standInUrl } from "./helpers/env";

interface KoyebSecret {
  name: string;
  type: string;
  updated_at: string;
  url?: string;
}

async function registrySecret(): Promise<KoyebSecret | undefined> {
  const res = await fetch(`${standInUrl("koyeb")}/__dev/state`);
  const state = (await res.json()) as { secrets: KoyebSecret[] };
  return state.secrets.find((s) => s.name === "ecr-registry");
}

describe("cron", () => {
  it("the scheduled handler writes a fresh ECR login into Koyeb's registry secret", async () => {
    const before = await registrySecret();
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ cron: "0 */6 * * *", scheduledTime: Date.now() }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const after = await registrySecret();
    expect(after).toMatchObject({ type: "REGISTRY" });
    expect(after!.url).toContain(".dkr.ecr.us-east-1.amazonaws.com");
    if (before) expect(Date.parse(after!.updated_at)).toBeGreaterThanOrEqual(Date.parse(before.updated_at));
    const again = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 */6 * * *" }), env, again);
    await waitOnExecutionContext(again);
    const res = await fetch(`${standInUrl("koyeb")}/__dev/state`);
    const state = (await res.json()) as { secrets: KoyebSecret[] };
    expect(state.secrets.filter((s) => s.name === "ecr-registry")).toHaveLength(1);
  });
});
