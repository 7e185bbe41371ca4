export { type ApplyFailureCode, type ApplyResult, applyUnifiedDiff } from "./apply";
export { type DiffStatEntry, diffStat } from "./stat";
