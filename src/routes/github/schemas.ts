import { z } from "@hono/zod-openapi";
import { isValidPath } from "../../services/github/files";

// Bodies and answers of the development-only /github routes (docs/decisions.md, Admin and dev routes).

const Owner = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "must be a GitHub account or org name")
  .openapi({ example: "appbuilder-apps" });
const Repo = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, "must be a GitHub repository name")
  .openapi({ example: "todo-app" });
const Path = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    isValidPath,
    "must be a relative path without '..', '.git', control or invisible characters, or a segment starting with a space or ending in a space or dot, at most 1,024 bytes",
  );

export const FileSchema = z
  .object({
    path: Path.openapi({ example: "src/index.ts" }),
    content: z.string(),
    encoding: z
      .enum(["utf-8", "base64"])
      .optional()
      .openapi({ description: "Default utf-8; base64 for binary files." }),
    mode: z
      .enum(["100644", "100755"])
      .optional()
      .openapi({ description: "Default 100644; 100755 for executables." }),
  })
  .refine((f) => f.encoding !== "base64" || /^[A-Za-z0-9+/]*={0,2}$/.test(f.content.replace(/\s+/g, "")), {
    message: "content is not base64",
    path: ["content"],
  })
  .openapi("GitHubFile");

const Files = z.array(FileSchema).max(5000);

const CreateRepoBase = z.object({
  repo: z
    .string()
    .min(1)
    .max(100)
    .openapi({
      description:
        "The wished name, made a valid repository name (lower case, `[a-z0-9-]`); a short random " +
        "suffix is added when it is taken. The answer names the repository made.",
      example: "Todo App",
    }),
  description: z.string().max(350).optional(),
  private: z.boolean().default(true),
});
export const UserCreateRepoSchema = CreateRepoBase.openapi("GitHubUserCreateRepo");
export const OrgCreateRepoSchema = CreateRepoBase.extend({ owner: Owner }).openapi("GitHubOrgCreateRepo");

const InitialCommitBase = z.object({ repo: Repo, files: Files.min(1) });
export const UserInitialCommitSchema = InitialCommitBase.openapi("GitHubUserInitialCommit");
export const OrgInitialCommitSchema = InitialCommitBase.extend({ owner: Owner }).openapi(
  "GitHubOrgInitialCommit",
);

const CommitBase = z.object({
  repo: Repo,
  files: Files,
  deletedPaths: z.array(Path).max(5000).optional(),
  message: z.string().min(1).max(10_000),
  branch: z.string().min(1).max(255).default("main"),
});
export const UserCommitSchema = CommitBase.openapi("GitHubUserCommit");
export const OrgCommitSchema = CommitBase.extend({ owner: Owner }).openapi("GitHubOrgCommit");
