import type { Config } from "../config";
import { AppError } from "../errors";
import { awsFetch, readAwsError } from "./aws";
import { isRetryableStatus, UpstreamError } from "./upstream";

// The AWS JSON 1.1 protocol ECR, CodeBuild and CloudWatch Logs speak: POST / with `X-Amz-Target`, a JSON body,
// errors as `{ __type, message }`. Throttling comes back as a 400, so it is read from the type.

const THROTTLING = new Set([
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "ServiceUnavailableException",
  "ServerException",
  "RequestTimeout",
  "RequestTimeoutException",
]);

export interface AwsJsonCall {
  service: "ecr" | "codebuild" | "logs";
  /** The service's endpoint (`https://api.ecr.<region>.amazonaws.com` or a stand-in). */
  endpoint: string;
  /** `AmazonEC2ContainerRegistry_V20150921`, `CodeBuild_20161006` or `Logs_20140328`. */
  targetPrefix: string;
  operation: string;
  input: object;
  timeoutMs: number;
  /** Extra attempts after a 5xx, 429 or network failure (awsFetch's default when unset). */
  retries?: number;
}

/** One JSON 1.1 operation; a refusal is an UpstreamError carrying the AWS error type as its code. */
export async function awsJson<T>(config: Config, call: AwsJsonCall): Promise<T> {
  let res: Response;
  try {
    res = await awsFetch(config, {
      service: call.service,
      url: `${call.endpoint.replace(/\/+$/, "")}/`,
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `${call.targetPrefix}.${call.operation}`,
      },
      body: JSON.stringify(call.input),
      timeoutMs: call.timeoutMs,
      retries: call.retries,
    });
  } catch (err) {
    // Configuration errors stay what they are; anything else is "no answer".
    if (err instanceof AppError && err.code !== "upstream_unavailable") throw err;
    throw new UpstreamError(call.service, call.operation, {
      status: null,
      code: "",
      message: err instanceof Error ? err.message : String(err),
      retryable: true,
      cause: err,
    });
  }
  // Decoded from bytes: the body is `application/x-amz-json-1.1`, which workerd's .json() warns about.
  if (res.ok) {
    const text = new TextDecoder().decode(await res.arrayBuffer());
    try {
      return JSON.parse(text || "{}") as T;
    } catch (err) {
      throw new UpstreamError(call.service, call.operation, {
        status: res.status,
        code: "",
        message: "the answer is not JSON",
        retryable: false,
        cause: err,
      });
    }
  }
  const bytes = await res.arrayBuffer();
  const { status, code, message } = await readAwsError(
    new Response(bytes, { status: res.status, headers: { "content-type": "application/json" } }),
  );
  throw new UpstreamError(call.service, call.operation, {
    status,
    code,
    message,
    retryable: isRetryableStatus(status) || THROTTLING.has(code),
  });
}
