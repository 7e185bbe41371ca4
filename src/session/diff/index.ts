export { type ApplyFailureCode, type ApplyResult, applyUnifiedDiff } from "./apply";
export { type DiffStatEntry, diffStat } from "./stat";
export { statSummary, treeStat } from "./tree-stat";
