// What the ECR and CodeBuild stand-ins share: SigV4 verification with the right credential scope,
// answered as those services answer, and the AWS JSON 1.1 protocol (POST / with X-Amz-Target, errors as { __type, message }).
import { createFaults, guardRoutes } from "./faults.mjs";
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
  const target = (req) => String(req.headers["x-amz-target"] ?? "");
  const operation = (req) =>
    target(req).startsWith(`${targetPrefix}.`) ? target(req).slice(targetPrefix.length + 1) : "";
  // What the service refuses before any operation runs: a name it does not serve, another protocol.
  const unserved = (req) => {
    if (!Object.hasOwn(operations, operation(req))) {
      return new AwsError(400, "UnknownOperationException", `Unknown operation ${target(req) || "(none)"}`);
    }
    if (!String(req.headers["content-type"] ?? "").startsWith(JSON_11)) {
      return new AwsError(400, "SerializationException", `Content-Type must be ${JSON_11}`);
    }
    return null;
  };
  const handle = async ({ req, res, body }) => {
    const input = body.length ? json(body) : {};
    if (input === INVALID_JSON || typeof input !== "object" || input === null || Array.isArray(input)) {
      return sendAwsError(res, 400, "SerializationException", "Request body is not a JSON object");
    }
    try {
      const output = await operations[operation(req)](input);
      send(res, 200, output ?? {}, { "content-type": JSON_11, "x-amzn-requestid": crypto.randomUUID() });
    } catch (err) {
      if (err instanceof AwsError) return sendAwsError(res, err.status, err.type, err.message);
      throw err;
    }
  };
  const api = guardRoutes([["POST", "/", handle]], {
    faults,
    // The operation is part of the key, so a rule can name one call of the service.
    key: ({ req, url }) => `${req.method} ${url.pathname} ${operation(req)}`,
    refuse: ({ req, body }) => verifyJsonSigV4(req, body, { credentials, region, service }) ?? unserved(req),
    refused: ({ res }, error) => sendAwsError(res, error.status, error.type, error.message),
    failed: ({ res }, fault) => {
      const type =
        fault.status === 400 || fault.status === 429 ? "ThrottlingException" : "ServiceUnavailableException";
      sendAwsError(res, fault.status, type, `Injected fault (${fault.match})`);
    },
  });
  return createServer(name, [...faults.routes(), ...(devRoutes ?? []), ...api]);
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
