// GitHub REST v3 stand-in. Every call needs the auth the real API needs; identity endpoints here,
// repository and git data endpoints alongside.
import { createServer, listen, send } from "./http.mjs";
import { githubTokens, githubUser } from "./world.mjs";

const ghError = (res, status, message) =>
  send(res, status, { message, documentation_url: "https://docs.github.com/rest" });

/** Resolves the caller: a user token (`token X` / `Bearer X`) known to the world, else null. */
export function userFromRequest(req) {
  const m = /^(?:token|bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m) return null;
  const login = githubTokens.get(m[1]);
  return login ? githubUser(login) : null;
}

function requireUser(req, res) {
  const u = userFromRequest(req);
  if (!u) {
    ghError(res, 401, "Bad credentials");
    return null;
  }
  return u;
}

const identityRoutes = [
  [
    "GET",
    "/user",
    ({ req, res }) => {
      const u = requireUser(req, res);
      if (!u) return;
      send(res, 200, {
        login: u.github.login,
        id: hashId(u.github.login),
        type: "User",
        name: u.displayName,
        email: u.email,
      });
    },
  ],
  [
    "GET",
    "/user/memberships/orgs/:org",
    ({ req, res, params }) => {
      const u = requireUser(req, res);
      if (!u) return;
      if (!u.github.orgs.includes(params.org)) return ghError(res, 404, "Not Found");
      send(res, 200, {
        state: "active",
        role: "member",
        organization: { login: params.org },
        user: { login: u.github.login },
      });
    },
  ],
];

export function hashId(s) {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h;
}

export async function startGitHub({ port = 0 } = {}) {
  const server = createServer("github", [...identityRoutes]);
  return listen(server, port);
}
