// A deployment's logs: a page at a time (`readDeploymentLogs`) or followed live (`followDeploymentLogs`).
export { deploymentLogsPath, LOGS_TYPES, type LogsType } from "./cursor";
export {
  type EndEventData,
  type EndReason,
  FOLLOW_MAX_MS,
  followDeploymentLogs,
  type LogsEventData,
} from "./follow";
export { type LogLine, type LogsPage, type LogsRequest, readDeploymentLogs } from "./read";
