export type { GitHubClient } from "../../clients/github";
export {
  type CommitChangesInput,
  type CommitResult,
  type CommitVersionInput,
  commitChanges,
  commitVersion,
} from "./commit";
export type { CommitFile, VersionFiles } from "./files";
export { getHeadTree, type HeadTree, type HeadTreeFile } from "./head-tree";
export { slugRepoName } from "./names";
export {
  archiveRepository,
  type EnsuredRepository,
  type EnsureRepositoryInput,
  ensureRepository,
  getRepository,
  setHomepage,
} from "./repository";
