import * as koyeb from "../../clients/koyeb";
import { isUpstreamError } from "../../clients/upstream";
import type { Config } from "../../config";

// The app on Koyeb: a Koyeb app `app-<appId>` and its domain `app-<appId>.<APP_DOMAIN_SUFFIX>`.

export interface KoyebAppRef {
  koyebAppId: string;
  domainId: string;
  /** `https://app-<appId>.<APP_DOMAIN_SUFFIX>` */
  url: string;
}

export const koyebAppName = (appId: string) => `app-${appId}`;
export const appDomainName = (config: Config, appId: string) => `app-${appId}.${config.APP_DOMAIN_SUFFIX}`;

/** A create that lost to a concurrent or earlier one (409, or Koyeb's 400 for a taken name). */
const isNameTaken = (err: unknown) =>
  isUpstreamError(err) && (err.upstreamStatus === 409 || /already|taken|in use/i.test(err.message));

async function ensureApp(
  config: Config,
  name: string,
  existingAppId?: string | null,
): Promise<koyeb.KoyebApp> {
  const recorded = existingAppId ? await koyeb.getApp(config, existingAppId) : null;
  if (recorded) return recorded;
  const found = await koyeb.findAppByName(config, name);
  if (found) return found;
  try {
    return await koyeb.createApp(config, name);
  } catch (err) {
    if (!isNameTaken(err)) throw err;
    const raced = await koyeb.findAppByName(config, name);
    if (!raced) throw err;
    return raced;
  }
}

async function ensureDomain(config: Config, app: koyeb.KoyebApp, name: string): Promise<koyeb.KoyebDomain> {
  const listed = app.domains?.find((d) => d.name === name);
  if (listed) return listed;
  const all = await koyeb.listDomains(config, app.id);
  const found = all.find((d) => d.name === name);
  if (found) return found;
  try {
    return await koyeb.createDomain(config, { name, appId: app.id });
  } catch (err) {
    if (!isNameTaken(err)) throw err;
    const raced = (await koyeb.listDomains(config, app.id)).find((d) => d.name === name);
    if (!raced) throw err;
    return raced;
  }
}

/** Finds or creates the Koyeb app and its domain; repeated calls end with one of each. */
export async function ensureKoyebApp(
  config: Config,
  input: { appId: string; existingAppId?: string | null },
): Promise<KoyebAppRef> {
  const app = await ensureApp(config, koyebAppName(input.appId), input.existingAppId);
  const domain = await ensureDomain(config, app, appDomainName(config, input.appId));
  return { koyebAppId: app.id, domainId: domain.id, url: `https://${domain.name}` };
}

/**
 * Removes the service, the domain and the app, in that order; anything already gone counts as
 * done (deleting the app also takes any service or domain not recorded).
 */
export async function deleteKoyebApp(
  config: Config,
  input: { koyebAppId?: string | null; serviceId?: string | null; domainId?: string | null },
): Promise<{ service: boolean; domain: boolean; app: boolean }> {
  const service = input.serviceId ? await koyeb.deleteService(config, input.serviceId) : false;
  const domain = input.domainId ? await koyeb.deleteDomain(config, input.domainId) : false;
  const app = input.koyebAppId ? await koyeb.deleteApp(config, input.koyebAppId) : false;
  return { service, domain, app };
}
