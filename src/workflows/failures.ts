import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import { isUpstreamError } from "../clients/upstream";
import { AppError } from "../errors";
import type { Logger } from "../logger";

// How a workflow step fails, as a typed code and a reason this service writes. Nothing here reads
// an error's message: a message does not survive a step boundary (Workflows replace the message of a
// NonRetryableError unless a compatibility flag is set) and an upstream service's text (AWS
// account ids, ARNs, hosts) must never reach users. The raw error goes to the log with the
// workflow instance id.

export type FailureCode =
  /** The deployment is no longer the app's current one, or the app was deleted: stop quietly. */
  | "superseded"
  | "app_deleted"
  | "no_github_connection"
  | "github_token_invalid"
  /** A service refused the request (a 4xx): trying again cannot help. */
  | "rejected"
  /** A service did not answer, or kept failing, through every retry. */
  | "unavailable"
  | "misconfigured"
  | "build_failed"
  | "deploy_failed"
  | "timeout";

export interface Failure {
  code: FailureCode;
  /** Shown to users: written here, never copied from an upstream answer. */
  reason: string;
}

/** A failure with its code, thrown inside a step body or by the workflow itself. */
export class WorkflowFailure extends Error {
  readonly failure: Failure;
  /** Never worth another try (read by `attempt`). */
  readonly retryable = false;
  constructor(code: FailureCode, reason: string) {
    super(reason);
    this.name = "WorkflowFailure";
    this.failure = { code, reason };
  }
}

export const isWorkflowFailure = (err: unknown, code?: FailureCode): err is WorkflowFailure =>
  err instanceof WorkflowFailure && (code === undefined || err.failure.code === code);

const SERVICE: Record<string, string> = {
  koyeb: "Koyeb",
  neon: "Neon",
  ecr: "ECR",
  codebuild: "CodeBuild",
  s3: "S3",
  github: "GitHub",
  stack: "Stack Auth",
};

/** The failure a non-retryable error stands for, or null when trying again may help. */
function classify(err: unknown): Failure | null {
  if (err instanceof WorkflowFailure) return err.failure;
  if (isUpstreamError(err) && !err.retryable) {
    const service = SERVICE[err.service] ?? err.service;
    return {
      code: "rejected",
      reason: `${service} refused a request (${err.upstreamStatus ?? "no answer"})`,
    };
  }
  const e = err as { name?: unknown; retryable?: unknown; githubStatus?: unknown; code?: unknown };
  if (e?.name === "GitHubError" || typeof e?.githubStatus === "number") {
    if (e.retryable !== false) return null;
    return {
      code: "rejected",
      reason: `GitHub refused a request (${String(e.githubStatus ?? "no answer")})`,
    };
  }
  if (err instanceof AppError && (err.code === "config_missing" || err.code === "config_invalid")) {
    return { code: "misconfigured", reason: "The service is not configured for this step" };
  }
  if (e?.retryable === false) return { code: "rejected", reason: "A service refused a request" };
  return null;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; failure: Failure };

/**
 * A step whose body may fail for good: a failure that cannot be retried becomes the step's stored
 * result (a typed code), so the workflow reads it back as a WorkflowFailure, never from a message.
 * Anything else is thrown and retried by Workflows; once retries run out it is `unavailable`.
 */
export async function doStep<T extends Rpc.Serializable<T>>(
  step: WorkflowStep,
  name: string,
  config: WorkflowStepConfig,
  log: Logger,
  fn: () => Promise<T>,
): Promise<T> {
  let out: Outcome<T>;
  try {
    out = (await step.do(name, config, async () => {
      try {
        return { ok: true, value: await fn() } as Outcome<T>;
      } catch (err) {
        const failure = classify(err);
        if (!failure) throw err;
        if (failure.code !== "superseded")
          log.warn("step failed for good", { step: name, code: failure.code, err });
        return { ok: false, failure } as Outcome<T>;
      }
    })) as Outcome<T>;
  } catch (err) {
    log.error("step failed after its retries", { step: name, err });
    throw new WorkflowFailure("unavailable", `${name}: a service it needs kept failing, even after retries`);
  }
  if (!out.ok) throw new WorkflowFailure(out.failure.code, out.failure.reason);
  return out.value;
}

/** The failure behind an error caught in a workflow's run (a typed one, else `unavailable`). */
export function failureOf(err: unknown, what: string): Failure {
  if (err instanceof WorkflowFailure) return err.failure;
  return { code: "unavailable", reason: `${what} failed` };
}
