import type { Config } from "../config";
import { awsJson } from "./aws-json";

// Amazon CloudWatch Logs (JSON 1.1, signing name `logs`): where CodeBuild writes each build's log.
// Only reading one stream forward is needed. A page may be partly full, or empty, while more
// events follow; the same forward token coming back means the reader is at the stream's end.

export interface LogEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
  ingestionTime?: number;
}

export interface LogEventsPage {
  events: LogEvent[];
  nextForwardToken: string;
  nextBackwardToken?: string;
}

export interface GetLogEventsInput {
  logGroupName: string;
  logStreamName: string;
  /** A `nextForwardToken` of an earlier page; none: the stream's first event. */
  nextToken?: string;
  /** 1 to 10,000 events. */
  limit: number;
  timeoutMs: number;
  retries: number;
}

/** One page of a stream, oldest first. */
export async function getLogEvents(config: Config, input: GetLogEventsInput): Promise<LogEventsPage> {
  const out = await awsJson<{ events?: LogEvent[]; nextForwardToken?: string; nextBackwardToken?: string }>(
    config,
    {
      service: "logs",
      endpoint: config.CLOUDWATCH_LOGS_ENDPOINT,
      targetPrefix: "Logs_20140328",
      operation: "GetLogEvents",
      input: {
        logGroupName: input.logGroupName,
        logStreamName: input.logStreamName,
        startFromHead: true,
        limit: input.limit,
        ...(input.nextToken ? { nextToken: input.nextToken } : {}),
      },
      timeoutMs: input.timeoutMs,
      retries: input.retries,
    },
  );
  return {
    events: out.events ?? [],
    // The token is never null on AWS; without one, the reader stays where it was.
    nextForwardToken: out.nextForwardToken ?? input.nextToken ?? "",
    ...(out.nextBackwardToken ? { nextBackwardToken: out.nextBackwardToken } : {}),
  };
}
