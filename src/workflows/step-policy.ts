import type { WorkflowStepConfig } from "cloudflare:workers";
import { NonRetryableError } from "cloudflare:workflows";

/** Every step: bounded retries with exponential backoff, and a ceiling on one attempt. */
export const STEP = {
  retries: { limit: 4, delay: "1 second", backoff: "exponential" },
  timeout: "2 minutes",
} as const satisfies WorkflowStepConfig;

/** A poll is cheap and repeated by the loop around it: fewer retries. */
export const POLL = {
  retries: { limit: 2, delay: "1 second", backoff: "exponential" },
  timeout: "1 minute",
} as const satisfies WorkflowStepConfig;

/**
 * Runs a step body, turning a failure the service marks as not retryable (a 4xx: bad input,
 * missing permission) into NonRetryableError, so the Workflow does not retry what cannot succeed.
 */
export async function attempt<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const retryable = (err as { retryable?: unknown }).retryable;
    if (retryable === false) throw new NonRetryableError((err as Error).message);
    throw err;
  }
}
