import { createApp } from "./app";
import { loadConfig } from "./config";
import { serviceContext } from "./context";
import { createLogger } from "./logger";
import { refreshRegistrySecrets } from "./services/deploy";

export { AppSession } from "./session/app-session";
export { DeleteAppWorkflow } from "./workflows/delete-app-workflow";
export { PublishWorkflow } from "./workflows/publish-workflow";

const app = createApp();

export default {
  fetch: app.fetch,
  /** Cron: Koyeb's registry secret holds an ECR login valid 12 h; refresh it well before. */
  async scheduled(_controller, env, ctx) {
    const config = loadConfig(env);
    const log = createLogger({ component: "cron" });
    if (!config.KOYEB_API_TOKEN || !config.AWS_ACCESS_KEY_ID) return;
    ctx.waitUntil(
      refreshRegistrySecrets({ ctx: serviceContext({ config, logger: log }) }).then(
        (r) =>
          log.info("registry secret refreshed", {
            secret: r.secretName,
            expiresAt: r.expiresAt.toISOString(),
          }),
        (err) => log.error("registry secret refresh failed", { err }),
      ),
    );
  },
} satisfies ExportedHandler<Env>;
