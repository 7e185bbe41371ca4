import { createHash, createHmac } from "node:crypto";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { presignGetUrl, putObject } from "../../src/clients/s3";
import { type AwsHarness, credentials, REGION, startAws } from "./aws-setup.node";

// AWS's own SigV4 signer against our stand-ins: what it signs verifies, what was changed after
// signing is refused with the service's error shape. And our presigned URLs beside the signer's.

/** The hash the signer is built with (SHA-256, or HMAC-SHA-256 with a key), from node:crypto. */
class Sha256 {
  private hash;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === "string"
        ? secret
        : ArrayBuffer.isView(secret)
          ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
          : new Uint8Array(secret);
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {
    this.hash = this.secret ? createHmac("sha256", this.secret) : createHash("sha256");
  }
}

const signer = (service: string) =>
  new SignatureV4({ service, region: REGION, credentials, sha256: Sha256, uriEscapePath: service !== "s3" });

let aws: AwsHarness;
const s3sdk = () => new S3Client({ ...aws.sdk(aws.s3.url), forcePathStyle: true });
beforeAll(async () => {
  aws = await startAws();
  await putObject(aws.config, "signed/hello.txt", new TextEncoder().encode("hello"), "text/plain");
});
afterAll(() => aws?.close());

interface Req {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

async function sign(service: string, { method, url, headers, body }: Req, signingDate?: Date) {
  const signed = await signer(service).sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...headers },
      body,
    },
    { signingDate },
  );
  return signed.headers as Record<string, string>;
}

const send = (r: Req, headers: Record<string, string>) =>
  fetch(r.url, { method: r.method, headers, body: r.body });

const sha256hex = (s: string) => createHash("sha256").update(s).digest("hex");

describe("S3: requests signed by @smithy/signature-v4", () => {
  const get = (): Req => ({
    method: "GET",
    url: new URL(`${aws.s3.url}/${aws.bucket}/signed/hello.txt`),
    headers: { "x-amz-content-sha256": sha256hex("") },
  });

  test("verify", async () => {
    const r = get();
    const res = await send(r, await sign("s3", r));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello");
  });

  test("a changed path or a changed signed header is refused 403 SignatureDoesNotMatch, as XML", async () => {
    const r = get();
    const headers = await sign("s3", r);
    await putObject(aws.config, "signed/other.txt", new TextEncoder().encode("other"), "text/plain");
    const moved = await send({ ...r, url: new URL(`${aws.s3.url}/${aws.bucket}/signed/other.txt`) }, headers);
    expect(moved.status).toBe(403);
    expect(moved.headers.get("content-type")).toContain("xml");
    const xml = await moved.text();
    expect(xml).toMatch(/<Error><Code>SignatureDoesNotMatch<\/Code><Message>[^<]+<\/Message>.*<RequestId>/s);

    const date = await send(r, {
      ...headers,
      "x-amz-date": headers["x-amz-date"]!.replace(/\d(?=Z$)/, (d) => String((+d + 1) % 10)),
    });
    expect(date.status).toBe(403);
    expect(await date.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  test("presigned by AWS's S3 presigner: verifies; expired or changed is refused", async () => {
    const presign = async (path: string, signingDate = new Date(), expiresIn = 60) =>
      new URL(
        await getSignedUrl(s3sdk(), new GetObjectCommand({ Bucket: aws.bucket, Key: path }), {
          signingDate,
          expiresIn,
        }),
      );
    expect((await fetch(await presign("signed/hello.txt"))).status).toBe(200);
    const expired = await fetch(await presign("signed/hello.txt", new Date(Date.now() - 120_000), 60));
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    const changed = await presign("signed/hello.txt");
    changed.pathname = changed.pathname.replace("hello", "other");
    expect((await fetch(changed)).status).toBe(403);
  });
});

describe.each([
  ["ecr", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken", "{}"],
  ["codebuild", "CodeBuild_20161006.BatchGetBuilds", JSON.stringify({ ids: ["app-builds:none"] })],
] as const)("%s (JSON 1.1): requests signed by @smithy/signature-v4", (service, target, body) => {
  const req = (): Req => ({
    method: "POST",
    url: new URL(`${service === "ecr" ? aws.ecr.url : aws.codebuild.url}/`),
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target },
    body,
  });

  test("verify", async () => {
    const r = req();
    const res = await send(r, await sign(service, r));
    expect(res.status).toBe(200);
    expect(await res.json()).toBeTypeOf("object");
  });

  test("a changed body, target or scope is refused 403 with { __type, message }", async () => {
    const r = req();
    const headers = await sign(service, r);
    const tampered = await send({ ...r, body: `${body} ` }, headers);
    expect(tampered.status).toBe(403);
    expect(tampered.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    expect(await tampered.json()).toEqual({
      __type: "InvalidSignatureException",
      message: expect.any(String),
    });

    const retargeted = await send(r, { ...headers, "x-amz-target": `${target}X` });
    expect(retargeted.status).toBe(403);
    expect(((await retargeted.json()) as { __type: string }).__type).toBe("InvalidSignatureException");

    const other = service === "ecr" ? "codebuild" : "ecr";
    const wrongService = await send(r, await sign(other, r));
    expect(wrongService.status).toBe(403);
    expect(((await wrongService.json()) as { __type: string }).__type).toMatch(
      /^(InvalidSignatureException|IncompleteSignatureException)$/,
    );
  });
});

describe("our presigned S3 URLs", () => {
  test("verify, and are the URL AWS's signer makes for the same object and second", async () => {
    const now = new Date();
    const ours = new URL((await presignGetUrl(aws.config, "signed/hello.txt", 300, now)).url);
    const res = await fetch(ours);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello");

    const theirs = new URL(
      await getSignedUrl(s3sdk(), new GetObjectCommand({ Bucket: aws.bucket, Key: "signed/hello.txt" }), {
        signingDate: now,
        expiresIn: 300,
      }),
    );
    expect(ours.pathname).toBe(theirs.pathname);
    for (const p of [
      "X-Amz-Algorithm",
      "X-Amz-Credential",
      "X-Amz-Date",
      "X-Amz-Expires",
      "X-Amz-SignedHeaders",
    ]) {
      expect(ours.searchParams.get(p), p).toBe(theirs.searchParams.get(p));
    }
    expect((await fetch(theirs)).status).toBe(200);
    expect(ours.searchParams.get("X-Amz-Credential")).toMatch(new RegExp(`/${REGION}/s3/aws4_request$`));
  });

  test("an expired or changed one is refused 403", async () => {
    const old = await presignGetUrl(aws.config, "signed/hello.txt", 60, new Date(Date.now() - 61_000));
    const expired = await fetch(old.url);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("<Code>AccessDenied</Code>");

    const fresh = new URL((await presignGetUrl(aws.config, "signed/hello.txt", 60)).url);
    fresh.searchParams.set("X-Amz-Expires", "600");
    expect((await fetch(fresh)).status).toBe(403);
    const post = await fetch((await presignGetUrl(aws.config, "signed/hello.txt", 60)).url, {
      method: "DELETE",
    });
    expect(post.status).toBe(403);
  });
});
