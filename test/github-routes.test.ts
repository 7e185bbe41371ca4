import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import type { DevCommit, DevRepository } from "../src/services/github/dev-actions";
import { callJson, expectProblem } from "./helpers/api";
import { b64, exportRepo, fromB64, injectFault, ORG, uniqueName } from "./helpers/github";
import { createUser } from "./helpers/users";

const files = [
  { path: "README.md", content: "# Hello" },
  { path: "run.sh", content: "#!/bin/sh\necho run\n", mode: "100755" },
  { path: "public/media/logo.png", content: "iVBORwABAv8=", encoding: "base64" },
];

describe("GitHub development routes", () => {
  it("org: create-repo, initial-commit, commit leave exactly the files sent, one commit each", async () => {
    const user = await createUser();
    const name = uniqueName("route");
    const made = await callJson<DevRepository>("POST", "/github/org/create-repo", {
      token: user.token,
      body: { owner: ORG, repo: name, description: "From the dev route" },
    });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ owner: ORG, repo: name, repositoryUrl: `https://github.com/${ORG}/${name}` });

    const first = await callJson<DevCommit>("POST", "/github/org/initial-commit", {
      token: user.token,
      body: { owner: ORG, repo: name, files },
    });
    expect(first.status).toBe(201);
    expect(first.body.commitUrl).toBe(`https://github.com/${ORG}/${name}/commit/${first.body.commitSha}`);

    const second = await callJson<DevCommit>("POST", "/github/org/commit", {
      token: user.token,
      body: {
        owner: ORG,
        repo: name,
        files: [{ path: "README.md", content: "# Hello again\n" }],
        deletedPaths: ["run.sh", "never-existed.txt"],
        message: "Edit the readme, drop the script",
      },
    });
    expect(second.status).toBe(201);

    const out = await exportRepo(ORG, name);
    expect(out.private).toBe(true);
    expect(out.commits.map((c) => c.message)).toEqual(["Edit the readme, drop the script", "Initial commit"]);
    expect(out.commits[1]?.parents).toEqual([]);
    expect(out.files).toEqual([
      { path: "README.md", mode: "100644", content: b64("# Hello again\n") },
      { path: "public/media/logo.png", mode: "100644", content: "iVBORwABAv8=" },
    ]);
  });

  it("user: acts in the caller's own GitHub account", async () => {
    const user = await createUser();
    const login = user.github!.login;
    const made = await callJson<DevRepository>("POST", "/github/user/create-repo", {
      token: user.token,
      body: { repo: "Side Project", private: false },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ owner: login, repo: "side-project" });
    const first = await callJson("POST", "/github/user/initial-commit", {
      token: user.token,
      body: { repo: "side-project", files },
    });
    expect(first.status).toBe(201);
    const next = await callJson("POST", "/github/user/commit", {
      token: user.token,
      body: { repo: "side-project", files: [{ path: "src/a.ts", content: "a" }], message: "Add a" },
    });
    expect(next.status).toBe(201);
    const out = await exportRepo(login, "side-project");
    expect(out.private).toBe(false);
    expect(out.commits).toHaveLength(2);
    expect(out.files.map((f) => [f.path, f.mode])).toEqual([
      ["README.md", "100644"],
      ["public/media/logo.png", "100644"],
      ["run.sh", "100755"],
      ["src/a.ts", "100644"],
    ]);
    expect(fromB64(out.files[2]!.content)).toBe("#!/bin/sh\necho run\n");
  });

  it("a user without a GitHub connection gets 400 github_not_connected, after body validation", async () => {
    const user = await createUser({ github: false });
    const invalid = await callJson("POST", "/github/user/create-repo", { token: user.token, body: {} });
    expectProblem(invalid, 400, "validation_failed");
    const valid = await callJson("POST", "/github/user/create-repo", {
      token: user.token,
      body: { repo: "x" },
    });
    expectProblem(valid, 400, "github_not_connected");
  });

  it("invalid bodies are 400 validation_failed with the field named", async () => {
    const user = await createUser();
    for (const body of [
      { owner: ORG },
      { owner: "not an owner!", repo: "x" },
      { owner: ORG, repo: "x", files: [{ path: "../escape", content: "x" }] },
      { owner: ORG, repo: "x", files: [{ path: "a.bin", content: "***", encoding: "base64" }] },
      { owner: ORG, repo: "x", files: [], message: "" },
    ]) {
      const path =
        "files" in body
          ? "message" in body
            ? "/github/org/commit"
            : "/github/org/initial-commit"
          : "/github/org/create-repo";
      const r = await callJson<{ errors: unknown[] }>("POST", path, { token: user.token, body });
      expectProblem(r, 400, "validation_failed");
      expect(r.body.errors.length).toBeGreaterThan(0);
    }
  });

  it("needs a valid access token", async () => {
    expectProblem(
      await callJson("POST", "/github/org/create-repo", { body: { owner: ORG, repo: "x" } }),
      401,
      "unauthorized",
    );
  });

  it("a commit to a repository that does not exist is 404 not_found", async () => {
    const user = await createUser();
    const r = await callJson("POST", "/github/org/commit", {
      token: user.token,
      body: { owner: ORG, repo: uniqueName("missing"), files: [], message: "m" },
    });
    expectProblem(r, 404, "not_found");
  });

  it("a branch moved by someone else during a commit is 409 github_conflict and is not overwritten", async () => {
    const user = await createUser();
    const name = uniqueName("race");
    await callJson("POST", "/github/org/create-repo", {
      token: user.token,
      body: { owner: ORG, repo: name },
    });
    await callJson("POST", "/github/org/initial-commit", {
      token: user.token,
      body: { owner: ORG, repo: name, files },
    });
    await injectFault({
      match: `PATCH /repos/${ORG}/${name}/git/refs/...`,
      advanceRef: "heads/main",
    });
    const r = await callJson("POST", "/github/org/commit", {
      token: user.token,
      body: { owner: ORG, repo: name, files: [{ path: "x.txt", content: "x" }], message: "mine" },
    });
    expectProblem(r, 409, "github_conflict");
    expect((await exportRepo(ORG, name)).commits[0]?.message).toBe("A concurrent change");
  });

  it("outside development every /github path is 404", async () => {
    const user = await createUser();
    const res = await createApp().request(
      "/github/org/create-repo",
      {
        method: "POST",
        headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
        body: JSON.stringify({ owner: ORG, repo: uniqueName("prod") }),
      },
      { ...env, ENVIRONMENT: "production" },
      createExecutionContext(),
    );
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("not_found");
  });
});
