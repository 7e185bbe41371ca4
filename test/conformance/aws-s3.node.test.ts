import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  deleteObject,
  deleteObjects,
  getObjectBytes,
  headObject,
  listObjects,
  putObject,
} from "../../src/clients/s3";
import { type AwsHarness, REGION, type Recorded, signingScope, startAws } from "./aws-setup.node";

// AWS's own S3 client drives the S3 stand-in through every operation the backend uses and must
// read what it answers; then our aws4fetch requests are set beside the SDK's for the same operation.

let aws: AwsHarness;
let sdk: S3Client;
beforeAll(async () => {
  aws = await startAws();
  sdk = new S3Client({ ...aws.sdk(aws.s3.url), forcePathStyle: true });
});
afterAll(async () => {
  sdk?.destroy();
  await aws?.close();
});

const text = (s: string) => new TextEncoder().encode(s);

describe("the official S3 client against the stand-in", () => {
  test("PutObject, GetObject (whole and ranged), HeadObject", async () => {
    const put = await sdk.send(
      new PutObjectCommand({
        Bucket: aws.bucket,
        Key: "sdk/a b+c.txt",
        Body: "hello world",
        ContentType: "text/plain",
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await sdk.send(new GetObjectCommand({ Bucket: aws.bucket, Key: "sdk/a b+c.txt" }));
    expect(await got.Body?.transformToString()).toBe("hello world");
    expect(got.ContentType).toBe("text/plain");
    expect(got.ContentLength).toBe(11);
    expect(got.ETag).toBe(put.ETag);
    expect(got.LastModified).toBeInstanceOf(Date);

    const part = await sdk.send(
      new GetObjectCommand({ Bucket: aws.bucket, Key: "sdk/a b+c.txt", Range: "bytes=6-" }),
    );
    expect(await part.Body?.transformToString()).toBe("world");
    expect(part.ContentRange).toBe("bytes 6-10/11");

    const head = await sdk.send(new HeadObjectCommand({ Bucket: aws.bucket, Key: "sdk/a b+c.txt" }));
    expect(head.ContentLength).toBe(11);
    expect(head.ContentType).toBe("text/plain");
    expect(head.ETag).toBe(put.ETag);
  });

  test("a missing key is NoSuchKey for GetObject and NotFound for HeadObject", async () => {
    const get = sdk.send(new GetObjectCommand({ Bucket: aws.bucket, Key: "sdk/missing" }));
    await expect(get).rejects.toBeInstanceOf(NoSuchKey);
    await expect(get).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
    const head = sdk.send(new HeadObjectCommand({ Bucket: aws.bucket, Key: "sdk/missing" }));
    await expect(head).rejects.toBeInstanceOf(NotFound);
  });

  test("ListObjectsV2 pages with a continuation token, in key order", async () => {
    for (const k of ["list/3", "list/1", "list/2"]) {
      await sdk.send(new PutObjectCommand({ Bucket: aws.bucket, Key: k, Body: k }));
    }
    const first = await sdk.send(
      new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: "list/", MaxKeys: 2 }),
    );
    expect(first.Contents?.map((o) => o.Key)).toEqual(["list/1", "list/2"]);
    expect(first.IsTruncated).toBe(true);
    expect(first.KeyCount).toBe(2);
    expect(first.Contents?.[0]?.Size).toBe(6);
    expect(first.Contents?.[0]?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const second = await sdk.send(
      new ListObjectsV2Command({
        Bucket: aws.bucket,
        Prefix: "list/",
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((o) => o.Key)).toEqual(["list/3"]);
    expect(second.IsTruncated).toBe(false);
  });

  test("DeleteObjects (quiet) and DeleteObject, which S3 answers 204 even for a missing key", async () => {
    await sdk.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "del/1", Body: "1" }));
    await sdk.send(new PutObjectCommand({ Bucket: aws.bucket, Key: "del/2", Body: "2" }));
    const out = await sdk.send(
      new DeleteObjectsCommand({
        Bucket: aws.bucket,
        Delete: { Quiet: true, Objects: [{ Key: "del/1" }, { Key: "del/2" }] },
      }),
    );
    expect(out.Errors ?? []).toEqual([]);
    const left = await sdk.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: "del/" }));
    expect(left.KeyCount).toBe(0);
    const gone = await sdk.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: "del/never" }));
    expect(gone.$metadata.httpStatusCode).toBe(204);
  });

  test("a wrong secret is refused with S3's error shape", async () => {
    const wrong = new S3Client({
      ...aws.sdk(aws.s3.url),
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIACONFORMANCE", secretAccessKey: "not-the-secret" },
    });
    const err = await wrong
      .send(new GetObjectCommand({ Bucket: aws.bucket, Key: "sdk/a b+c.txt" }))
      .catch((e) => e);
    wrong.destroy();
    expect(err).toBeInstanceOf(S3ServiceException);
    expect(err).toMatchObject({ name: "SignatureDoesNotMatch", $metadata: { httpStatusCode: 403 } });
    expect(err.$metadata.requestId).toBeTruthy();
  });
});

/** The headers that carry meaning for S3 (signing and transport headers left aside). */
function meaningful(r: Recorded) {
  const skip =
    /^(accept-language|sec-fetch-mode|authorization|x-amz-date|host|user-agent|amz-sdk-.*|x-amz-user-agent|connection|content-length|accept|accept-encoding|x-amz-checksum-.*|x-amz-sdk-checksum-algorithm|expect|transfer-encoding)$/;
  return Object.keys(r.headers)
    .filter((h) => !skip.test(h))
    .sort();
}

describe("our S3 requests beside the SDK's", () => {
  async function pair(ours: () => Promise<unknown>, theirs: () => Promise<unknown>) {
    aws.s3.take();
    await ours();
    const [a] = aws.s3.take();
    await theirs();
    const [b] = aws.s3.take();
    expect(a && b, "both sides made a request").toBeTruthy();
    return [a!, b!] as const;
  }
  const same = (a: Recorded, b: Recorded) => {
    expect(a.method).toBe(b.method);
    // S3 reads `/bucket` and `/bucket/` alike.
    const path = (r: Recorded) => decodeURIComponent(r.path.split("?")[0]!).replace(/\/$/, "");
    expect(path(a)).toBe(path(b));
    expect(signingScope(a)).toEqual({ region: REGION, service: "s3" });
    expect(signingScope(a)).toEqual(signingScope(b));
    expect(a.status).toBe(b.status);
  };

  test("PutObject: same path, content type and signed payload hash", async () => {
    const key = "cmp/dir/file (1).txt";
    const [a, b] = await pair(
      () => putObject(aws.config, key, text("same bytes"), "text/plain; charset=utf-8"),
      () =>
        sdk.send(
          new PutObjectCommand({
            Bucket: aws.bucket,
            Key: key,
            Body: "same bytes",
            ContentType: "text/plain; charset=utf-8",
          }),
        ),
    );
    same(a, b);
    expect(a.headers["content-type"]).toBe(b.headers["content-type"]);
    expect(a.body.equals(b.body)).toBe(true);
    expect(a.headers["x-amz-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(meaningful(a)).toEqual(meaningful(b).filter((h) => h !== "x-amz-decoded-content-length"));
  });

  test("GetObject, HeadObject, DeleteObject: same method and path", async () => {
    const key = "cmp/dir/file (1).txt";
    same(
      ...(await pair(
        () => getObjectBytes(aws.config, key),
        () => sdk.send(new GetObjectCommand({ Bucket: aws.bucket, Key: key })),
      )),
    );
    same(
      ...(await pair(
        () => headObject(aws.config, key),
        () => sdk.send(new HeadObjectCommand({ Bucket: aws.bucket, Key: key })),
      )),
    );
    await putObject(aws.config, "cmp/x", text("x"), "text/plain");
    const [a, b] = await pair(
      () => deleteObject(aws.config, "cmp/x"),
      () => sdk.send(new DeleteObjectCommand({ Bucket: aws.bucket, Key: "cmp/x" })),
    );
    expect(a.method).toBe(b.method);
    expect(a.path).toBe(b.path.split("?")[0]);
  });

  test("ListObjectsV2: the same query parameters", async () => {
    const [a, b] = await pair(
      () => listObjects(aws.config, { prefix: "list/", maxKeys: 2 }),
      () => sdk.send(new ListObjectsV2Command({ Bucket: aws.bucket, Prefix: "list/", MaxKeys: 2 })),
    );
    same(a, b);
    const q = (r: Recorded) => Object.fromEntries(new URLSearchParams(r.path.split("?")[1]).entries());
    expect(q(a)).toEqual(q(b));
  });

  test("DeleteObjects: the same XML document and a body checksum S3 requires", async () => {
    for (const k of ["cmp/d1", "cmp/d2"]) await putObject(aws.config, k, text(k), "text/plain");
    const [a, b] = await pair(
      () => deleteObjects(aws.config, ["cmp/d1"]),
      () =>
        sdk.send(
          new DeleteObjectsCommand({
            Bucket: aws.bucket,
            Delete: { Quiet: true, Objects: [{ Key: "cmp/d2" }] },
          }),
        ),
    );
    same(a, b);
    expect(new URLSearchParams(a.path.split("?")[1]).has("delete")).toBe(true);
    expect(new URLSearchParams(b.path.split("?")[1]).has("delete")).toBe(true);
    // The same document: root element and namespace, Quiet, one Object per key (order of siblings is free).
    const doc = (r: Recorded) => {
      const x = r.body.toString("utf8");
      return {
        root: /<Delete xmlns="([^"]+)">/.exec(x)?.[1],
        quiet: /<Quiet>(\w+)<\/Quiet>/.exec(x)?.[1],
        objects: [...x.matchAll(/<Object>([\s\S]*?)<\/Object>/g)].map((m) =>
          m[1]!.replace(/cmp\/d\d/, "KEY"),
        ),
      };
    };
    expect(doc(a)).toEqual(doc(b));
    expect(doc(a).objects).toEqual(["<Key>KEY</Key>"]);
    expect(a.headers["content-md5"] ?? a.headers["x-amz-checksum-crc32"]).toBeTruthy();
  });
});
