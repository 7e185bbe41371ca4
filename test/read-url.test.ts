import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { Tree } from "../src/lib/tree";
import { storeSnapshot } from "../src/services/snapshots";
import type { ReadUrl } from "../src/services/snapshots/read-url";
import { call, callJson, expectProblem } from "./helpers/api";
import { useTestDb } from "./helpers/db";
import { testContext } from "./helpers/env";

const ctx = testContext();

import { createApp } from "./helpers/factories";
import { createUser } from "./helpers/users";

const db = useTestDb();

const NAMED = "src/my page ü+1.tsx";
const tree: Tree = new Map([
  ["package.json", { content: '{ "name": "shop" }\n', mode: "100644" }],
  ["start.sh", { content: "#!/bin/sh\nnode server.js", mode: "100755" }],
  [NAMED, { content: "export default () => null;\n", mode: "100644" }],
]);

/** A user with an app whose version 2 is stored, as a finished run leaves it. */
async function appWithSnapshot() {
  const user = await createUser();
  const app = await createApp(db, user.id, { snapshotVersion: 2 });
  await storeSnapshot({ ctx, input: { appId: app.id, version: 2, tree } });
  return { user, app };
}

describe("GET /apps/:id/read-url", () => {
  it("answers a presigned URL of the latest archive, valid 3600 s, that downloads the tree", async () => {
    const { user, app } = await appWithSnapshot();
    const before = Date.now();
    const r = await callJson<ReadUrl>("GET", `/apps/${app.id}/read-url`, { token: user.token });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["expiresAt", "expiresIn", "key", "readUrl", "version"]);
    expect(r.body).toMatchObject({ expiresIn: 3600, version: 2, key: `apps/${app.id}/v2/source.zip` });
    const expiresAt = Date.parse(r.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    expect(new URL(r.body.readUrl).searchParams.get("X-Amz-Expires")).toBe("3600");

    const res = await fetch(r.body.readUrl);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual([...tree.keys()].sort());
    expect(new TextDecoder().decode(files["start.sh"])).toBe("#!/bin/sh\nnode server.js");
  });

  it("?path= answers a URL for that one file, which no other method may use", async () => {
    const { user, app } = await appWithSnapshot();
    const r = await callJson<ReadUrl>("GET", `/apps/${app.id}/read-url?path=${encodeURIComponent(NAMED)}`, {
      token: user.token,
    });
    expect(r.status).toBe(200);
    const sha = [
      ...new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(tree.get(NAMED)!.content)),
      ),
    ]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    // Contents are stored once under their hash; the key still ends with the file's path.
    expect(r.body).toMatchObject({
      expiresIn: 3600,
      version: 2,
      key: `apps/${app.id}/files/${sha}/${NAMED}`,
    });
    const res = await fetch(r.body.readUrl);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(tree.get(NAMED)!.content);
    expect((await fetch(r.body.readUrl, { method: "PUT", body: "x" })).status).toBe(403);
    expect((await fetch(r.body.readUrl, { method: "DELETE" })).status).toBe(403);
  });

  it("?path= of a file the latest version does not have is 404 not_found", async () => {
    const { user, app } = await appWithSnapshot();
    const r = await callJson("GET", `/apps/${app.id}/read-url?path=src/missing.ts`, { token: user.token });
    expectProblem(r, 404, "not_found");
  });

  it("?path= that is not a relative file path is 400 validation_failed", async () => {
    const { user, app } = await appWithSnapshot();
    for (const path of ["../other/v1/source.zip", "/etc/passwd", "a//b", "src/./x", ""]) {
      const r = await callJson("GET", `/apps/${app.id}/read-url?path=${encodeURIComponent(path)}`, {
        token: user.token,
      });
      expectProblem(r, 400, "validation_failed");
    }
  });

  it("an app without a stored version yet is 404 no_snapshot", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id);
    expectProblem(
      await callJson("GET", `/apps/${app.id}/read-url`, { token: user.token }),
      404,
      "no_snapshot",
    );
    const withPath = await callJson("GET", `/apps/${app.id}/read-url?path=package.json`, {
      token: user.token,
    });
    expectProblem(withPath, 404, "no_snapshot");
  });

  it("another user's app answers 404 not_found, like a missing one", async () => {
    const { app } = await appWithSnapshot();
    const stranger = await createUser();
    expectProblem(
      await callJson("GET", `/apps/${app.id}/read-url`, { token: stranger.token }),
      404,
      "not_found",
    );
    const missing = await callJson("GET", `/apps/${crypto.randomUUID()}/read-url`, { token: stranger.token });
    expectProblem(missing, 404, "not_found");
  });

  it("a deleted app and a non-UUID id are 404 not_found", async () => {
    const user = await createUser();
    const app = await createApp(db, user.id, { snapshotVersion: 1, deletedAt: new Date() });
    expectProblem(await callJson("GET", `/apps/${app.id}/read-url`, { token: user.token }), 404, "not_found");
    expectProblem(
      await callJson("GET", "/apps/not-a-uuid/read-url", { token: user.token }),
      404,
      "not_found",
    );
  });

  it("without a token is 401 unauthorized", async () => {
    const { app } = await appWithSnapshot();
    expectProblem(await callJson("GET", `/apps/${app.id}/read-url`), 401, "unauthorized");
    const res = await call("GET", `/apps/${app.id}/read-url`, { headers: { authorization: "Bearer nope" } });
    expect(res.status).toBe(401);
  });
});
