import { SignJWT } from "jose";
import { AppError } from "../errors";

// GitHub App authentication pieces that need no HTTP: the App's key (GitHub issues PKCS#1 PEM,
// WebCrypto imports only PKCS#8), the App JWT, and the per-isolate caches of installation ids and
// tokens. Only plain values are cached across requests (never promises: a Worker must not await
// another request's work).

const RSA_ENCRYPTION_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function der(tag: number, body: Uint8Array | number[]): Uint8Array {
  const b = body instanceof Uint8Array ? body : Uint8Array.from(body);
  const head = [tag, ...derLength(b.length)];
  const out = new Uint8Array(head.length + b.length);
  out.set(head);
  out.set(b, head.length);
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Wraps a PKCS#1 RSAPrivateKey (DER) in a PKCS#8 PrivateKeyInfo (DER). */
export function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array {
  const version = Uint8Array.from([0x02, 0x01, 0x00]);
  const algorithm = der(0x30, [...RSA_ENCRYPTION_OID, 0x05, 0x00]);
  return der(0x30, concat(version, algorithm, der(0x04, pkcs1)));
}

/** The DER bytes of a PEM private key as PKCS#8, whichever of PKCS#1 or PKCS#8 it holds. */
export function privateKeyPkcs8(pem: string): Uint8Array {
  // Secrets pasted into env files often carry literal "\n" instead of line breaks.
  const text = pem.replace(/\\n/g, "\n").trim();
  const m = /-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]+?)-----END (RSA )?PRIVATE KEY-----/.exec(text);
  if (!m?.[2]) {
    throw new AppError("config_invalid", "GITHUB_APP_PRIVATE_KEY is not a PEM private key", { expose: true });
  }
  const body = Uint8Array.from(atob(m[2].replace(/\s+/g, "")), (ch) => ch.charCodeAt(0));
  return m[1] ? pkcs1ToPkcs8(body) : body;
}

const keys = new Map<string, CryptoKey>();

async function appKey(pem: string): Promise<CryptoKey> {
  const hit = keys.get(pem);
  if (hit) return hit;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey(
      "pkcs8",
      privateKeyPkcs8(pem),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("config_invalid", "GITHUB_APP_PRIVATE_KEY is not an RSA private key", {
      expose: true,
      cause: err,
    });
  }
  keys.set(pem, key);
  return key;
}

const jwts = new Map<string, { jwt: string; exp: number }>();

/**
 * The App's JWT: RS256, `iss` = app id, issued 60 s in the past (clock drift, as GitHub advises),
 * valid 9 minutes (GitHub refuses more than 10). Reused until a minute before it expires.
 */
export async function appJwt(appId: string, privateKeyPem: string, now = Date.now()): Promise<string> {
  const cacheKey = `${appId}|${privateKeyPem.length}|${privateKeyPem.slice(-64)}`;
  const nowSec = Math.floor(now / 1000);
  const hit = jwts.get(cacheKey);
  if (hit && hit.exp - 60 > nowSec) return hit.jwt;
  const exp = nowSec + 9 * 60;
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(appId)
    .setIssuedAt(nowSec - 60)
    .setExpirationTime(exp)
    .sign(await appKey(privateKeyPem));
  jwts.set(cacheKey, { jwt, exp });
  return jwt;
}

/** Installation ids (stable) and installation tokens (cached until 5 minutes before expiry). */
const installationIds = new Map<string, number>();
const installationTokens = new Map<string, { token: string; expiresAt: number }>();
const TOKEN_MARGIN_MS = 5 * 60_000;

export const installationCache = {
  id: (key: string) => installationIds.get(key),
  setId: (key: string, id: number) => installationIds.set(key, id),
  dropId: (key: string) => installationIds.delete(key),
  token(key: string, now = Date.now()): string | undefined {
    const hit = installationTokens.get(key);
    return hit && hit.expiresAt - TOKEN_MARGIN_MS > now ? hit.token : undefined;
  },
  setToken: (key: string, token: string, expiresAt: string) =>
    installationTokens.set(key, { token, expiresAt: Date.parse(expiresAt) }),
  dropToken: (key: string) => installationTokens.delete(key),
};
