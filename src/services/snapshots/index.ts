export { deleteAppObjects } from "./delete";
export { appPrefix, archiveKey, fileKey, isSafeTreePath, latestKey, versionPrefix } from "./keys";
export { presignRead, readLatestVersion, readSnapshotTree, snapshotFileExists } from "./read";
export { type LatestPointer, readLatestPointer, type StoredSnapshot, storeSnapshot } from "./store";
