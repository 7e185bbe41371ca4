// Stack Auth stand-in: the project's JWKS (ES256, like Stack), access tokens for named users, and
// the two server calls we use, with the server-key headers checked like the real API.
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createFaults, guardRoutes } from "./faults.mjs";
import { createServer, INVALID_JSON, json, listen, send } from "./http.mjs";
import { githubTokens, putUser, users } from "./world.mjs";

/**
 * A Stack "known error", shaped like `KnownError` in stack-auth/stack-auth
 * `packages/stack-shared/src/known-errors.tsx`: body `{ code, details?, error }` (the
 * human-readable text is `error`), header `X-Stack-Known-Error: <code>`, and the status each
 * error class declares there (USER_NOT_FOUND is 404; the OAuth ones are 400).
 */
const known = (res, status, code, error, details) =>
  send(res, status, { code, ...(details ? { details } : {}), error }, { "x-stack-known-error": code });

/** Stack splits a `scope` string on whitespace (stack-shared `extractScopes`). */
const scopesOf = (scope) => (scope ?? "").trim().split(/\s+/).filter(Boolean);

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
  // Projects and the OAuth providers enabled in each (`POST /__dev/projects` adds one, so a test
  // can have a project without GitHub sign-in without touching the shared one).
  const projects = new Map([[projectId, { secretServerKey, oauthProviders: new Set(["github"]) }]]);

  /** Stack's refusal of a server call's server-key headers (`known`'s arguments after `res`), or null. */
  const refuseServer = ({ req }) => {
    const h = req.headers;
    const accessType = h["x-stack-access-type"];
    if (!accessType) {
      return [400, "ACCESS_TYPE_REQUIRED", "You must specify an access level for this Stack project."];
    }
    if (!["client", "server", "admin"].includes(accessType)) {
      return [
        400,
        "INVALID_ACCESS_TYPE",
        `The x-stack-access-type header must be 'client', 'server', or 'admin', but was '${accessType}'.`,
      ];
    }
    const id = h["x-stack-project-id"];
    if (!id) {
      return [
        400,
        "ACCESS_TYPE_WITHOUT_PROJECT_ID",
        "The x-stack-project-id header was not provided.",
        { request_type: accessType },
      ];
    }
    const project = projects.get(id);
    if (!project) {
      return [
        400,
        "CURRENT_PROJECT_NOT_FOUND",
        `The current project with ID ${id} was not found.`,
        { project_id: id },
      ];
    }
    if (accessType !== "server") {
      return [
        401,
        "INSUFFICIENT_ACCESS_TYPE",
        `The x-stack-access-type header must be 'server', but was '${accessType}'.`,
        { actual_access_type: accessType, allowed_access_types: ["server", "admin"] },
      ];
    }
    if (h["x-stack-secret-server-key"] !== project.secretServerKey) {
      return [
        401,
        "INVALID_SECRET_SERVER_KEY",
        `The secret server key is not valid for the project ${JSON.stringify(id)}.`,
        { project_id: id },
      ];
    }
    return null;
  };
  /** The server calls: a fault rule first (an outage answers whoever calls), then the server key. */
  const serverRoutes = (routes) =>
    guardRoutes(routes, {
      faults,
      faultsFirst: true,
      key: ({ req, url }) => `${req.method} ${url.pathname}`,
      refuse: refuseServer,
      refused: ({ res }, refusal) => known(res, ...refusal),
      failed: ({ res }, fault) =>
        send(res, fault.status, { code: "INJECTED_FAULT", error: `injected ${fault.status}` }),
    });

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
        if (!projects.has(params.project)) {
          return known(
            res,
            404,
            "PROJECT_NOT_FOUND",
            `Project ${params.project} not found or is not accessible with the current user.`,
            {
              project_id: params.project,
            },
          );
        }
        send(res, 200, { keys: [jwk] }, { "cache-control": "public, max-age=300" });
      },
    ],
    ...serverRoutes([
      [
        "GET",
        "/api/v1/users/:id",
        ({ res, params }) => {
          const u = users.get(params.id);
          if (!u) return known(res, 404, "USER_NOT_FOUND", "User not found.");
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
        // The checks in the order Stack's handler makes them (apps/backend, connected-accounts
        // `[user_id]/[provider_id]/access-token/crud.tsx`): provider enabled in the project, user,
        // connection, then a stored token holding every scope asked for. GitHub OAuth-app tokens
        // have no refresh token, so a token GitHub no longer accepts (revoked, expired) leaves
        // nothing to refresh: OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE, like a missing scope.
        "POST",
        "/api/v1/connected-accounts/:id/:provider/access-token",
        ({ req, res, params, body }) => {
          const project = projects.get(req.headers["x-stack-project-id"]);
          const b = json(body);
          if (b === INVALID_JSON)
            return known(res, 400, "BODY_PARSING_ERROR", "The request body is not valid JSON.");
          if (b !== undefined && (typeof b !== "object" || b === null || Array.isArray(b))) {
            return known(res, 400, "SCHEMA_ERROR", "body must be an object", {
              message: "body must be an object",
            });
          }
          if (b?.scope !== undefined && typeof b.scope !== "string") {
            return known(res, 400, "SCHEMA_ERROR", "body.scope must be a string", {
              message: "body.scope must be a string",
            });
          }
          if (!project.oauthProviders.has(params.provider)) {
            return known(
              res,
              400,
              "OAUTH_PROVIDER_NOT_FOUND_OR_NOT_ENABLED",
              "The OAuth provider is not found or not enabled.",
            );
          }
          const u = users.get(params.id);
          if (!u) return known(res, 404, "USER_NOT_FOUND", "User not found.");
          if (params.provider !== "github" || !u.github) {
            return known(
              res,
              400,
              "OAUTH_CONNECTION_NOT_CONNECTED_TO_USER",
              "The OAuth connection is not connected to any user.",
            );
          }
          const granted = new Set(u.github.scopes);
          const usable = githubTokens.has(u.github.token) && scopesOf(b?.scope).every((s) => granted.has(s));
          if (!usable) {
            return known(
              res,
              400,
              "OAUTH_CONNECTION_DOES_NOT_HAVE_REQUIRED_SCOPE",
              "The OAuth connection does not have the required scope.",
            );
          }
          send(res, 201, { access_token: u.github.token });
        },
      ],
    ]),
    // Test and dev controls (not part of Stack's API).
    ...faults.routes(),
    [
      "POST",
      "/__dev/projects",
      ({ res, body }) => {
        const b = json(body);
        if (!b?.id || !b?.secretServerKey)
          return send(res, 400, { error: "id and secretServerKey required" });
        projects.set(b.id, {
          secretServerKey: b.secretServerKey,
          oauthProviders: new Set(b.oauthProviders ?? ["github"]),
        });
        send(res, 201, { id: b.id });
      },
    ],
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
