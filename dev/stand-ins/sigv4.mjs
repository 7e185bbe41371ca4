// AWS Signature Version 4 verification for the AWS stand-ins, written from AWS's specification and
// not from the signing library the Worker uses, so an encoding slip in our client shows up here as
// it would against AWS. Covers the Authorization header and presigned query strings.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_S = 7 * 24 * 3600;
const AUTH_RX =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const PRESIGN_PARAMS = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders"];

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ (and `/` when kept). */
export function uriEncode(str, keepSlash = false) {
  let out = "";
  for (const byte of Buffer.from(str, "utf8")) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(ch) || (keepSlash && ch === "/")) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * The object key a raw request path names, decoded as S3 does (a literal `+` in a path is a
 * space there, so a client must send `%2B`). Returns null for a malformed escape.
 */
export function decodeS3Path(rawPath) {
  try {
    return decodeURIComponent(rawPath.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

const sha256hex = (data) => createHash("sha256").update(data).digest("hex");
const hmac = (key, data) => createHmac("sha256", key).update(data, "utf8").digest();

function parseAmzDate(s) {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(s ?? "");
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : Number.NaN;
}

function canonicalQuery(rawQuery, dropSignature) {
  return [...new URLSearchParams(rawQuery)]
    .filter(([k]) => !(dropSignature && k === "X-Amz-Signature"))
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function headerValue(req, name) {
  const v = req.headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(",") : v).trim().replace(/\s+/g, " ");
}

const fail = (status, code, message) => ({ status, code, message });

/**
 * Checks a request's SigV4 signature. Returns null when it is good, else `{ status, code, message }`
 * shaped like the service's own refusal.
 * @param {{ req: import("node:http").IncomingMessage, body: Buffer, service: string, region: string,
 *   keys: Record<string, string>, now?: number }} opts
 */
export function verifySigV4({ req, body, service, region, keys, now = Date.now() }) {
  const [rawPath, rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s);
  const query = new URLSearchParams(rawQuery);
  const presigned = query.has("X-Amz-Signature") || query.has("X-Amz-Credential");
  const auth = req.headers.authorization;
  if (presigned && auth) return fail(400, "InvalidArgument", "Only one auth mechanism allowed");
  if (!presigned && !auth) return fail(403, "AccessDenied", "Access Denied");

  let credential;
  let signedHeaders;
  let given;
  let amzDate;
  if (presigned) {
    if (PRESIGN_PARAMS.some((p) => !query.get(p)) || !query.get("X-Amz-Signature")) {
      return fail(400, "AuthorizationQueryParametersError", "Query-string authentication is incomplete");
    }
    if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
      return fail(400, "AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256");
    }
    credential = query.get("X-Amz-Credential");
    signedHeaders = query.get("X-Amz-SignedHeaders");
    given = query.get("X-Amz-Signature");
    amzDate = query.get("X-Amz-Date");
  } else {
    const m = AUTH_RX.exec(auth);
    if (!m) return fail(400, "AuthorizationHeaderMalformed", "The authorization header is malformed");
    [, credential, signedHeaders, given] = m;
    amzDate = headerValue(req, "x-amz-date");
  }

  const [accessKeyId, date, credRegion, credService, terminator, ...extra] = credential.split("/");
  const secret = Object.hasOwn(keys, accessKeyId) ? keys[accessKeyId] : undefined;
  if (!secret) {
    return fail(
      403,
      "InvalidAccessKeyId",
      "The AWS Access Key Id you provided does not exist in our records.",
    );
  }
  const badScope = presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
  if (extra.length || terminator !== "aws4_request" || credService !== service) {
    return fail(400, badScope, `The credential scope must be <date>/${region}/${service}/aws4_request`);
  }
  if (credRegion !== region) {
    return fail(400, badScope, `the region '${credRegion}' is wrong; expecting '${region}'`);
  }
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) return fail(403, "AccessDenied", "X-Amz-Date is missing or malformed");
  if (date !== amzDate.slice(0, 8))
    return fail(400, badScope, "The credential date does not match X-Amz-Date");

  const names = signedHeaders.split(";");
  if (!names.includes("host") || names.some((n, i) => i > 0 && names[i - 1] >= n)) {
    return fail(403, "SignatureDoesNotMatch", "SignedHeaders must be sorted and include host");
  }
  if (!presigned) {
    const unsigned = Object.keys(req.headers).filter((h) => h.startsWith("x-amz-") && !names.includes(h));
    if (unsigned.length) {
      return fail(
        403,
        "AccessDenied",
        `There were headers present in the request which were not signed: ${unsigned}`,
      );
    }
    if (service === "s3" && !names.includes("x-amz-content-sha256")) {
      return fail(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
    }
  }
  const canonicalHeaders = [];
  for (const n of names) {
    const v = headerValue(req, n);
    if (v === undefined) return fail(403, "SignatureDoesNotMatch", `Signed header ${n} is missing`);
    canonicalHeaders.push(`${n}:${v}\n`);
  }

  let canonicalUri;
  if (service === "s3") {
    const decoded = decodeS3Path(rawPath);
    if (decoded === null) return fail(400, "InvalidURI", "Couldn't parse the specified URI.");
    canonicalUri = uriEncode(decoded, true);
  } else {
    // Other services sign the path as sent, encoded once more (so `%20` becomes `%2520`).
    canonicalUri = uriEncode(rawPath.replace(/\/+/g, "/"), true);
  }

  let payloadHash;
  if (presigned) payloadHash = "UNSIGNED-PAYLOAD";
  else if (service === "s3") payloadHash = headerValue(req, "x-amz-content-sha256");
  // Only S3 takes the payload hash from a header; every other service hashes the body it received.
  else payloadHash = sha256hex(body);

  const canonicalRequest = [
    req.method,
    canonicalUri,
    canonicalQuery(rawQuery, presigned),
    canonicalHeaders.join(""),
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonicalRequest)].join("\n");
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
  if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
    return fail(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }

  if (presigned) {
    const expires = Number(query.get("X-Amz-Expires"));
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGN_S) {
      return fail(400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800");
    }
    if (now > signedAt + expires * 1000) return fail(403, "AccessDenied", "Request has expired");
    if (signedAt > now + MAX_SKEW_MS) return fail(403, "AccessDenied", "Request is not valid yet");
  } else {
    if (Math.abs(now - signedAt) > MAX_SKEW_MS) {
      return fail(
        403,
        "RequestTimeTooSkewed",
        "The difference between the request time and the server's time is too large.",
      );
    }
    if (service === "s3" && payloadHash !== "UNSIGNED-PAYLOAD") {
      if (!/^[0-9a-f]{64}$/.test(payloadHash)) {
        return fail(
          400,
          "InvalidArgument",
          "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA256 value",
        );
      }
      if (payloadHash !== sha256hex(body)) {
        return fail(
          400,
          "XAmzContentSHA256Mismatch",
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
        );
      }
    }
  }
  return null;
}
