import { describe, expect, it } from "vitest";
import { GitHubConflictError } from "../src/clients/github";
import type { Tree } from "../src/lib/tree";
import {
  archiveRepository,
  type CommitFile,
  commitVersion,
  ensureRepository,
  getHeadTree,
  setHomepage,
  slugRepoName,
} from "../src/services/github";
import {
  b64,
  callsTo,
  exportRepo,
  fromB64,
  injectFault,
  newOrgRepo,
  ORG,
  orgClient,
  preCreateRepo,
  repoCalls,
  uniqueName,
  userClient,
} from "./helpers/github";
import { createUser } from "./helpers/users";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

const version1: CommitFile[] = [
  { path: "README.md", content: "# Todo\nno trailing newline" },
  { path: "bin/start.sh", content: "#!/bin/sh\nexec node server.js\n", mode: "100755" },
  { path: "public/media/x.png", content: PNG, encoding: "base64" },
  { path: "src/server/deep/nested/index.ts", content: "export const x = 1;\n" },
  { path: "ünïcode/ファイル.txt", content: "héllo ✓\n" },
];

/** The exported files as the test wrote them (binary content stays base64). */
function asInput(files: Array<{ path: string; mode: string; content: string }>, binary: Set<string>) {
  return files.map((f) => ({
    path: f.path,
    mode: f.mode,
    content: binary.has(f.path) ? f.content : fromB64(f.content),
  }));
}
const expected = (files: CommitFile[]) =>
  files
    .map((f) => ({ path: f.path, mode: f.mode ?? "100644", content: f.content }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));

describe("GitHub repositories and commits", () => {
  it("slugs app names into valid repository names", () => {
    expect(slugRepoName("My Todo App!")).toBe("my-todo-app");
    expect(slugRepoName("  Crème brûlée -- Planner  ")).toBe("creme-brulee-planner");
    expect(slugRepoName("!!!")).toBe("app");
    expect(slugRepoName("x".repeat(150))).toHaveLength(100);
  });

  it("the first version of a new repository is one root commit holding exactly the tree", async () => {
    const { gh, owner, repo, repositoryUrl, created, autoInitSha } = await newOrgRepo();
    expect(created).toBe(true);
    expect(repo).toMatch(/^todo-app-[0-9a-f]{8}$/);
    expect(repositoryUrl).toBe(`https://github.com/${ORG}/${repo}`);
    const before = await repoCalls(owner, repo);
    const result = await commitVersion({
      gh,
      owner,
      repo,
      tree: version1,
      message: "Build a todo app",
      autoInitSha,
    });
    // One binary file: one blob, then ref (still the auto-init commit: not read), tree, commit, ref.
    expect((await repoCalls(owner, repo)) - before).toBe(1 + 4);
    expect(result.created).toBe(true);
    expect(result.parentSha).toBeNull();
    const out = await exportRepo(owner, repo);
    expect(out.commits).toHaveLength(1);
    expect(out.commits[0]).toMatchObject({ sha: result.commitSha, message: "Build a todo app", parents: [] });
    expect(asInput(out.files, new Set(["public/media/x.png"]))).toEqual(expected(version1));
    expect(out.private).toBe(true);
  });

  it("without the auto-init sha the first version still replaces the auto-init commit", async () => {
    const { gh, owner, repo } = await newOrgRepo("plain");
    await commitVersion({ gh, owner, repo, tree: version1.slice(0, 2), message: "Initial commit" });
    const out = await exportRepo(owner, repo);
    expect(out.commits).toHaveLength(1);
    expect(out.files.map((f) => f.path)).toEqual(["README.md", "bin/start.sh"]);
  });

  it("a second version adds one commit: deletions applied, changes kept, unchanged files untouched", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    const v1 = await commitVersion({ gh, owner, repo, tree: version1, message: "v1", autoInitSha });
    const tree: Tree = new Map([
      ["README.md", { content: "# Todo\nno trailing newline", mode: "100644" }],
      ["bin/start.sh", { content: "#!/bin/sh\nexec node server.js --port 80\n", mode: "100755" }],
      ["src/new.ts", { content: "export {};\n", mode: "100644" }],
    ]);
    const v2 = await commitVersion({ gh, owner, repo, tree, message: "v2", expectedParent: v1.commitSha });
    expect(v2.parentSha).toBe(v1.commitSha);
    const out = await exportRepo(owner, repo);
    expect(out.commits.map((c) => c.message)).toEqual(["v2", "v1"]);
    expect(out.commits[0]?.parents).toEqual([v1.commitSha]);
    expect(asInput(out.files, new Set())).toEqual(
      expected([...tree].map(([path, f]) => ({ path, content: f.content, mode: f.mode }))),
    );
  });

  it("a taken name gets a short random suffix", async () => {
    const name = uniqueName("clash");
    await preCreateRepo(ORG, name);
    const made = await ensureRepository({
      gh: orgClient(),
      owner: ORG,
      ownerType: "org",
      name,
      private: true,
    });
    expect(made.repo).toMatch(new RegExp(`^${name}-[a-z0-9]{4}$`));
    expect(made.created).toBe(true);
  });

  it("expectedRepo returns the repository a previous attempt made instead of a second one", async () => {
    const first = await newOrgRepo();
    const again = await ensureRepository({
      gh: first.gh,
      owner: ORG,
      ownerType: "org",
      name: "anything",
      private: true,
      expectedRepo: first.repo,
    });
    expect(again).toMatchObject({ repo: first.repo, created: false, repositoryUrl: first.repositoryUrl });
  });

  it("adoptOwn: a taken name holding our own repository is returned; looked up only once the name is taken", async () => {
    const name = uniqueName("adopt");
    const input = {
      gh: orgClient(),
      owner: ORG,
      ownerType: "org" as const,
      name,
      private: true,
      description: `${name}: generated (app 1)`,
      suffixes: ["zz01"],
      adoptOwn: true,
    };
    const first = await ensureRepository(input);
    expect(first).toMatchObject({ repo: name, created: true });
    expect(await callsTo(`GET /repos/${ORG}/${name}`)).toBe(0);
    const again = await ensureRepository(input);
    expect(again).toMatchObject({ repo: name, created: false, repositoryUrl: first.repositoryUrl });
    // Someone else's repository under the name (another description): the next name.
    const other = await ensureRepository({ ...input, description: `${name}: generated (app 2)` });
    expect(other).toMatchObject({ repo: `${name}-zz01`, created: true });
  });

  it("a lost answer to repository creation does not make a second repository", async () => {
    const name = uniqueName("lost");
    await injectFault({ match: `POST /orgs/${ORG}/repos`, status: 502, after: true, bodyIncludes: name });
    const made = await ensureRepository({
      gh: orgClient(),
      owner: ORG,
      ownerType: "org",
      name,
      private: true,
    });
    expect(made).toMatchObject({ repo: name, created: true });
    expect(made.autoInitSha).toMatch(/^[0-9a-f]{40}$/);
  });

  it("GitHub failing twice with 502 on the commit step: the retry yields exactly one commit", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    await injectFault({ match: `POST /repos/${owner}/${repo}/git/commits`, status: 502, times: 2 });
    const r = await commitVersion({ gh, owner, repo, tree: version1, message: "v1", autoInitSha });
    const out = await exportRepo(owner, repo);
    expect(out.commits.map((c) => c.sha)).toEqual([r.commitSha]);
  });

  it("a retried commitVersion after a lost answer finds its own commit instead of a duplicate", async () => {
    const { owner, repo, autoInitSha } = await newOrgRepo();
    await injectFault({ match: `PATCH /repos/${owner}/${repo}/git/refs/...`, status: 502, after: true });
    const once = orgClient({ maxAttempts: 1 });
    await expect(
      commitVersion({ gh: once, owner, repo, tree: version1, message: "v1", autoInitSha }),
    ).rejects.toMatchObject({
      githubStatus: 502,
      retryable: true,
    });
    const retry = await commitVersion({
      gh: orgClient(),
      owner,
      repo,
      tree: version1,
      message: "v1",
      autoInitSha,
    });
    expect(retry.created).toBe(false);
    const again = await commitVersion({ gh: orgClient(), owner, repo, tree: version1, message: "v1" });
    expect(again).toMatchObject({ commitSha: retry.commitSha, created: false });
    expect((await exportRepo(owner, repo)).commits.map((c) => c.sha)).toEqual([retry.commitSha]);
  });

  it("a branch moved by someone else mid-commit is a GitHubConflictError and is not overwritten", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    const v1 = await commitVersion({ gh, owner, repo, tree: version1, message: "v1", autoInitSha });
    await injectFault({
      match: `PATCH /repos/${owner}/${repo}/git/refs/...`,
      advanceRef: "heads/main",
    });
    const err = await commitVersion({ gh, owner, repo, tree: version1.slice(1), message: "v2" }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(GitHubConflictError);
    expect(err.code).toBe("github_conflict");
    const out = await exportRepo(owner, repo);
    expect(out.commits.map((c) => c.message)).toEqual(["A concurrent change", "v1"]);
    expect(out.commits[1]?.sha).toBe(v1.commitSha);
  });

  it("a branch that is not where the caller expected it is a conflict before anything is written", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    await commitVersion({ gh, owner, repo, tree: version1, message: "v1", autoInitSha });
    const err = await commitVersion({
      gh,
      owner,
      repo,
      tree: version1.slice(2),
      message: "v2",
      expectedParent: "0".repeat(40),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(GitHubConflictError);
    expect((await exportRepo(owner, repo)).commits).toHaveLength(1);
  });

  it("paths git refuses are skipped and reported", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    const r = await commitVersion({
      gh,
      owner,
      repo,
      autoInitSha,
      message: "v1",
      tree: [
        { path: "ok.txt", content: "ok" },
        { path: "../escape.txt", content: "no" },
        { path: ".git/config", content: "no" },
      ],
    });
    expect(r.skippedPaths).toEqual(["../escape.txt", ".git/config"]);
    expect((await exportRepo(owner, repo)).files.map((f) => f.path)).toEqual(["ok.txt"]);
  });

  it("user mode creates and commits in the user's own account", async () => {
    const user = await createUser();
    const gh = userClient(user.github!.token);
    const made = await ensureRepository({
      gh,
      owner: user.github!.login,
      ownerType: "user",
      name: "Notes",
      private: false,
    });
    expect(made).toMatchObject({ owner: user.github!.login, repo: "notes", created: true });
    await commitVersion({ gh, owner: made.owner, repo: made.repo, tree: version1, message: "v1" });
    const head = await getHeadTree({ gh, owner: made.owner, repo: made.repo, withContent: true });
    expect(head.files.map((f) => [f.path, f.mode])).toEqual(expected(version1).map((f) => [f.path, f.mode]));
    expect(head.files.find((f) => f.path === "public/media/x.png")?.content).toBe(PNG);
    expect(head.files.find((f) => f.path === "README.md")?.content).toBe(b64("# Todo\nno trailing newline"));
  });

  it("sets the homepage and archives (idempotently); an archived repository refuses commits", async () => {
    const { gh, owner, repo, autoInitSha } = await newOrgRepo();
    await setHomepage({ gh, owner, repo, homepage: "https://app-1.example.com" });
    expect(await archiveRepository({ gh, owner, repo })).toBe("archived");
    expect(await archiveRepository({ gh, owner, repo })).toBe("already_archived");
    expect(await archiveRepository({ gh, owner, repo: uniqueName("gone") })).toBe("missing");
    const out = await exportRepo(owner, repo);
    expect(out).toMatchObject({ archived: true, homepage: "https://app-1.example.com" });
    await expect(
      commitVersion({ gh, owner, repo, tree: version1, message: "v1", autoInitSha }),
    ).rejects.toMatchObject({
      githubStatus: 403,
      retryable: false,
    });
  });
});
