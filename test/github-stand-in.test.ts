import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { privateKeyPkcs8 } from "../src/clients/github-app-auth";
import { config } from "./helpers/env";
import { gh, installApp, installationToken, ORG, testAppJwt, uniqueName } from "./helpers/github";
import { createUser } from "./helpers/users";

// The GitHub stand-in is test equipment: it must refuse what GitHub refuses, where our bugs hide.

async function signAppJwt(claims: { iss?: string; iat?: number; exp?: number }, key?: CryptoKey) {
  const now = Math.floor(Date.now() / 1000);
  const signingKey =
    key ??
    (await crypto.subtle.importKey(
      "pkcs8",
      privateKeyPkcs8(config.GITHUB_APP_PRIVATE_KEY ?? ""),
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    ));
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256" })
    .setIssuer(claims.iss ?? "1001")
    .setIssuedAt(claims.iat ?? now - 60)
    .setExpirationTime(claims.exp ?? now + 540)
    .sign(signingKey);
}

async function orgRepo(token: string, opts: { autoInit?: boolean } = {}) {
  const name = uniqueName("standin");
  const r = await gh("POST", `/orgs/${ORG}/repos`, {
    token,
    body: { name, private: true, auto_init: opts.autoInit ?? true },
  });
  expect(r.status).toBe(201);
  return name;
}

describe("GitHub stand-in", () => {
  it("every call needs credentials GitHub would accept", async () => {
    expect((await gh("GET", `/repos/${ORG}/anything`)).status).toBe(401);
    const bad = await gh("POST", `/orgs/${ORG}/repos`, { token: "gho_not_a_token", body: { name: "x" } });
    expect(bad).toMatchObject({ status: 401, body: { message: "Bad credentials" } });
    expect((await gh("GET", "/user", { token: "gho_not_a_token" })).status).toBe(401);
  });

  it("verifies the App JWT: signature, issuer and a lifetime of at most 10 minutes", async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = (await crypto.subtle.generateKey(
      {
        name: "RSASSA-PKCS1-v1_5",
        modulusLength: 2048,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: "SHA-256",
      },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const path = `/orgs/${ORG}/installation`;
    const withJwt = (jwt: string) =>
      fetch(`${config.GITHUB_API_URL}${path}`, { headers: { authorization: `Bearer ${jwt}` } });
    expect((await withJwt(await signAppJwt({}, other.privateKey))).status).toBe(401);
    expect((await withJwt(await signAppJwt({ iss: "9999" }))).status).toBe(401);
    expect((await withJwt(await signAppJwt({ exp: now + 20 * 60 }))).status).toBe(401);
    expect((await withJwt(await signAppJwt({ exp: now - 10, iat: now - 120 }))).status).toBe(401);
    const ok = await withJwt(await testAppJwt());
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { account: { login: string } }).account.login).toBe(ORG);
    // An installation token is no App JWT, and an org without the App has no installation.
    expect((await gh("GET", path, { token: await installationToken() })).status).toBe(401);
    const missing = await fetch(`${config.GITHUB_API_URL}/orgs/${uniqueName("no-app")}/installation`, {
      headers: { authorization: `Bearer ${await testAppJwt()}` },
    });
    expect(missing.status).toBe(404);
  });

  it("an installation token reaches its own org's repositories only", async () => {
    const otherOrg = uniqueName("other-org");
    await installApp(otherOrg);
    const mine = await installationToken(ORG);
    const theirs = await installationToken(otherOrg);
    const name = await orgRepo(mine);
    expect((await gh("GET", `/repos/${ORG}/${name}`, { token: theirs })).status).toBe(404);
    expect((await gh("GET", `/repos/${ORG}/${name}/git/ref/heads/main`, { token: theirs })).status).toBe(404);
    const create = await gh("POST", `/orgs/${ORG}/repos`, { token: theirs, body: { name: uniqueName() } });
    expect(create.status).toBe(403);
    expect((await gh("POST", "/user/repos", { token: mine, body: { name: uniqueName() } })).status).toBe(403);
    expect((await gh("GET", `/repos/${ORG}/${name}`, { token: mine })).body.permissions.push).toBe(true);
  });

  it("a user token reaches the user's own repositories only", async () => {
    const alice = await createUser();
    const bob = await createUser();
    const made = await gh("POST", "/user/repos", {
      token: alice.github!.token,
      body: { name: "diary", auto_init: true },
    });
    expect(made.body.owner).toMatchObject({ login: alice.github!.login, type: "User" });
    expect(
      (await gh("GET", `/repos/${alice.github!.login}/diary`, { token: bob.github!.token })).status,
    ).toBe(404);
    expect(
      (await gh("GET", `/repos/${alice.github!.login}/diary`, { token: alice.github!.token })).status,
    ).toBe(200);
    const inOrg = await gh("POST", `/orgs/${ORG}/repos`, {
      token: bob.github!.token,
      body: { name: uniqueName() },
    });
    expect(inOrg.status).toBe(404);
  });

  it("object ids are git's own: blob, tree and commit match git hash-object / write-tree / commit-tree", async () => {
    const token = await installationToken();
    const name = await orgRepo(token);
    const base = `/repos/${ORG}/${name}/git`;
    const hello = await gh("POST", `${base}/blobs`, { token, body: { content: "hello\n" } });
    expect(hello.body.sha).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
    const png = await gh("POST", `${base}/blobs`, {
      token,
      body: { content: "iVBORwABAv8=", encoding: "base64" },
    });
    const tree = await gh("POST", `${base}/trees`, {
      token,
      body: {
        tree: [
          { path: "hello.txt", mode: "100644", type: "blob", content: "hello\n" },
          { path: "bin/run.sh", mode: "100755", type: "blob", content: "#!/bin/sh\necho hi" },
          { path: "public/media/x.png", mode: "100644", type: "blob", sha: png.body.sha },
        ],
      },
    });
    expect(tree.body.sha).toBe("e357ad261881b62911a278ed73da06559519c125");
    const who = { name: "A", email: "a@x", date: "2026-01-01T00:00:00Z" };
    const commit = await gh("POST", `${base}/commits`, {
      token,
      body: { message: "v1", tree: tree.body.sha, parents: [], author: who, committer: who },
    });
    expect(commit.body.sha).toBe("6b4c759c61a3647e87712b03c8b599b65ed69cfe");
    const listed = await gh("GET", `${base}/trees/${tree.body.sha}?recursive=1`, { token });
    expect(listed.body.tree.map((e: { path: string; mode: string }) => `${e.mode} ${e.path}`)).toEqual([
      "040000 bin",
      "100755 bin/run.sh",
      "100644 hello.txt",
      "040000 public",
      "040000 public/media",
      "100644 public/media/x.png",
    ]);
  });

  it("a repository without commits answers 409 to git data calls", async () => {
    const token = await installationToken();
    const name = await orgRepo(token, { autoInit: false });
    const base = `/repos/${ORG}/${name}/git`;
    for (const [method, path, body] of [
      ["GET", `${base}/ref/heads/main`, undefined],
      ["POST", `${base}/blobs`, { content: "x" }],
      ["POST", `${base}/trees`, { tree: [] }],
    ] as const) {
      const r = await gh(method, path, { token, body });
      expect(r).toMatchObject({ status: 409, body: { message: "Git Repository is empty." } });
    }
  });

  it("refs move fast-forward only unless forced", async () => {
    const token = await installationToken();
    const name = await orgRepo(token);
    const base = `/repos/${ORG}/${name}/git`;
    const head = (await gh("GET", `${base}/ref/heads/main`, { token })).body.object.sha;
    const init = (await gh("GET", `${base}/commits/${head}`, { token })).body;
    const root = await gh("POST", `${base}/commits`, {
      token,
      body: { message: "root", tree: init.tree.sha },
    });
    const refused = await gh("PATCH", `${base}/refs/heads/main`, { token, body: { sha: root.body.sha } });
    expect(refused).toMatchObject({ status: 422, body: { message: "Update is not a fast forward" } });
    const child = await gh("POST", `${base}/commits`, {
      token,
      body: { message: "child", tree: init.tree.sha, parents: [head] },
    });
    expect(
      (await gh("PATCH", `${base}/refs/heads/main`, { token, body: { sha: child.body.sha } })).status,
    ).toBe(200);
    const forced = await gh("PATCH", `${base}/refs/heads/main`, {
      token,
      body: { sha: root.body.sha, force: true },
    });
    expect(forced.body.object.sha).toBe(root.body.sha);
  });

  it("an archived repository refuses writes with 403, a taken name is a 422", async () => {
    const token = await installationToken();
    const name = await orgRepo(token);
    const clash = await gh("POST", `/orgs/${ORG}/repos`, { token, body: { name } });
    expect(clash.status).toBe(422);
    expect(clash.body.errors[0].message).toBe("name already exists on this account");
    await gh("PATCH", `/repos/${ORG}/${name}`, { token, body: { archived: true } });
    const write = await gh("POST", `/repos/${ORG}/${name}/git/blobs`, { token, body: { content: "x" } });
    expect(write).toMatchObject({
      status: 403,
      body: { message: "Repository was archived so is read-only." },
    });
    expect((await gh("GET", `/repos/${ORG}/${name}/git/ref/heads/main`, { token })).status).toBe(200);
  });

  it("a tree refuses malformed paths and deletions of paths its base does not hold", async () => {
    const token = await installationToken();
    const name = await orgRepo(token);
    const base = `/repos/${ORG}/${name}/git`;
    for (const path of ["../x", "a//b", ".git/config", "/abs"]) {
      const r = await gh("POST", `${base}/trees`, {
        token,
        body: { tree: [{ path, mode: "100644", type: "blob", content: "x" }] },
      });
      expect(r.status).toBe(422);
    }
    const head = (await gh("GET", `${base}/ref/heads/main`, { token })).body.object.sha;
    const treeSha = (await gh("GET", `${base}/commits/${head}`, { token })).body.tree.sha;
    const del = (path: string) =>
      gh("POST", `${base}/trees`, {
        token,
        body: { base_tree: treeSha, tree: [{ path, mode: "100644", type: "blob", sha: null }] },
      });
    expect((await del("missing.txt")).status).toBe(422);
    const emptied = await del("README.md");
    expect(emptied.body.sha).toBe("4b825dc642cb6eb9a060e54bf8d69288fbee4904");
  });
});
