// Stack Auth stand-in: the project's JWKS (ES256, like Stack), access tokens for named users, and
// the two server calls we use, with the server-key headers checked like the real API.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createFaults } from "./faults.mjs";
import { createServer, json, listen, send } from "./http.mjs";
import { putUser, users } from "./world.mjs";

const known = (res, status, code, error) =>
  send(res, status, { code, error }, { "x-stack-known-error": code });

export async function startStack({
  port = 0,
  projectId = "dev-project",
  secretServerKey = "dev-server-key",
} = {}) {
  const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
  const kid = `dev-${Date.now().toString(36)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  let baseUrl = "";
  // `POST /__dev/fail { match: "GET /api/v1/users/<id>", status: 503 }` makes that user's next
  // server call fail: an outage scoped to one test's user.
  const faults = createFaults();

  const checkServer = (req, res) => {
    const fault = faults.take(`${req.method} ${new URL(req.url, "http://x").pathname}`);
    if (fault) {
      send(res, fault.status, { code: "INJECTED_FAULT", error: `injected ${fault.status}` });
      return false;
    }
    const h = req.headers;
    if (h["x-stack-access-type"] !== "server") {
      known(res, 401, "ACCESS_TYPE_REQUIRED", "x-stack-access-type: server is required");
      return false;
    }
    if (h["x-stack-project-id"] !== projectId) {
      known(res, 400, "INVALID_PROJECT_ID", "Unknown project");
      return false;
    }
    if (h["x-stack-secret-server-key"] !== secretServerKey) {
      known(res, 401, "INVALID_SECRET_SERVER_KEY", "The secret server key is invalid");
      return false;
    }
    return true;
  };

  async function mint({ userId, expiresIn = 3600, claims = {}, omit = [] }) {
    const user = users.get(userId);
    const payload = {
      sub: userId,
      project_id: projectId,
      branch_id: "main",
      refresh_token_id: crypto.randomUUID(),
      role: "authenticated",
      name: user?.displayName ?? null,
      email: user?.email ?? null,
      email_verified: user?.emailVerified ?? false,
      selected_team_id: null,
      is_anonymous: false,
      iss: `${baseUrl}/api/v1/projects/${projectId}`,
      aud: projectId,
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + expiresIn,
      ...claims,
    };
    for (const k of omit) delete payload[k];
    return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid, typ: "JWT" }).sign(privateKey);
  }

  const server = createServer("stack", [
    [
      "GET",
      "/api/v1/projects/:project/.well-known/jwks.json",
      ({ res, params }) => {
        if (params.project !== projectId) return known(res, 404, "PROJECT_NOT_FOUND", "Unknown project");
        send(res, 200, { keys: [jwk] }, { "cache-control": "public, max-age=300" });
      },
    ],
    [
      "GET",
      "/api/v1/users/:id",
      ({ req, res, params }) => {
        if (!checkServer(req, res)) return;
        const u = users.get(params.id);
        if (!u) return known(res, 404, "USER_NOT_FOUND", "User not found");
        send(res, 200, {
          id: u.id,
          primary_email: u.email,
          primary_email_verified: u.emailVerified,
          display_name: u.displayName,
          oauth_providers: u.github ? [{ id: "github", account_id: u.github.login, email: u.email }] : [],
          is_anonymous: false,
          signed_up_at_millis: 0,
        });
      },
    ],
    [
      "POST",
      "/api/v1/connected-accounts/:id/github/access-token",
      ({ req, res, params, body }) => {
        if (!checkServer(req, res)) return;
        if (json(body) === Symbol.for("invalid-json")) return known(res, 400, "SCHEMA_ERROR", "Invalid JSON");
        const u = users.get(params.id);
        if (!u) return known(res, 404, "USER_NOT_FOUND", "User not found");
        if (!u.github) {
          return known(
            res,
            400,
            "OAUTH_CONNECTION_NOT_CONNECTED_TO_USER",
            "The user has no GitHub connection",
          );
        }
        send(res, 201, { access_token: u.github.token });
      },
    ],
    // Test and dev controls (not part of Stack's API).
    ...faults.routes(),
    [
      "POST",
      "/__dev/users",
      ({ res, body }) => {
        const u = json(body);
        if (!u?.id) return send(res, 400, { error: "id required" });
        send(res, 201, putUser(u));
      },
    ],
    [
      "POST",
      "/__dev/token",
      async ({ res, body }) => {
        const b = json(body) ?? {};
        if (!b.userId) return send(res, 400, { error: "userId required" });
        send(res, 200, { accessToken: await mint(b) });
      },
    ],
  ]);
  const handle = await listen(server, port);
  baseUrl = handle.url;
  return { ...handle, projectId, secretServerKey, mint };
}
