// Who is calling the GitHub stand-in: a user's OAuth token, the GitHub App (an RS256 JWT signed with
// the App's private key) or an App installation token, with GitHub's rules for each.
import { randomBytes } from "node:crypto";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { githubTokens, githubUser } from "./world.mjs";

/** Installations and their tokens; the App is installed on the orgs it is told about. */
export function createAppAuth({ appId, publicKeyPem, installedOrgs }) {
  const installations = new Map(); // org (lower case) -> { id, org }
  const tokens = new Map(); // token -> { org, installationId, expiresAt }
  let nextId = 41_000;
  let keyPromise;

  const install = (org) => {
    const key = org.toLowerCase();
    if (!installations.has(key)) installations.set(key, { id: nextId++, org });
    return installations.get(key);
  };
  for (const org of installedOrgs) install(org);

  /** A verified App JWT → true; otherwise a GitHub-style 401 message. */
  async function verifyAppJwt(jwt) {
    keyPromise ??= importSPKI(publicKeyPem, "RS256");
    try {
      if (decodeProtectedHeader(jwt).alg !== "RS256") return "A JSON web token could not be decoded";
      const { payload } = await jwtVerify(jwt, await keyPromise, {
        algorithms: ["RS256"],
        clockTolerance: 0,
      });
      const now = Math.floor(Date.now() / 1000);
      if (String(payload.iss) !== String(appId)) return "'Issuer' claim ('iss') must be an Integer";
      if (typeof payload.iat !== "number" || payload.iat > now + 60) {
        return "'Issued at' claim ('iat') must be an Integer representing a time in the past";
      }
      if (typeof payload.exp !== "number" || payload.exp > now + 600) {
        return "'Expiration time' claim ('exp') is too far in the future";
      }
      return true;
    } catch {
      return "A JSON web token could not be decoded";
    }
  }

  function issueToken(installation) {
    const token = `ghs_${randomBytes(18).toString("base64url")}`;
    const expiresAt = new Date(Date.now() + 3_600_000);
    tokens.set(token, { org: installation.org, installationId: installation.id, expiresAt });
    return { token, expiresAt };
  }

  /**
   * The caller: { kind: "user", user } | { kind: "installation", org } | { kind: "app" },
   * { kind: "none" } without credentials, or { error } for credentials GitHub would refuse.
   */
  async function principal(req) {
    const header = req.headers.authorization;
    if (!header) return { kind: "none" };
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    if (!m) return { error: "Bad credentials" };
    const secret = m[1];
    if (secret.split(".").length === 3) {
      const ok = await verifyAppJwt(secret);
      return ok === true ? { kind: "app" } : { error: ok };
    }
    const inst = tokens.get(secret);
    if (inst) {
      if (inst.expiresAt.getTime() <= Date.now()) return { error: "Bad credentials" };
      return { kind: "installation", org: inst.org, installationId: inst.installationId };
    }
    const login = githubTokens.get(secret);
    const user = login ? githubUser(login) : undefined;
    return user ? { kind: "user", user } : { error: "Bad credentials" };
  }

  const installationOf = (org) => installations.get(org.toLowerCase());
  const installationById = (id) => [...installations.values()].find((i) => i.id === id);

  return { principal, install, issueToken, installationOf, installationById };
}

const same = (a, b) => a.toLowerCase() === b.toLowerCase();

/** Whether the caller may read and write repositories of `owner` (a user login or an org). */
export function mayUseOwner(p, owner) {
  if (p.kind === "installation") return same(p.org, owner);
  if (p.kind === "user") {
    return same(p.user.github.login, owner) || p.user.github.orgs.some((o) => same(o, owner));
  }
  return false;
}
