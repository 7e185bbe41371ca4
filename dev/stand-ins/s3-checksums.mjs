// S3's body integrity headers: Content-MD5 and the flexible `x-amz-checksum-<algorithm>` headers
// (base64 of the big-endian digest). S3 checks whichever a request carries and refuses a mismatch;
// DeleteObjects needs one of them.
import { createHash } from "node:crypto";
import zlib from "node:zlib";

const crcTable = (poly) =>
  Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    return c >>> 0;
  });
const CRC32C = crcTable(0x82f63b78);

function crc32c(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC32C[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const be32 = (n) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0);
  return out.toString("base64");
};

const ALGORITHMS = {
  crc32: (body) => be32(zlib.crc32(body)),
  crc32c: (body) => be32(crc32c(body)),
  sha1: (body) => createHash("sha1").update(body).digest("base64"),
  sha256: (body) => createHash("sha256").update(body).digest("base64"),
};

/**
 * Checks every integrity header the request carries against the body. Returns null when all
 * match (and, with `required`, at least one is present), else `{ status, code, message }`.
 */
export function checkBodyChecksums(req, body, { required = false } = {}) {
  let present = 0;
  const md5 = req.headers["content-md5"];
  if (md5 !== undefined) {
    present++;
    if (md5 !== createHash("md5").update(body).digest("base64")) {
      return {
        status: 400,
        code: "BadDigest",
        message: "The Content-MD5 you specified did not match what we received.",
      };
    }
  }
  for (const [header, value] of Object.entries(req.headers)) {
    const algorithm = /^x-amz-checksum-(.+)$/.exec(header)?.[1];
    if (!algorithm || algorithm === "type" || algorithm === "algorithm") continue;
    const compute = ALGORITHMS[algorithm];
    if (!compute) {
      return {
        status: 400,
        code: "InvalidRequest",
        message: `Checksum algorithm ${algorithm} is not supported here`,
      };
    }
    present++;
    if (value !== compute(body)) {
      return {
        status: 400,
        code: "BadDigest",
        message: `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      };
    }
  }
  if (required && present === 0) {
    return {
      status: 400,
      code: "InvalidRequest",
      message: "Missing required header for this request: Content-MD5 OR x-amz-checksum-*",
    };
  }
  return null;
}
