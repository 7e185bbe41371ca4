import * as ecr from "../../clients/ecr";
import * as koyeb from "../../clients/koyeb";
import { isUpstreamError } from "../../clients/upstream";
import type { ServiceContext } from "../../context";

// The Koyeb registry secret (KOYEB_REGISTRY_SECRET) Koyeb pulls the apps' images with: ECR's
// registry login, which expires after 12 hours, so every deployment and a cron write a fresh one.

/** Writes a fresh ECR login into the secret, creating it if needed; answers when the login expires. */
export async function refreshRegistrySecrets({
  ctx,
}: {
  ctx: ServiceContext;
}): Promise<{ secretName: string; expiresAt: Date }> {
  const { config } = ctx;
  const name = config.KOYEB_REGISTRY_SECRET;
  const login = await ecr.getAuthorizationToken(config);
  const registry = { username: login.username, password: login.password, url: login.registry };
  const existing = await koyeb.findSecretByName(config, name);
  if (existing) {
    await koyeb.updateRegistrySecret(config, existing.id, name, registry);
  } else {
    try {
      await koyeb.createRegistrySecret(config, name, registry);
    } catch (err) {
      // Created meanwhile (a concurrent deployment or the cron): update that one.
      if (!isUpstreamError(err) || err.upstreamStatus !== 409) throw err;
      const raced = await koyeb.findSecretByName(config, name);
      if (!raced) throw err;
      await koyeb.updateRegistrySecret(config, raced.id, name, registry);
    }
  }
  return { secretName: name, expiresAt: login.expiresAt };
}

/** The name of a registry secret holding a fresh ECR login, for a service definition. */
export async function ensureRegistrySecret({ ctx }: { ctx: ServiceContext }): Promise<string> {
  return (await refreshRegistrySecrets({ ctx })).secretName;
}
