import { AwsClient } from "aws4fetch";
import { type Config, need } from "../config";
import { AppError } from "../errors";

// SigV4 signing for every AWS call (S3, ECR, CodeBuild). aws4fetch infers service and region only
// from `*.amazonaws.com` hosts, so both are always passed: signing stays right against custom
// endpoints and the local stand-ins.

const DEFAULT_TIMEOUT_MS = 30_000;
const RETRIES = 2;
const RETRY_BASE_MS = 200;

export type AwsBody = string | Uint8Array;

export interface AwsRequest {
  /** The signing name: `s3`, `ecr`, `codebuild`. */
  service: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: AwsBody;
  /** Deadline for the whole call, retries included. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx, a 429 or a network failure (default 2); 0 for calls that must not repeat. */
  retries?: number;
}

const clients = new WeakMap<Config, Map<string, AwsClient>>();

/** One signing client per configuration and service (it caches the derived signing keys). */
export function awsClient(config: Config, service: string): AwsClient {
  let byService = clients.get(config);
  if (!byService) {
    byService = new Map();
    clients.set(config, byService);
  }
  let client = byService.get(service);
  if (!client) {
    client = new AwsClient({
      accessKeyId: need(config, "AWS_ACCESS_KEY_ID"),
      secretAccessKey: need(config, "AWS_SECRET_ACCESS_KEY"),
      service,
      region: config.AWS_REGION,
      // Retries are ours (below): aws4fetch's own would ignore network failures and the deadline.
      retries: 0,
    });
    byService.set(service, client);
  }
  return client;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A signed AWS call. Answers the service's response whatever its status (callers map AWS error
 * codes); an unreachable service or a missed deadline is `upstream_unavailable`.
 */
export async function awsFetch(config: Config, req: AwsRequest): Promise<Response> {
  const client = awsClient(config, req.service);
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const retries = req.retries ?? RETRIES;
  const what = `${req.service} ${req.method ?? "GET"}`;
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    let failure: unknown;
    try {
      const signed = await client.sign(req.url, {
        method: req.method ?? "GET",
        headers: req.headers,
        body: req.body,
        signal,
      });
      res = await fetch(signed);
    } catch (err) {
      failure = err;
    }
    const retryable =
      failure !== undefined || (res !== undefined && (res.status >= 500 || res.status === 429));
    if (!retryable && res) return res;
    if (signal.aborted) {
      throw new AppError("upstream_unavailable", `AWS ${req.service} did not answer in time`, {
        cause: new Error(`${what} ${req.url}: no answer within ${timeoutMs} ms`),
      });
    }
    if (attempt >= retries) {
      if (res) return res;
      throw new AppError("upstream_unavailable", `AWS ${req.service} is not reachable`, { cause: failure });
    }
    await res?.body?.cancel();
    await sleep(RETRY_BASE_MS * 2 ** attempt * (0.5 + Math.random() / 2));
  }
}

export interface PresignOptions {
  service: string;
  url: string;
  method?: string;
  expiresIn: number;
  /** Signing time; defaults to now (tests pass a past one to get an expired URL). */
  now?: Date;
}

/** A query-signed URL (SigV4 `X-Amz-*` parameters) that works for that URL and method only. */
export async function awsPresign(
  config: Config,
  opts: PresignOptions,
): Promise<{ url: string; expiresAt: Date }> {
  const now = opts.now ?? new Date();
  const url = new URL(opts.url);
  url.searchParams.set("X-Amz-Expires", String(opts.expiresIn));
  const signed = await awsClient(config, opts.service).sign(url.toString(), {
    method: opts.method ?? "GET",
    aws: { signQuery: true, datetime: amzDate(now) },
  });
  // The signature covers the second the URL was signed at; the expiry counts from there.
  const signedAt = Math.floor(now.getTime() / 1000) * 1000;
  return { url: signed.url, expiresAt: new Date(signedAt + opts.expiresIn * 1000) };
}

/** `20261126T095900Z`, the SigV4 timestamp format. */
export function amzDate(d: Date): string {
  return d.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

export interface AwsErrorInfo {
  status: number;
  code: string;
  message: string;
}

/** The error code and message of an AWS answer: S3's XML `<Error>` or a JSON 1.1 `__type`. */
export async function readAwsError(res: Response): Promise<AwsErrorInfo> {
  const text = await res.text().catch(() => "");
  const type = res.headers.get("content-type") ?? "";
  if (type.includes("json") || text.startsWith("{")) {
    try {
      const body = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      const code = (body.__type ?? "").split("#").pop() || `Http${res.status}`;
      return { status: res.status, code, message: body.message ?? body.Message ?? "" };
    } catch {
      // Not JSON after all: fall through to the XML reading.
    }
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `Http${res.status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? "";
  return { status: res.status, code, message };
}
