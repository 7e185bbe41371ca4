import { describe, expect, it } from "vitest";
import { commitVersion } from "../src/services/github";
import { exportRepo, newOrgRepo, ORG } from "./helpers/github";
import { fileOf, platformEvents, repoOf, run } from "./helpers/publish";
import { createUser } from "./helpers/users";

const WORKFLOW = ".github/workflows/ci.yml";

describe(".github/workflows files", () => {
  it("org mode: kept in the version, left out of the commit, listed with reason workflow_file", async () => {
    const user = await createUser();
    const r = await run("[scenario:traversal which=workflow] a notes app", { token: user.token });
    const created = platformEvents(r).find((e) => e.type === "repo_created");
    expect(created).toMatchObject({
      skippedPaths: [WORKFLOW],
      skipped: [{ path: WORKFLOW, reason: "workflow_file" }],
    });
    expect(await fileOf(user.token, r.appId, WORKFLOW)).toBe("pwned\n");
    const { files } = await repoOf(user.token, r.appId);
    expect(Object.keys(files)).toContain("NOTES.md");
    expect(Object.keys(files).filter((p) => p.startsWith(".github/"))).toEqual([]);
  });

  it("a commit keeps them unless asked to leave them out (user mode commits them)", async () => {
    const tree = new Map([
      [WORKFLOW, { content: "on: push\n", mode: "100644" as const }],
      [".GitHub/Workflows/x.yml", { content: "on: push\n", mode: "100644" as const }],
      ["README.md", { content: "# x\n", mode: "100644" as const }],
    ]);
    const org = await newOrgRepo("wf");
    const skipped = await commitVersion({
      gh: org.gh,
      owner: ORG,
      repo: org.repo,
      tree,
      message: "v1",
      skipWorkflowFiles: true,
    });
    expect(skipped.skipped).toEqual([
      { path: WORKFLOW, reason: "workflow_file" },
      { path: ".GitHub/Workflows/x.yml", reason: "workflow_file" },
    ]);
    expect((await exportRepo(ORG, org.repo)).files.map((f) => f.path)).toEqual(["README.md"]);

    const user = await newOrgRepo("wf");
    const kept = await commitVersion({ gh: user.gh, owner: ORG, repo: user.repo, tree, message: "v1" });
    expect(kept.skippedPaths).toBeUndefined();
    expect((await exportRepo(ORG, user.repo)).files.map((f) => f.path).sort()).toEqual(
      [".GitHub/Workflows/x.yml", WORKFLOW, "README.md"].sort(),
    );
  });
});
