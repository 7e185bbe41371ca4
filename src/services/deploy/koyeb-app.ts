import * as koyeb from "../../clients/koyeb";
import { isUpstreamError, UpstreamError } from "../../clients/upstream";
import type { Config } from "../../config";
import type { ServiceContext } from "../../context";

// The app on Koyeb: a Koyeb app `app-<appId>` and the domain Koyeb gives every app when it is made
// (AUTOASSIGNED, `<appName>-<orgName>.koyeb.app`). We ask for the subdomain `app-<appId>` by renaming
// that domain (`PATCH /v1/domains/{id} { subdomain }`); the URL is always the name Koyeb reports.

export interface KoyebAppRef {
  koyebAppId: string;
  domainId: string;
  /** `https://<the auto-assigned domain's name, as Koyeb reports it>` */
  url: string;
}

export const koyebAppName = (appId: string) => `app-${appId}`;
/** The subdomain we ask Koyeb for; Koyeb's own name stays when it is refused (taken, say). */
export const wantedSubdomain = (appId: string) => `app-${appId}`;

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

/** The app's auto-assigned domain, from the app's own answer or else the app's domain list. */
async function autoDomainOf(config: Config, app: koyeb.KoyebApp): Promise<koyeb.KoyebDomain | null> {
  const isAuto = (d: koyeb.KoyebDomain) => d.type === "AUTOASSIGNED" && d.app_id === app.id;
  return app.domains?.find(isAuto) ?? (await koyeb.listDomains(config, app.id)).find(isAuto) ?? null;
}

async function ensureSubdomain(
  config: Config,
  domain: koyeb.KoyebDomain,
  subdomain: string,
): Promise<koyeb.KoyebDomain> {
  if (domain.name.split(".")[0] === subdomain) return domain;
  try {
    return await koyeb.renameDomain(config, domain.id, subdomain);
  } catch (err) {
    // The subdomain is taken elsewhere: the app keeps the one Koyeb gave it, which works as well.
    if (isNameTaken(err)) return domain;
    throw err;
  }
}

/** Finds or creates the Koyeb app and names its auto-assigned domain; repeated calls change nothing. */
export async function ensureKoyebApp({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId: string; existingAppId?: string | null };
}): Promise<KoyebAppRef> {
  const { config } = ctx;
  const app = await ensureApp(config, koyebAppName(input.appId), input.existingAppId);
  const auto = await autoDomainOf(config, app);
  if (!auto) {
    // Koyeb makes it with the app; a moment later it is there, so the step's retry may find it.
    throw new UpstreamError("koyeb", "ListDomains", {
      status: 200,
      code: "",
      message: `app ${app.id} has no auto-assigned domain yet`,
      retryable: true,
    });
  }
  const domain = await ensureSubdomain(config, auto, wantedSubdomain(input.appId));
  return { koyebAppId: app.id, domainId: domain.id, url: `https://${domain.name}` };
}

/**
 * Removes the service, then the app, which takes its domains with it (the auto-assigned one
 * belongs to the app); anything already gone counts as done. With `appId` and no recorded app id,
 * the app is found by its name (deleting it also takes a service that was never recorded).
 */
export async function deleteKoyebApp({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: { appId?: string; koyebAppId?: string | null; serviceId?: string | null };
}): Promise<{ service: boolean; app: boolean }> {
  const { config } = ctx;
  const koyebAppId =
    input.koyebAppId ??
    (input.appId ? (await koyeb.findAppByName(config, koyebAppName(input.appId)))?.id : undefined);
  const service = input.serviceId ? await koyeb.deleteService(config, input.serviceId) : false;
  const app = koyebAppId ? await koyeb.deleteApp(config, koyebAppId) : false;
  return { service, app };
}
