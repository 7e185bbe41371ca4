export { deleteAppObjects } from "./delete";
export {
  appPrefix,
  archiveKey,
  contentKey,
  fileKey,
  isSafeTreePath,
  latestKey,
  manifestKey,
  versionPrefix,
} from "./keys";
export { presignRead, readLatestVersion, readSnapshotTree, snapshotFileExists } from "./read";
export {
  type LatestPointer,
  type Manifest,
  readLatestPointer,
  type StoredSnapshot,
  snapshotFileKey,
  storeSnapshot,
} from "./store";
