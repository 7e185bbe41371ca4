// S3 stand-in: path-style `/<bucket>/<key>`, every call SigV4-checked (header or presigned query),
// objects kept in memory with their content type. The operations the backend uses: Put/Get (with
// Range)/Head/DeleteObject, ListObjectsV2 and DeleteObjects, with S3's XML answers and errors.
import { createHash } from "node:crypto";
import { createFaults, guardRoutes } from "./faults.mjs";
import { createServer, listen, send } from "./http.mjs";
import { checkBodyChecksums } from "./s3-checksums.mjs";
import { decodeS3Path, verifySigV4 } from "./sigv4.mjs";

const MAX_KEYS = 1000;
const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

const xmlEscape = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c],
  );
const xmlUnescape = (s) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e) => {
    if (e[0] === "#")
      return String.fromCodePoint(e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : +e.slice(1));
    return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e.toLowerCase()];
  });
const xml = (body) => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
const utf8Compare = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

function s3Error(req, res, status, code, message, extra = "") {
  const requestId = createHash("sha1").update(String(Math.random())).digest("hex").slice(0, 16).toUpperCase();
  // HEAD answers carry no body, as on S3.
  if (req.method === "HEAD") return send(res, status, null, { "x-amz-request-id": requestId });
  send(
    res,
    status,
    xml(
      `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`,
    ),
    { "content-type": "application/xml", "x-amz-request-id": requestId },
  );
}

/**
 * @param {{ port?: number, accessKeyId?: string, secretAccessKey?: string, region?: string,
 *   buckets?: string[] }} opts
 */
export async function startS3({
  port = 0,
  accessKeyId = "AKIADEVKEY",
  secretAccessKey = "dev-aws-secret",
  region = "us-east-1",
  buckets = ["app-snapshots"],
} = {}) {
  const keys = { [accessKeyId]: secretAccessKey };
  /** bucket → Map<key, { body: Buffer, contentType, etag, lastModified }> */
  const store = new Map(buckets.map((b) => [b, new Map()]));
  // `POST /__dev/fail { match, status, times, delayMs }`: the next requests whose "METHOD /bucket/key"
  // (decoded) contains `match` fail with S3's error for that status, after their signature passed.
  const faults = createFaults();
  const FAULT_CODES = { 500: "InternalError", 503: "SlowDown", 403: "AccessDenied", 404: "NoSuchKey" };

  function objectHeaders(obj, overrides = {}) {
    return {
      "content-type": obj.contentType,
      etag: obj.etag,
      "last-modified": obj.lastModified.toUTCString(),
      "accept-ranges": "bytes",
      ...overrides,
    };
  }

  function getObject(req, res, obj, overrides = {}) {
    const size = obj.body.length;
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (range && (range[1] !== "" || range[2] !== "")) {
      let start;
      let end;
      if (range[1] === "") {
        start = Math.max(0, size - Number(range[2]));
        end = size - 1;
      } else {
        start = Number(range[1]);
        end = range[2] === "" ? size - 1 : Math.min(Number(range[2]), size - 1);
      }
      if (start >= size || start > end) {
        return s3Error(req, res, 416, "InvalidRange", "The requested range is not satisfiable", "");
      }
      const part = obj.body.subarray(start, end + 1);
      return send(res, 206, req.method === "HEAD" ? null : part, {
        ...objectHeaders(obj, overrides),
        "content-length": String(part.length),
        "content-range": `bytes ${start}-${end}/${size}`,
      });
    }
    if (req.method === "HEAD") {
      res.writeHead(200, { ...objectHeaders(obj, overrides), "content-length": String(size) });
      return res.end();
    }
    send(res, 200, obj.body, { ...objectHeaders(obj, overrides), "content-length": String(size) });
  }

  function putObject(req, res, objects, key, body) {
    const bad = checkBodyChecksums(req, body);
    if (bad) return s3Error(req, res, bad.status, bad.code, bad.message);
    const md5 = createHash("md5").update(body).digest();
    const etag = `"${md5.toString("hex")}"`;
    objects.set(key, {
      body,
      contentType: req.headers["content-type"] ?? "binary/octet-stream",
      etag,
      lastModified: new Date(),
    });
    send(res, 200, null, { etag });
  }

  function listObjects(req, res, bucket, objects, q) {
    if (q.get("list-type") !== "2") {
      return s3Error(req, res, 400, "InvalidArgument", "Only ListObjectsV2 (list-type=2) is supported here");
    }
    if (q.has("delimiter"))
      return s3Error(req, res, 501, "NotImplemented", "delimiter is not supported here");
    const prefix = q.get("prefix") ?? "";
    const maxKeys = q.has("max-keys") ? Number(q.get("max-keys")) : MAX_KEYS;
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      return s3Error(req, res, 400, "InvalidArgument", "max-keys must be a non-negative integer");
    }
    const limit = Math.min(maxKeys, MAX_KEYS);
    let after = q.get("start-after") ?? "";
    const token = q.get("continuation-token");
    if (token !== null) {
      after = Buffer.from(token, "base64url").toString("utf8");
      if (!token || Buffer.from(after, "utf8").toString("base64url") !== token) {
        return s3Error(req, res, 400, "InvalidArgument", "The continuation token provided is incorrect");
      }
    }
    const matching = [...objects.keys()]
      .filter((k) => k.startsWith(prefix) && utf8Compare(k, after) > 0)
      .sort(utf8Compare);
    const page = matching.slice(0, limit);
    const truncated = matching.length > page.length;
    const contents = page
      .map((k) => {
        const o = objects.get(k);
        return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
      })
      .join("");
    const next = truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1), "utf8").toString("base64url")}</NextContinuationToken>`
      : "";
    const echoed = token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : "";
    send(
      res,
      200,
      xml(
        `<ListBucketResult xmlns="${XMLNS}"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
          `<KeyCount>${page.length}</KeyCount><MaxKeys>${limit}</MaxKeys><IsTruncated>${truncated}</IsTruncated>` +
          `${echoed}${next}${contents}</ListBucketResult>`,
      ),
      { "content-type": "application/xml" },
    );
  }

  function deleteObjects(req, res, objects, body) {
    const bad = checkBodyChecksums(req, body, { required: true });
    if (bad) return s3Error(req, res, bad.status, bad.code, bad.message);
    const text = body.toString("utf8");
    if (!/^(<\?xml[^>]*\?>)?\s*<Delete[\s>][\s\S]*<\/Delete>\s*$/.test(text)) {
      return s3Error(req, res, 400, "MalformedXML", "The XML you provided was not well-formed");
    }
    const keysToDelete = [...text.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map((m) =>
      xmlUnescape(m[1]),
    );
    if (keysToDelete.length === 0 || keysToDelete.length > MAX_KEYS) {
      return s3Error(req, res, 400, "MalformedXML", "The XML you provided was not well-formed");
    }
    const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(text);
    for (const k of keysToDelete) objects.delete(k);
    const deleted = quiet
      ? ""
      : keysToDelete.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join("");
    send(res, 200, xml(`<DeleteResult xmlns="${XMLNS}">${deleted}</DeleteResult>`), {
      "content-type": "application/xml",
    });
  }

  /** Where a path-style request points: its decoded path, bucket, key and query (null: no path). */
  function locate(req) {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s);
    const path = decodeS3Path(rawPath);
    if (path === null || !path.startsWith("/")) return null;
    const slash = path.indexOf("/", 1);
    const bucket = slash === -1 ? path.slice(1) : path.slice(1, slash);
    const key = slash === -1 ? "" : path.slice(slash + 1);
    return { path, bucket, key, q: new URLSearchParams(rawQuery) };
  }

  /** What S3 refuses before the operation: a bad signature, a path it cannot parse, no such bucket. */
  function refuse({ req, body }) {
    const denied = verifySigV4({ req, body, service: "s3", region, keys });
    if (denied) return denied;
    const at = locate(req);
    if (!at) return { status: 400, code: "InvalidURI", message: "Couldn't parse the URI" };
    if (!at.bucket || !store.has(at.bucket)) {
      return {
        status: 404,
        code: "NoSuchBucket",
        message: "The specified bucket does not exist",
        extra: `<BucketName>${xmlEscape(at.bucket)}</BucketName>`,
      };
    }
    return null;
  }

  function handle({ req, res, body }) {
    const { bucket, key, q } = locate(req);
    const objects = store.get(bucket);
    if (key === "") {
      if (req.method === "GET") return listObjects(req, res, bucket, objects, q);
      if (req.method === "POST" && q.has("delete")) return deleteObjects(req, res, objects, body);
      return s3Error(
        req,
        res,
        405,
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
      );
    }
    if (Buffer.byteLength(key, "utf8") > 1024)
      return s3Error(req, res, 400, "KeyTooLongError", "Your key is too long");
    switch (req.method) {
      case "PUT":
        return putObject(req, res, objects, key, body);
      case "GET":
      case "HEAD": {
        const obj = objects.get(key);
        if (!obj) {
          return s3Error(
            req,
            res,
            404,
            "NoSuchKey",
            "The specified key does not exist.",
            `<Key>${xmlEscape(key)}</Key>`,
          );
        }
        // A presigned GET may set the answer's type and disposition (signed query parameters).
        const headers = { "content-type": q.get("response-content-type") ?? obj.contentType };
        if (q.has("response-content-disposition"))
          headers["content-disposition"] = q.get("response-content-disposition");
        return getObject(req, res, { ...obj, ...{ contentType: headers["content-type"] } }, headers);
      }
      case "DELETE":
        objects.delete(key);
        return send(res, 204, null);
      default:
        return s3Error(
          req,
          res,
          405,
          "MethodNotAllowed",
          "The specified method is not allowed against this resource.",
        );
    }
  }

  const server = createServer("s3", [
    ...faults.routes(),
    [
      "GET",
      "/__dev/objects",
      ({ res, url }) => {
        const prefix = url.searchParams.get("prefix") ?? "";
        const only = url.searchParams.get("bucket");
        const list = [];
        for (const [bucket, objects] of store) {
          if (only && bucket !== only) continue;
          for (const [key, o] of objects) {
            if (key.startsWith(prefix))
              list.push({ bucket, key, size: o.body.length, contentType: o.contentType });
          }
        }
        list.sort((a, b) => utf8Compare(a.key, b.key));
        send(res, 200, { objects: list });
      },
    ],
    ...guardRoutes([["*", "/*any", handle]], {
      faults,
      key: ({ req }) => `${req.method} ${locate(req).path}`,
      refuse,
      refused: ({ req, res }, refusal) =>
        s3Error(req, res, refusal.status, refusal.code, refusal.message, refusal.extra),
      delays: true,
      // A rule with status 0 only slows the request down: S3 then answers it.
      failed: (ctx, fault, handler) =>
        fault.status
          ? s3Error(
              ctx.req,
              ctx.res,
              fault.status,
              FAULT_CODES[fault.status] ?? "InvalidRequest",
              "Injected fault",
            )
          : handler(ctx),
    }),
  ]);
  const handle_ = await listen(server, port);
  return { ...handle_, accessKeyId, secretAccessKey, region, buckets };
}
