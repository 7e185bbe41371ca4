import { clientFor } from "./client";
import { type EcrState, type KoyebState, state } from "./deploy";
import { standInUrl } from "./env";

// What the deploy stand-ins hold for one app, read through their /__dev/ controls.

/** The Koyeb app `app-<appId>` with its domains, services and their deployments. */
export async function koyebOf(appId: string) {
  const s = await state<KoyebState>("koyeb");
  const apps = s.apps.filter((a) => a.name === `app-${appId}`);
  const ids = new Set(apps.map((a) => a.id));
  const services = s.services.filter((x) => ids.has(x.app_id));
  const sids = new Set(services.map((x) => x.id));
  return {
    apps,
    domains: s.domains.filter((d) => ids.has(d.app_id) || d.name.startsWith(`app-${appId}.`)),
    services,
    deployments: s.deployments.filter((d) => sids.has(d.service_id)),
  };
}

export async function ecrReposOf(appId: string) {
  return (await state<EcrState>("ecr")).repositories.filter((r) => r.repositoryName.endsWith(`/${appId}`));
}

/** The app's Neon projects (`app-<appId>`). */
export async function neonProjectsOf(appId: string) {
  const res = await fetch(`${standInUrl("neon")}/__dev/state`);
  const s = (await res.json()) as { projects: { id: string; name: string }[] };
  return s.projects.filter((p) => p.name === `app-${appId}`);
}

export async function s3KeysOf(appId: string): Promise<string[]> {
  const res = await fetch(`${standInUrl("s3")}/__dev/objects?prefix=${encodeURIComponent(`apps/${appId}/`)}`);
  return ((await res.json()) as { objects: { key: string }[] }).objects.map((o) => o.key);
}

/** The stand-in's fault rules still armed for `appId` (a rule with no shots lists them harmlessly). */
export async function faultsLeft(name: string, appId: string) {
  const res = await fetch(`${standInUrl(name)}/__dev/fail`, {
    method: "POST",
    body: JSON.stringify({ match: `none-${crypto.randomUUID()}`, status: 500, times: 0 }),
  });
  const { rules } = (await res.json()) as { rules: { bodyMatch?: string; times: number }[] };
  return rules.filter((r) => r.bodyMatch === appId && r.times > 0);
}

/** `GET /deployment-status/:id`, the older shape. */
export async function legacyStatus(token: string, id: string) {
  return (await clientFor(token).get("/deployment-status/{deploymentId}", { path: { deploymentId: id } }))
    .data;
}
