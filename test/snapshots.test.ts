import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { putObject } from "../src/clients/s3";
import type { Tree } from "../src/lib/tree";
import {
  archiveKey,
  deleteAppObjects,
  latestKey,
  manifestKey,
  presignRead,
  readLatestVersion,
  readSnapshotTree,
  snapshotFileKey,
  storeSnapshot,
} from "../src/services/snapshots";
import { config, standInUrl, testContext } from "./helpers/env";

const ctx = testContext();

const SPECIAL = "docs/my notes ü +plus (1).md";

function sampleTree(): Tree {
  return new Map([
    ["package.json", { content: '{\n  "name": "demo"\n}\n', mode: "100644" }],
    ["scripts/run.sh", { content: "#!/bin/sh\necho run\n", mode: "100755" }],
    ["no-newline.txt", { content: "last line without newline", mode: "100644" }],
    ["src/deep/nested/dir/index.ts", { content: "export const x = 'ü';\n", mode: "100644" }],
    [SPECIAL, { content: "# Notes\n\nspace, unicode and + in the name\n", mode: "100644" }],
    ["empty.txt", { content: "", mode: "100644" }],
  ]);
}

async function devKeys(prefix: string): Promise<Map<string, { size: number; contentType: string }>> {
  const res = await fetch(`${standInUrl("s3")}/__dev/objects?prefix=${encodeURIComponent(prefix)}`);
  const { objects } = (await res.json()) as { objects: { key: string; size: number; contentType: string }[] };
  return new Map(objects.map((o) => [o.key, { size: o.size, contentType: o.contentType }]));
}

/** Unix modes from the zip's central directory, read independently of the code under test. */
function zipModes(zip: Uint8Array): Record<string, string> {
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (v.getUint32(eocd, true) !== 0x06054b50) eocd--;
  let at = v.getUint32(eocd + 16, true);
  const out: Record<string, string> = {};
  for (let n = v.getUint16(eocd + 10, true); n > 0; n--) {
    const nameLen = v.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLen));
    expect(v.getUint16(at + 4, true) >> 8).toBe(3); // made by Unix
    out[name] = (v.getUint32(at + 38, true) >>> 16).toString(8);
    at += 46 + nameLen + v.getUint16(at + 30, true) + v.getUint16(at + 32, true);
  }
  return out;
}

const expectSameTree = (actual: Tree, expected: Tree) =>
  expect(Object.fromEntries([...actual].sort())).toEqual(Object.fromEntries([...expected].sort()));

/** The object holding a version's file (throws when the version has none). */
async function fileKey(appId: string, version: number, path: string): Promise<string> {
  const key = await snapshotFileKey({ ctx, input: { appId, version, path } });
  if (!key) throw new Error(`v${version} has no ${path}`);
  return key;
}

/** S3 writes (PUT, POST) the stand-in has served for one app so far. */
async function writesFor(appId: string): Promise<number> {
  const res = await fetch(`${standInUrl("s3")}/__dev/stats`);
  const { requests } = (await res.json()) as { requests: Record<string, number> };
  return Object.entries(requests)
    .filter(([k]) => /^(PUT|POST) /.test(k) && k.includes(`/apps/${appId}/`))
    .reduce((n, [, c]) => n + c, 0);
}

async function presignedFetch(key: string, init?: RequestInit): Promise<Response> {
  const { url } = await presignRead({ ctx, input: { key, expiresIn: 3600 } });
  return fetch(url, init);
}

async function storedApp(): Promise<{ appId: string; tree: Tree }> {
  const appId = crypto.randomUUID();
  const tree = sampleTree();
  await storeSnapshot({ ctx, input: { appId, version: 1, tree } });
  return { appId, tree };
}

describe("snapshots: storing a version", () => {
  it("stores the archive, every file and latest.json, with content types and sizes", async () => {
    const appId = crypto.randomUUID();
    const tree = sampleTree();
    const stored = await storeSnapshot({ ctx, input: { appId, version: 1, tree } });
    const sizes = [...tree.values()].map((f) => new TextEncoder().encode(f.content).byteLength);
    expect(stored).toMatchObject({
      archiveKey: `apps/${appId}/v1/source.zip`,
      fileCount: 6,
      bytes: sizes.reduce((a, b) => a + b, 0),
    });

    const keys = await devKeys(`apps/${appId}/`);
    const files = await Promise.all([...tree.keys()].map((p) => fileKey(appId, 1, p)));
    expect([...keys.keys()].sort()).toEqual(
      [archiveKey(appId, 1), latestKey(appId), manifestKey(appId, 1), ...files].sort(),
    );
    expect(keys.get(archiveKey(appId, 1))).toEqual({
      size: stored.archiveBytes,
      contentType: "application/zip",
    });
    expect(keys.get(await fileKey(appId, 1, "package.json"))?.contentType).toBe(
      "application/json; charset=utf-8",
    );
    expect(keys.get(await fileKey(appId, 1, "src/deep/nested/dir/index.ts"))?.contentType).toBe(
      "text/plain; charset=utf-8",
    );
    expect(keys.get(await fileKey(appId, 1, "empty.txt"))?.size).toBe(0);
    expect(keys.get(latestKey(appId))?.contentType).toBe("application/json");
  });

  it("the archive, downloaded through a presigned URL, is the tree at its root with its unix modes", async () => {
    const { appId, tree } = await storedApp();
    const res = await presignedFetch(archiveKey(appId, 1));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    const zip = new Uint8Array(await res.arrayBuffer());
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual([...tree.keys()].sort());
    for (const [path, f] of tree) expect(new TextDecoder().decode(files[path])).toBe(f.content);
    const modes = zipModes(zip);
    for (const [path, f] of tree) expect(modes[path], path).toBe(f.mode);
  });

  it("each file's presigned URL serves that file as stored", async () => {
    const { appId, tree } = await storedApp();
    for (const [path, f] of tree) {
      const res = await presignedFetch(await fileKey(appId, 1, path));
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe(f.content);
    }
  });

  it("readSnapshotTree gives back the stored tree, modes included", async () => {
    const { appId, tree } = await storedApp();
    expectSameTree(await readSnapshotTree({ ctx, input: { appId, version: 1 } }), tree);
  });

  it("readLatestVersion follows new versions and a retried older version does not move it back", async () => {
    const appId = crypto.randomUUID();
    expect(await readLatestVersion({ ctx, input: { appId } })).toBeNull();
    const v1 = sampleTree();
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: v1 } });
    expect(await readLatestVersion({ ctx, input: { appId } })).toBe(1);
    const v2: Tree = new Map([...v1, ["new.txt", { content: "v2\n", mode: "100644" }]]);
    await storeSnapshot({ ctx, input: { appId, version: 2, tree: v2 } });
    expect(await readLatestVersion({ ctx, input: { appId } })).toBe(2);
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: v1 } });
    expect(await readLatestVersion({ ctx, input: { appId } })).toBe(2);
    expectSameTree(await readSnapshotTree({ ctx, input: { appId, version: 1 } }), v1);
    expectSameTree(await readSnapshotTree({ ctx, input: { appId, version: 2 } }), v2);
  });

  it("storing a version again with fewer files removes the files it no longer has", async () => {
    const appId = crypto.randomUUID();
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: sampleTree() } });
    const smaller: Tree = new Map([["only.txt", { content: "one\n", mode: "100755" }]]);
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: smaller } });
    expect([...(await devKeys(`apps/${appId}/v1/`)).keys()].sort()).toEqual(
      [archiveKey(appId, 1), manifestKey(appId, 1)].sort(),
    );
    expectSameTree(await readSnapshotTree({ ctx, input: { appId, version: 1 } }), smaller);
    expect(await snapshotFileKey({ ctx, input: { appId, version: 1, path: "package.json" } })).toBeNull();
    expect(await (await presignedFetch(await fileKey(appId, 1, "only.txt"))).text()).toBe("one\n");
  });

  it("an edit uploads only the contents it changed; every version still reads exactly its own files", async () => {
    const appId = crypto.randomUUID();
    const v1: Tree = new Map(
      Array.from({ length: 40 }, (_, i) => [
        `src/f${i}.ts`,
        { content: `export const v = ${i};\n`, mode: "100644" },
      ]),
    );
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: v1 } });
    const afterFirst = await writesFor(appId);
    expect(afterFirst).toBe(40 + 3); // every file, the archive, the manifest, latest.json

    const v2: Tree = new Map(v1);
    v2.set("src/f1.ts", { content: "export const v = 'changed';\n", mode: "100644" });
    v2.set("src/new.ts", { content: "export const added = true;\n", mode: "100644" });
    v2.delete("src/f2.ts");
    v2.set("src/f3.ts", { content: "export const v = 4;\n", mode: "100644" }); // f4's content, at f3's path
    await storeSnapshot({ ctx, input: { appId, version: 2, tree: v2 } });
    expect((await writesFor(appId)) - afterFirst).toBe(3 + 3);

    for (const [version, tree] of [
      [1, v1],
      [2, v2],
    ] as const) {
      for (const [path, f] of tree) {
        expect(await (await presignedFetch(await fileKey(appId, version, path))).text(), path).toBe(
          f.content,
        );
      }
      expectSameTree(await readSnapshotTree({ ctx, input: { appId, version } }), tree);
    }
    expect(await snapshotFileKey({ ctx, input: { appId, version: 2, path: "src/f2.ts" } })).toBeNull();
    expect(await snapshotFileKey({ ctx, input: { appId, version: 1, path: "src/new.ts" } })).toBeNull();

    // Storing the same version again writes the archive, manifest and pointer, no file again.
    const before = await writesFor(appId);
    await storeSnapshot({ ctx, input: { appId, version: 2, tree: v2 } });
    expect((await writesFor(appId)) - before).toBe(3);
  });

  it("a path too long for a plain content key is stored under hashes and read back", async () => {
    const appId = crypto.randomUUID();
    const long = `${"d/".repeat(400)}${"é".repeat(60)}.txt`;
    const tree: Tree = new Map([[long, { content: "deep\n", mode: "100644" }]]);
    await storeSnapshot({ ctx, input: { appId, version: 1, tree } });
    const key = await fileKey(appId, 1, long);
    expect(key.startsWith(`apps/${appId}/long/`)).toBe(true);
    expect(new TextEncoder().encode(key).byteLength).toBeLessThanOrEqual(1024);
    expect(await (await presignedFetch(key)).text()).toBe("deep\n");
  });

  it("a version stored in the earlier layout (files under the version) is still read by path", async () => {
    const appId = crypto.randomUUID();
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: sampleTree() } });
    const legacy = `apps/${appId}/v2/files/old.txt`;
    await putObject(config, legacy, new TextEncoder().encode("old\n"), "text/plain; charset=utf-8");
    expect(await snapshotFileKey({ ctx, input: { appId, version: 2, path: "old.txt" } })).toBe(legacy);
    expect(await snapshotFileKey({ ctx, input: { appId, version: 2, path: "missing.txt" } })).toBeNull();
  });

  it("a missing version reads as no_snapshot", async () => {
    await expect(
      readSnapshotTree({ ctx, input: { appId: crypto.randomUUID(), version: 1 } }),
    ).rejects.toMatchObject({
      code: "no_snapshot",
    });
  });

  it("an unsafe tree path is refused before anything is written", async () => {
    const appId = crypto.randomUUID();
    const tree: Tree = new Map([["../escape.txt", { content: "x", mode: "100644" }]]);
    await expect(storeSnapshot({ ctx, input: { appId, version: 1, tree } })).rejects.toMatchObject({
      code: "internal",
    });
    expect((await devKeys(`apps/${appId}/`)).size).toBe(0);
  });
});

describe("snapshots: storage faults", () => {
  async function failNext(match: string, status: number, times: number) {
    const res = await fetch(`${standInUrl("s3")}/__dev/fail`, {
      method: "POST",
      body: JSON.stringify({ match, status, times }),
    });
    expect(res.status).toBe(200);
  }

  it("S3 answering 503 SlowDown to one upload is retried and the version is stored", async () => {
    const appId = crypto.randomUUID();
    await failNext(`PUT /${config.S3_BUCKET}/apps/${appId}/files/`, 503, 1);
    await storeSnapshot({ ctx, input: { appId, version: 1, tree: sampleTree() } });
    expect(await readLatestVersion({ ctx, input: { appId } })).toBe(1);
    expectSameTree(await readSnapshotTree({ ctx, input: { appId, version: 1 } }), sampleTree());
  });

  it("S3 failing every file upload fails the store with upstream_unavailable and latest.json stays unwritten", async () => {
    const appId = crypto.randomUUID();
    await failNext(`PUT /${config.S3_BUCKET}/apps/${appId}/files/`, 503, 100);
    await expect(
      storeSnapshot({ ctx, input: { appId, version: 1, tree: sampleTree() } }),
    ).rejects.toMatchObject({
      code: "upstream_unavailable",
    });
    expect(await readLatestVersion({ ctx, input: { appId } })).toBeNull();
  });
});

describe("snapshots: presigned URLs are refused once changed", () => {
  async function s3Code(res: Response): Promise<string | undefined> {
    return /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1];
  }

  it("a presigned URL with one character of its key changed is refused 403", async () => {
    const { appId } = await storedApp();
    await storeSnapshot({ ctx, input: { appId, version: 2, tree: sampleTree() } });
    const { url } = await presignRead({ ctx, input: { key: archiveKey(appId, 1), expiresIn: 3600 } });
    const res = await fetch(url.replace("/v1/source.zip", "/v2/source.zip"));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/xml");
    expect(await s3Code(res)).toBe("SignatureDoesNotMatch");
  });

  it("a presigned URL with a changed signature is refused 403 SignatureDoesNotMatch", async () => {
    const { appId } = await storedApp();
    const { url } = await presignRead({ ctx, input: { key: archiveKey(appId, 1), expiresIn: 3600 } });
    const u = new URL(url);
    const sig = u.searchParams.get("X-Amz-Signature")!;
    u.searchParams.set("X-Amz-Signature", (sig[0] === "a" ? "b" : "a") + sig.slice(1));
    const res = await fetch(u);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe("SignatureDoesNotMatch");
  });

  it("a presigned URL with a longer expiry written in is refused 403", async () => {
    const { appId } = await storedApp();
    const { url } = await presignRead({ ctx, input: { key: archiveKey(appId, 1), expiresIn: 60 } });
    const res = await fetch(url.replace("X-Amz-Expires=60", "X-Amz-Expires=604800"));
    expect(res.status).toBe(403);
  });

  it("a presigned GET URL used for PUT or DELETE is refused 403 and the object stays", async () => {
    const { appId, tree } = await storedApp();
    const key = await fileKey(appId, 1, SPECIAL);
    const { url } = await presignRead({ ctx, input: { key, expiresIn: 3600 } });
    const put = await fetch(url, { method: "PUT", body: "overwritten" });
    expect(put.status).toBe(403);
    expect(await s3Code(put)).toBe("SignatureDoesNotMatch");
    const del = await fetch(url, { method: "DELETE" });
    expect(del.status).toBe(403);
    const get = await fetch(url);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe(tree.get(SPECIAL)!.content);
  });

  it("an expired presigned URL is refused 403 AccessDenied", async () => {
    const { appId } = await storedApp();
    const signedAt = new Date(Date.now() - 120_000);
    const { url, expiresAt } = await presignRead({
      ctx,
      input: { key: archiveKey(appId, 1), expiresIn: 60, now: signedAt },
    });
    expect(Date.parse(expiresAt)).toBeLessThan(Date.now());
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe("AccessDenied");
  });

  it("a URL presigned with a wrong secret is refused 403", async () => {
    const { appId } = await storedApp();
    const wrong = testContext({ AWS_SECRET_ACCESS_KEY: "not-the-secret" });
    const { url } = await presignRead({ ctx: wrong, input: { key: archiveKey(appId, 1), expiresIn: 3600 } });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe("SignatureDoesNotMatch");
  });

  it("a URL presigned with an unknown key id is refused 403 InvalidAccessKeyId", async () => {
    const { appId } = await storedApp();
    const { url } = await presignRead({
      ctx: testContext({ AWS_ACCESS_KEY_ID: "AKIANOBODY" }),
      input: { key: archiveKey(appId, 1), expiresIn: 3600 },
    });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(await s3Code(res)).toBe("InvalidAccessKeyId");
  });
});

describe("snapshots: deleting an app's objects", () => {
  it("removes every object of the app, leaves another app's, and a second call deletes nothing", async () => {
    const { appId } = await storedApp();
    await storeSnapshot({ ctx, input: { appId, version: 2, tree: sampleTree() } });
    const stray = `apps/${appId}/v2/files/not-in-any-tree.txt`;
    await putObject(config, stray, new TextEncoder().encode("stray"), "text/plain");
    const other = await storedApp();
    const before = (await devKeys(`apps/${appId}/`)).size;
    const otherBefore = await devKeys(`apps/${other.appId}/`);

    expect(await deleteAppObjects({ ctx, input: { appId } })).toBe(before);
    expect((await devKeys(`apps/${appId}/`)).size).toBe(0);
    expect(await devKeys(`apps/${other.appId}/`)).toEqual(otherBefore);
    expect(await readLatestVersion({ ctx, input: { appId } })).toBeNull();
    expect(await deleteAppObjects({ ctx, input: { appId } })).toBe(0);
  });
});
