// GitHub REST v3 stand-in. Every call needs the auth the real API needs: identity endpoints with a
// user's token, App endpoints with the App's JWT, repositories and git data with an installation
// token (its own org only) or a user token (the user's own account and orgs).
import { generateKeyPairSync } from "node:crypto";
import { guardRoutes } from "./faults.mjs";
import { createAppAuth } from "./github-auth.mjs";
import { flatten } from "./github-git.mjs";
import { gitRoutes } from "./github-gitdata.mjs";
import { orgRoutes } from "./github-orgs.mjs";
import { exchangeRoutes, recordExchange } from "./github-record.mjs";
import {
  advanceRef,
  apiBase,
  createRepoStore,
  ghError,
  hashId,
  repoAccess,
  repoJson,
  repoRoutes,
} from "./github-repos.mjs";
import { organizationSimple, privateUser, simpleUser } from "./github-shapes.mjs";
import { createServer, INVALID_JSON, json, listen, send } from "./http.mjs";
import { githubTokens, githubUser } from "./world.mjs";

export { hashId };

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
      send(
        res,
        200,
        privateUser(apiBase(req), {
          login: u.github.login,
          id: hashId(u.github.login),
          name: u.displayName,
          email: u.email,
          createdAt: "2020-01-01T00:00:00Z",
        }),
      );
    },
  ],
  [
    "GET",
    "/user/memberships/orgs/:org",
    ({ req, res, params }) => {
      const u = requireUser(req, res);
      if (!u) return;
      if (!u.github.orgs.includes(params.org)) return ghError(res, 404, "Not Found");
      const base = apiBase(req);
      send(res, 200, {
        url: `${base}/orgs/${params.org}/memberships/${u.github.login}`,
        state: "active",
        role: "member",
        organization_url: `${base}/orgs/${params.org}`,
        organization: organizationSimple(base, params.org, hashId(params.org)),
        user: simpleUser(base, u.github.login, hashId(u.github.login)),
      });
    },
  ],
];

function appRoutes({ auth, store, appId }) {
  const installationJson = (i, base = "https://api.github.com") => ({
    id: i.id,
    account: simpleUser(base, i.org, hashId(i.org), "Organization"),
    app_id: Number(appId),
    app_slug: "appbuilder",
    target_id: hashId(i.org),
    target_type: "Organization",
    single_file_name: null,
    repository_selection: "all",
    access_tokens_url: `${base}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `https://github.com/organizations/${i.org}/settings/installations/${i.id}`,
    events: [],
    permissions: { administration: "write", contents: "write", metadata: "read" },
    created_at: "2024-01-01T00:00:00Z",
    updated_at: "2024-01-01T00:00:00Z",
    suspended_by: null,
    suspended_at: null,
  });
  // App endpoints take the App's JWT and nothing else.
  const asApp = (fn) => async (ctx) => {
    const p = await auth.principal(ctx.req);
    if (p.error) return ghError(ctx.res, 401, p.error);
    if (p.kind !== "app") return ghError(ctx.res, 401, "A JSON web token could not be decoded");
    return fn(ctx);
  };
  const found = (req, res, i) =>
    i ? send(res, 200, installationJson(i, apiBase(req))) : ghError(res, 404, "Not Found");
  return [
    [
      "GET",
      "/orgs/:org/installation",
      asApp(({ req, res, params }) => found(req, res, auth.installationOf(params.org))),
    ],
    [
      "GET",
      "/repos/:owner/:repo/installation",
      asApp(({ req, res, params }) => {
        const i = auth.installationOf(params.owner);
        found(req, res, i && store.get(params.owner, params.repo) ? i : undefined);
      }),
    ],
    [
      "POST",
      "/app/installations/:id/access_tokens",
      asApp(({ res, params }) => {
        const i = auth.installationById(Number(params.id));
        if (!i) return ghError(res, 404, "Not Found");
        const { token, expiresAt } = auth.issueToken(i);
        send(res, 201, {
          token,
          expires_at: expiresAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: installationJson(i).permissions,
          repository_selection: "all",
        });
      }),
    ],
  ];
}

/**
 * Injected failures: `{ match: "POST /repos/o/r/git/commits", status, times, headers?, body?, after?,
 * advanceRef?, bodyIncludes? }`. `match` is "METHOD path" where `*` stands for one path segment and
 * `...` for any run of them; `bodyIncludes` limits the rule to requests whose body holds that text.
 * `after: true` lets the call succeed on the server and then answers the failure (a lost response);
 * `advanceRef: "heads/main"` moves that branch by a concurrent commit first and then lets the call run;
 * `delayMs` holds the call that long and then lets it run (a hanging GitHub).
 */
function createFaults() {
  const rules = [];
  const toRegExp = (match) => {
    const [method, path = ""] = match.split(" ");
    const quote = (t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const segs = path.split("/").map((seg) => (seg === "..." ? ".+" : seg === "*" ? "[^/]+" : quote(seg)));
    return new RegExp(`^${quote(method)} ${segs.join("/")}$`);
  };
  return {
    add(rule) {
      rules.push({ ...rule, rx: toRegExp(rule.match), left: rule.times ?? 1 });
    },
    clear: () => rules.splice(0),
    /** The rule for "METHOD path" (guardRoutes' key) and the request body, using one of its shots. */
    take(key, body) {
      const rule = rules.find(
        (r) =>
          r.left > 0 && r.rx.test(key) && (!r.bodyIncludes || body.toString("utf8").includes(r.bodyIncludes)),
      );
      if (rule) rule.left -= 1;
      return rule;
    },
  };
}

const failBody = (rule) => rule.body ?? { message: rule.status >= 500 ? "Server Error" : "Injected failure" };

/** Answers a fault rule that matched; a delay (held by guardRoutes) or an advanced ref lets the call run. */
function failWith(store) {
  return async (ctx, rule, handler) => {
    if (rule.delayMs) return handler(ctx);
    if (rule.advanceRef) {
      const repo = store.get(ctx.params.owner ?? "", ctx.params.repo ?? "");
      if (repo) advanceRef(repo, `refs/${rule.advanceRef}`);
      return handler(ctx);
    }
    if (rule.after) {
      const sink = { headersSent: false, writeHead() {}, end() {} };
      await handler({ ...ctx, res: sink });
    }
    send(ctx.res, rule.status, failBody(rule), rule.headers ?? {});
  };
}

function devRoutes({ store, auth, faults, privateKeyPem }) {
  return [
    [
      "GET",
      "/__dev/app-private-key",
      ({ res }) => send(res, 200, privateKeyPem, { "content-type": "text/plain" }),
    ],
    [
      "POST",
      "/__dev/installations",
      ({ res, body }) => {
        const b = json(body);
        if (!b?.org) return send(res, 400, { error: "org required" });
        send(res, 201, { id: auth.install(b.org).id });
      },
    ],
    [
      "POST",
      "/__dev/clash",
      ({ req, res, body }) => {
        const b = json(body);
        if (!b?.owner || !b?.name) return send(res, 400, { error: "owner and name required" });
        if (store.get(b.owner, b.name)) return send(res, 409, { error: "exists" });
        const repo = store.create({
          owner: b.owner,
          ownerType: b.ownerType ?? "Organization",
          name: b.name,
          isPrivate: true,
          autoInit: true,
          author: { name: "Someone Else", email: "someone@example.com" },
        });
        send(res, 201, repoJson(req, repo, null));
      },
    ],
    [
      "POST",
      "/__dev/fail",
      ({ res, body }) => {
        const b = json(body);
        if (b === INVALID_JSON || typeof b?.match !== "string" || !(b.status || b.delayMs || b.advanceRef)) {
          return send(res, 400, { error: "match and one of status, delayMs, advanceRef required" });
        }
        faults.add(b);
        send(res, 204);
      },
    ],
    [
      "DELETE",
      "/__dev/fail",
      ({ res }) => {
        faults.clear();
        send(res, 204);
      },
    ],
    [
      "GET",
      "/__dev/repos/:owner/:repo/export",
      ({ res, params, url }) => {
        const repo = store.get(params.owner, params.repo);
        if (!repo) return send(res, 404, { error: "no such repository" });
        const head = repo.refs.get(`refs/heads/${url.searchParams.get("ref") ?? "main"}`);
        if (!head) return send(res, 200, { files: [], commits: [] });
        const files = [...flatten(repo.objects, repo.objects.get(head).tree)]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([path, e]) => ({
            path,
            mode: e.mode,
            content: repo.objects.get(e.sha).body.toString("base64"),
          }));
        const commits = [];
        for (let sha = head; sha; sha = repo.objects.get(sha).parents[0]) {
          const c = repo.objects.get(sha);
          commits.push({ sha, message: c.message, parents: c.parents, tree: c.tree });
        }
        send(res, 200, {
          archived: repo.archived,
          private: repo.private,
          homepage: repo.homepage,
          description: repo.description,
          files,
          commits,
        });
      },
    ],
  ];
}

/**
 * @param {{ port?: number, appId?: string, privateKeyPem?: string, publicKeyPem?: string,
 *   installedOrgs?: string[] }} opts  Without a key pair the stand-in makes one and serves the
 *   private key (PKCS#1 PEM, as GitHub issues them) at GET /__dev/app-private-key.
 */
export async function startGitHub({
  port = 0,
  appId = "1001",
  privateKeyPem,
  publicKeyPem,
  installedOrgs = ["appbuilder-apps"],
} = {}) {
  if (!privateKeyPem || !publicKeyPem) {
    ({ privateKey: privateKeyPem, publicKey: publicKeyPem } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    }));
  }
  const auth = createAppAuth({ appId, publicKeyPem, installedOrgs });
  const store = createRepoStore();
  const access = repoAccess({ auth, store });
  const faults = createFaults();
  const api = [
    ...identityRoutes,
    ...orgRoutes({ auth }),
    ...appRoutes({ auth, store, appId }),
    ...repoRoutes({ store, access }),
    ...gitRoutes({ access }),
  ];
  const exchanges = [];
  const server = createServer("github", [
    // Every exchange is recorded, fault answers included; auth is each route's own (it differs by route).
    ...guardRoutes(api, {
      faults,
      key: ({ req, url }) => `${req.method} ${url.pathname}`,
      before: recordExchange(exchanges),
      delays: true,
      failed: failWith(store),
    }),
    ...devRoutes({ store, auth, faults, privateKeyPem }),
    ...exchangeRoutes(exchanges),
  ]);
  const handle = await listen(server, port);
  return { ...handle, appId, privateKeyPem };
}
