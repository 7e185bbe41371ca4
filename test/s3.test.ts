import { describe, expect, it } from "vitest";
import { awsFetch } from "../src/clients/aws";
import {
  deleteObject,
  deleteObjects,
  getObjectBytes,
  headObject,
  listAllObjects,
  listObjects,
  objectUrl,
  putObject,
} from "../src/clients/s3";
import type { Config } from "../src/config";
import { config, standInUrl } from "./helpers/env";

const utf8 = new TextEncoder();
const text = (s: string) => utf8.encode(s);
const prefix = () => `test-s3/${crypto.randomUUID()}/`;

async function devObjects(p: string): Promise<{ key: string; size: number; contentType: string }[]> {
  const res = await fetch(`${standInUrl("s3")}/__dev/objects?prefix=${encodeURIComponent(p)}`);
  return ((await res.json()) as { objects: { key: string; size: number; contentType: string }[] }).objects;
}

async function s3Error(
  res: Response,
): Promise<{ status: number; code: string | undefined; type: string | null }> {
  const body = await res.text();
  return {
    status: res.status,
    code: /<Code>([^<]+)<\/Code>/.exec(body)?.[1],
    type: res.headers.get("content-type"),
  };
}

const withConfig = (patch: Partial<Config>): Config => ({ ...config, ...patch });

describe("S3 client against the SigV4-verifying stand-in", () => {
  it("stores an object with its content type and reads it back; HEAD reports its size", async () => {
    const key = `${prefix()}hello.txt`;
    const put = await putObject(config, key, text("hello, world"), "text/plain; charset=utf-8");
    expect(put.size).toBe(12);
    expect(put.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(new TextDecoder().decode((await getObjectBytes(config, key))!)).toBe("hello, world");
    expect(await headObject(config, key)).toMatchObject({
      size: 12,
      contentType: "text/plain; charset=utf-8",
    });
    expect(await headObject(config, `${key}.missing`)).toBeNull();
    expect(await getObjectBytes(config, `${key}.missing`)).toBeNull();
    await deleteObject(config, key);
    expect(await headObject(config, key)).toBeNull();
    await deleteObject(config, key);
  });

  it("keys with spaces, unicode, plus signs and parentheses are stored under their exact names", async () => {
    const p = prefix();
    const names = [
      "dir with space/ünïcødé.md",
      "a+b=c&d.txt",
      "(paren)!'*~.ts",
      "emoji 🚀/file%20literal.txt",
    ];
    for (const n of names) await putObject(config, p + n, text(n), "text/plain");
    const listed = await devObjects(p);
    expect(listed.map((o) => o.key).sort()).toEqual(names.map((n) => p + n).sort());
    for (const n of names) expect(new TextDecoder().decode((await getObjectBytes(config, p + n))!)).toBe(n);
    expect((await listAllObjects(config, p)).map((o) => o.key).sort()).toEqual(
      names.map((n) => p + n).sort(),
    );
  });

  it("refuses a key whose . or .. segment a URL would resolve away", async () => {
    await expect(putObject(config, "apps/x/../y", text("no"), "text/plain")).rejects.toMatchObject({
      code: "internal",
    });
  });

  it("a Range GET answers 206 with content-range and only those bytes", async () => {
    const key = `${prefix()}range.txt`;
    await putObject(config, key, text("0123456789"), "text/plain");
    const res = await awsFetch(config, {
      service: "s3",
      url: objectUrl(config, key),
      headers: { range: "bytes=2-5" },
    });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(await res.text()).toBe("2345");
    const suffix = await awsFetch(config, {
      service: "s3",
      url: objectUrl(config, key),
      headers: { range: "bytes=-3" },
    });
    expect(suffix.status).toBe(206);
    expect(await suffix.text()).toBe("789");
    const beyond = await awsFetch(config, {
      service: "s3",
      url: objectUrl(config, key),
      headers: { range: "bytes=20-" },
    });
    expect((await s3Error(beyond)).code).toBe("InvalidRange");
    expect(beyond.status).toBe(416);
  });

  it("ListObjectsV2 pages through continuation tokens in key order", async () => {
    const p = prefix();
    const keys = ["e", "a", "d", "b", "c"].map((k) => `${p}${k}.txt`);
    await Promise.all(keys.map((k) => putObject(config, k, text(k), "text/plain")));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await listObjects(config, { prefix: p, continuationToken: token, maxKeys: 2 });
      seen.push(...page.objects.map((o) => o.key));
      token = page.nextContinuationToken ?? undefined;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([...keys].sort());
    const all = await listAllObjects(config, p);
    expect(all.map((o) => o.size)).toEqual(keys.map(() => `${p}a.txt`.length));
  });

  it("DeleteObjects removes a batch and answers the count", async () => {
    const p = prefix();
    const keys = ["x 1.txt", "y+2.txt", "z&3.txt"].map((k) => p + k);
    for (const k of keys) await putObject(config, k, text("x"), "text/plain");
    await putObject(config, `${p}keep.txt`, text("k"), "text/plain");
    expect(await deleteObjects(config, keys)).toBe(3);
    expect((await devObjects(p)).map((o) => o.key)).toEqual([`${p}keep.txt`]);
  });

  it("DeleteObjects without Content-MD5 is refused 400 InvalidRequest, as S3 does", async () => {
    const body = text("<Delete><Object><Key>whatever</Key></Object></Delete>");
    const res = await awsFetch(config, {
      service: "s3",
      method: "POST",
      url: `${config.S3_ENDPOINT}/${config.S3_BUCKET}?delete`,
      headers: { "content-type": "application/xml" },
      body,
    });
    expect(await s3Error(res)).toMatchObject({ status: 400, code: "InvalidRequest" });
  });

  it("a request signed with a wrong secret is refused 403 SignatureDoesNotMatch", async () => {
    const key = `${prefix()}secret.txt`;
    await putObject(config, key, text("x"), "text/plain");
    const wrong = withConfig({ AWS_SECRET_ACCESS_KEY: "not-the-secret" });
    const res = await awsFetch(wrong, { service: "s3", url: objectUrl(config, key) });
    expect(await s3Error(res)).toEqual({
      status: 403,
      code: "SignatureDoesNotMatch",
      type: "application/xml",
    });
    await expect(putObject(wrong, key, text("y"), "text/plain")).rejects.toMatchObject({
      code: "upstream_error",
    });
    expect(new TextDecoder().decode((await getObjectBytes(config, key))!)).toBe("x");
  });

  it("an unknown access key id is refused 403 InvalidAccessKeyId", async () => {
    const res = await awsFetch(withConfig({ AWS_ACCESS_KEY_ID: "AKIAUNKNOWN" }), {
      service: "s3",
      url: objectUrl(config, `${prefix()}x`),
    });
    expect(await s3Error(res)).toMatchObject({ status: 403, code: "InvalidAccessKeyId" });
  });

  it("an unsigned request is refused 403 AccessDenied", async () => {
    const key = `${prefix()}open.txt`;
    await putObject(config, key, text("x"), "text/plain");
    expect(await s3Error(await fetch(objectUrl(config, key)))).toMatchObject({
      status: 403,
      code: "AccessDenied",
    });
  });

  it("a credential scope with another region or service is refused", async () => {
    const url = objectUrl(config, `${prefix()}x`);
    const region = await awsFetch(withConfig({ AWS_REGION: "eu-west-1" }), { service: "s3", url });
    expect(await s3Error(region)).toMatchObject({ status: 400, code: "AuthorizationHeaderMalformed" });
    const service = await awsFetch(config, { service: "ecr", url });
    expect(await s3Error(service)).toMatchObject({ status: 400, code: "AuthorizationHeaderMalformed" });
  });

  it("a body that does not match its signed x-amz-content-sha256 is refused 400", async () => {
    const res = await awsFetch(config, {
      service: "s3",
      method: "PUT",
      url: objectUrl(config, `${prefix()}tampered.txt`),
      headers: {
        "content-type": "text/plain",
        // sha256("")
        "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      },
      body: text("not empty"),
    });
    expect(await s3Error(res)).toMatchObject({ status: 400, code: "XAmzContentSHA256Mismatch" });
  });

  it("an unknown bucket is 404 NoSuchBucket", async () => {
    const other = withConfig({ S3_BUCKET: "no-such-bucket" });
    await expect(putObject(other, `${prefix()}x`, text("x"), "text/plain")).rejects.toMatchObject({
      code: "upstream_error",
    });
    const res = await awsFetch(other, { service: "s3", url: objectUrl(other, `${prefix()}x`) });
    expect(await s3Error(res)).toMatchObject({ status: 404, code: "NoSuchBucket" });
  });

  it("an unreachable S3 endpoint is upstream_unavailable after the retries", async () => {
    const down = withConfig({ S3_ENDPOINT: "http://127.0.0.1:1" });
    await expect(getObjectBytes(down, `${prefix()}x`)).rejects.toMatchObject({
      code: "upstream_unavailable",
    });
  });
});
