// What the ECR and CodeBuild stand-ins share: SigV4 verification with the right credential scope,
// answered as those services answer, and the AWS JSON 1.1 protocol (POST / with X-Amz-Target, errors as { __type, message }).
import { createFaults } from "./faults.mjs";
import { createServer, INVALID_JSON, json, send } from "./http.mjs";
import { verifySigV4 } from "./sigv4.mjs";

const JSON_11 = "application/x-amz-json-1.1";

/** An AWS JSON 1.1 error: the status, `x-amzn-ErrorType`, and `{ __type, message }`. */
export class AwsError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export function sendAwsError(res, status, type, message) {
  send(
    res,
    status,
    { __type: type, message },
    { "content-type": JSON_11, "x-amzn-errortype": type, "x-amzn-requestid": crypto.randomUUID() },
  );
}

const AUTH_RX = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),/;

/**
 * Checks a header-signed request the way the JSON services do: a known access key, a credential
 * scope naming this region and service (their own refusal, a 403), then the signature itself
 * (sigv4.mjs, written from the spec). Returns null when it holds, else the AwsError to answer.
 */
export function verifyJsonSigV4(req, body, { credentials, region, service }) {
  const auth = req.headers.authorization;
  if (!auth) return new AwsError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
  const credential = AUTH_RX.exec(auth)?.[1];
  if (!credential)
    return new AwsError(403, "IncompleteSignatureException", "Authorization header is malformed");
  const [accessKeyId, , scopeRegion, scopeService] = credential.split("/");
  if (!Object.hasOwn(credentials, accessKeyId)) {
    return new AwsError(
      403,
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  }
  if (scopeRegion !== region) {
    return new AwsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to a valid region. Expected '${region}', got '${scopeRegion}'.`,
    );
  }
  if (scopeService !== service) {
    return new AwsError(
      403,
      "InvalidSignatureException",
      `Credential should be scoped to correct service: '${service}'.`,
    );
  }
  const bad = verifySigV4({ req, body, service, region, keys: credentials });
  if (!bad) return null;
  if (bad.code === "RequestTimeTooSkewed")
    return new AwsError(403, "InvalidSignatureException", "Signature expired");
  if (bad.code === "SignatureDoesNotMatch")
    return new AwsError(403, "InvalidSignatureException", bad.message);
  return new AwsError(403, "IncompleteSignatureException", bad.message);
}

/**
 * A JSON 1.1 service: `operations` maps an operation name (the part of X-Amz-Target after
 * `${targetPrefix}.`) to `async (input) => output`; throwing an AwsError answers it.
 * `devRoutes` are extra control routes under /__dev/.
 */
export function createAwsJsonServer({
  name,
  service,
  region,
  credentials,
  targetPrefix,
  operations,
  devRoutes,
}) {
  const faults = createFaults();
  const handle = async ({ req, res, url, body }) => {
    const denied = verifyJsonSigV4(req, body, { credentials, region, service });
    if (denied) return sendAwsError(res, denied.status, denied.type, denied.message);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith(`${targetPrefix}.`) ? target.slice(targetPrefix.length + 1) : "";
    if (!Object.hasOwn(operations, op)) {
      return sendAwsError(res, 400, "UnknownOperationException", `Unknown operation ${target || "(none)"}`);
    }
    if (!String(req.headers["content-type"] ?? "").startsWith(JSON_11)) {
      return sendAwsError(res, 400, "SerializationException", `Content-Type must be ${JSON_11}`);
    }
    const fault = faults.take(`${req.method} ${url.pathname} ${op}`, body);
    if (fault) {
      const type =
        fault.status === 400 || fault.status === 429 ? "ThrottlingException" : "ServiceUnavailableException";
      return sendAwsError(res, fault.status, type, `Injected fault (${fault.match})`);
    }
    const input = body.length ? json(body) : {};
    if (input === INVALID_JSON || typeof input !== "object" || input === null || Array.isArray(input)) {
      return sendAwsError(res, 400, "SerializationException", "Request body is not a JSON object");
    }
    try {
      const output = await operations[op](input);
      send(res, 200, output ?? {}, { "content-type": JSON_11, "x-amzn-requestid": crypto.randomUUID() });
    } catch (err) {
      if (err instanceof AwsError) return sendAwsError(res, err.status, err.type, err.message);
      throw err;
    }
  };
  return createServer(name, [...faults.routes(), ...(devRoutes ?? []), ["POST", "/", handle]]);
}

/** Epoch seconds, the JSON 1.1 timestamp format. */
export const epochSeconds = (ms = Date.now()) => Math.round(ms) / 1000;

/** Input validation like AWS: a required string member missing → 400 InvalidParameterException. */
export function requireString(input, member, type = "InvalidParameterException") {
  const v = input[member];
  if (typeof v !== "string" || v.length === 0) {
    throw new AwsError(
      400,
      type,
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}
