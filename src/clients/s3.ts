import { type Config, need } from "../config";
import { AppError } from "../errors";
import { awsFetch, awsPresign, readAwsError } from "./aws";

// S3 over path-style URLs (`<endpoint>/<bucket>/<key>`), signed with SigV4. Object keys are
// encoded once, segment by segment, exactly as SigV4 canonicalises them for S3; a literal `+`
// would read as a space on S3, so it travels as `%2B`.

const OBJECT_TIMEOUT_MS = 60_000;
const SMALL_TIMEOUT_MS = 15_000;
/** DeleteObjects takes at most 1000 keys per request. */
const DELETE_BATCH = 1000;

export interface S3Object {
  key: string;
  size: number;
  etag: string;
}

export interface S3Head {
  size: number;
  contentType: string | null;
  etag: string | null;
}

const encodeSegment = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The key as a URL path. `.`/`..` segments are refused: a URL parser would resolve them (even as
 * `%2E%2E`), so the signed request would name another object than the caller meant.
 */
export function encodeKey(key: string): string {
  const segments = key.split("/");
  if (!key || new TextEncoder().encode(key).length > 1024 || segments.some((s) => s === "." || s === "..")) {
    throw new AppError("internal", "Refusing an unsafe object key", { cause: new Error(`key: ${key}`) });
  }
  return segments.map(encodeSegment).join("/");
}

function bucketUrl(config: Config): string {
  return `${config.S3_ENDPOINT.replace(/\/+$/, "")}/${encodeSegment(need(config, "S3_BUCKET"))}`;
}

export function objectUrl(config: Config, key: string): string {
  return `${bucketUrl(config)}/${encodeKey(key)}`;
}

/** A failed S3 answer as an AppError: its 5xx → unavailable, anything else → upstream error. */
async function s3Failure(op: string, key: string, res: Response): Promise<AppError> {
  const err = await readAwsError(res);
  const cause = new Error(`S3 ${op} ${key}: ${err.status} ${err.code} ${err.message}`);
  if (res.status >= 500 || res.status === 429) {
    return new AppError("upstream_unavailable", "File storage is not available", { cause });
  }
  return new AppError("upstream_error", "File storage refused the request", { cause });
}

async function digest(algorithm: string, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest(algorithm, data));
}
const toHex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));

/** Stores an object; the SHA-256 travels signed, so S3 refuses a body that changed on the way. */
export async function putObject(
  config: Config,
  key: string,
  body: Uint8Array,
  contentType: string,
): Promise<{ etag: string | null; size: number }> {
  const res = await awsFetch(config, {
    service: "s3",
    method: "PUT",
    url: objectUrl(config, key),
    headers: {
      "content-type": contentType,
      "x-amz-content-sha256": toHex(await digest("SHA-256", body)),
    },
    body,
    timeoutMs: OBJECT_TIMEOUT_MS,
  });
  if (!res.ok) throw await s3Failure("PUT", key, res);
  await res.body?.cancel();
  return { etag: res.headers.get("etag"), size: body.byteLength };
}

/** The object's bytes, or null when it does not exist. */
export async function getObjectBytes(config: Config, key: string): Promise<Uint8Array | null> {
  const res = await awsFetch(config, {
    service: "s3",
    url: objectUrl(config, key),
    timeoutMs: OBJECT_TIMEOUT_MS,
  });
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw await s3Failure("GET", key, res);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    // The deadline also covers reading the body; a cut or slow download ends here.
    throw new AppError("upstream_unavailable", "File storage did not send the whole object", { cause: err });
  }
  const declared = res.headers.get("content-length");
  if (declared !== null && Number(declared) !== bytes.byteLength) {
    throw new AppError("upstream_unavailable", "File storage sent a truncated object", {
      cause: new Error(`S3 GET ${key}: ${bytes.byteLength} of ${declared} bytes`),
    });
  }
  return bytes;
}

export async function headObject(config: Config, key: string): Promise<S3Head | null> {
  const res = await awsFetch(config, {
    service: "s3",
    method: "HEAD",
    url: objectUrl(config, key),
    timeoutMs: SMALL_TIMEOUT_MS,
  });
  await res.body?.cancel();
  if (res.status === 404) return null;
  if (!res.ok) throw await s3Failure("HEAD", key, res);
  return {
    size: Number(res.headers.get("content-length") ?? 0),
    contentType: res.headers.get("content-type"),
    etag: res.headers.get("etag"),
  };
}

const xmlUnescape = (s: string) =>
  s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
const xmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c as "&"],
  );
const tag = (xml: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];

export interface ListPage {
  objects: S3Object[];
  nextContinuationToken: string | null;
}

/** One ListObjectsV2 page (at most 1000 keys), in key order. */
export async function listObjects(
  config: Config,
  opts: { prefix: string; continuationToken?: string; maxKeys?: number },
): Promise<ListPage> {
  const url = new URL(bucketUrl(config));
  url.searchParams.set("list-type", "2");
  url.searchParams.set("prefix", opts.prefix);
  if (opts.continuationToken) url.searchParams.set("continuation-token", opts.continuationToken);
  if (opts.maxKeys !== undefined) url.searchParams.set("max-keys", String(opts.maxKeys));
  const res = await awsFetch(config, { service: "s3", url: url.toString(), timeoutMs: SMALL_TIMEOUT_MS });
  if (!res.ok) throw await s3Failure("LIST", opts.prefix, res);
  const xml = await res.text();
  const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
    key: xmlUnescape(tag(m[1]!, "Key") ?? ""),
    size: Number(tag(m[1]!, "Size") ?? Number.NaN),
    etag: xmlUnescape(tag(m[1]!, "ETag") ?? ""),
  }));
  const truncated = tag(xml, "IsTruncated") === "true";
  const next = tag(xml, "NextContinuationToken");
  if (objects.some((o) => !o.key || Number.isNaN(o.size)) || (truncated && !next)) {
    throw new AppError("upstream_error", "File storage sent an unreadable listing", {
      cause: new Error(`S3 LIST ${opts.prefix}: ${xml.slice(0, 200)}`),
    });
  }
  return { objects, nextContinuationToken: truncated ? xmlUnescape(next!) : null };
}

/** Every object under a prefix (all pages). */
export async function listAllObjects(config: Config, prefix: string): Promise<S3Object[]> {
  const all: S3Object[] = [];
  let token: string | undefined;
  do {
    const page = await listObjects(config, { prefix, continuationToken: token });
    all.push(...page.objects);
    token = page.nextContinuationToken ?? undefined;
  } while (token);
  return all;
}

/** Deletes keys in batches of 1000 (DeleteObjects, quiet); a key S3 could not delete is an error. */
export async function deleteObjects(config: Config, keys: string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < keys.length; i += DELETE_BATCH) {
    const batch = keys.slice(i, i + DELETE_BATCH);
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>` +
      batch.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("") +
      "</Delete>";
    const body = new TextEncoder().encode(xml);
    // S3 requires a body checksum on DeleteObjects; Content-MD5 is the one every S3 accepts.
    const res = await awsFetch(config, {
      service: "s3",
      method: "POST",
      url: `${bucketUrl(config)}?delete`,
      headers: {
        "content-type": "application/xml",
        "content-md5": toBase64(await digest("MD5", body)),
        "x-amz-content-sha256": toHex(await digest("SHA-256", body)),
      },
      body,
      timeoutMs: OBJECT_TIMEOUT_MS,
    });
    if (!res.ok) throw await s3Failure("DELETE-OBJECTS", batch[0]!, res);
    const answer = await res.text();
    const errors = [...answer.matchAll(/<Error>([\s\S]*?)<\/Error>/g)];
    if (errors.length) {
      throw new AppError("upstream_error", "File storage could not delete some objects", {
        cause: new Error(`S3 DeleteObjects: ${errors.length} failed, first: ${errors[0]![1]}`),
      });
    }
    deleted += batch.length;
  }
  return deleted;
}

export async function deleteObject(config: Config, key: string): Promise<void> {
  const res = await awsFetch(config, {
    service: "s3",
    method: "DELETE",
    url: objectUrl(config, key),
    timeoutMs: SMALL_TIMEOUT_MS,
  });
  await res.body?.cancel();
  if (!res.ok && res.status !== 404) throw await s3Failure("DELETE", key, res);
}

/** A presigned GET URL for one object: any other key or method is refused by S3. */
export function presignGetUrl(
  config: Config,
  key: string,
  expiresIn: number,
  now?: Date,
): Promise<{ url: string; expiresAt: Date }> {
  return awsPresign(config, { service: "s3", url: objectUrl(config, key), method: "GET", expiresIn, now });
}
