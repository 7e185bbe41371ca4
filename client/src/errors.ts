import type { components } from "./openapi.js";

/** A `code` the server answers with; the status follows from it. */
export type ProblemCode = components["schemas"]["Problem"]["code"];

/**
 * The code of a problem made by this client for an error answer that is not a problem document
 * (a proxy's HTML page, say); its `detail` holds the start of the body.
 */
export const UNEXPECTED_RESPONSE = "unexpected_response";

/**
 * An RFC 9457 problem as the server writes it (`application/problem+json`), with any extra
 * members it adds (e.g. `eventsUrl` on 409 `run_in_progress`).
 */
export type Problem = Omit<components["schemas"]["Problem"], "code"> & {
  code: ProblemCode | typeof UNEXPECTED_RESPONSE;
  [extra: string]: unknown;
};

/** An answer outside 2xx. `code` is the problem's, the one to switch on. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: Problem["code"];
  readonly requestId: string | undefined;

  constructor(
    readonly problem: Problem,
    readonly headers: Headers,
  ) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.requestId = problem.requestId || undefined;
  }
}

const isProblem = (v: unknown): v is Problem =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Problem).code === "string" &&
  typeof (v as Problem).status === "number";

/** The ApiError of an error answer; reads (and so consumes) its body. */
export async function apiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  if (/json/i.test(res.headers.get("content-type") ?? "")) {
    try {
      const body: unknown = JSON.parse(text);
      if (isProblem(body)) return new ApiError(body, res.headers);
    } catch {
      // Not JSON after all: described below like any other body.
    }
  }
  return new ApiError(
    {
      type: "about:blank",
      title: res.statusText || `HTTP ${res.status}`,
      status: res.status,
      detail: text.slice(0, 500) || `HTTP ${res.status} without a problem document`,
      code: UNEXPECTED_RESPONSE,
      requestId: res.headers.get("x-request-id") ?? "",
    },
    res.headers,
  );
}
