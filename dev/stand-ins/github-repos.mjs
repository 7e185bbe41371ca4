// Repositories on the GitHub stand-in: create (org / user), read, update (homepage, archive), with
// GitHub's answers for a name clash, an archived repository and a repository the caller may not see.
import { randomBytes } from "node:crypto";
import { mayUseOwner } from "./github-auth.mjs";
import { buildTree, createStore, flatten, putBlob, putCommit } from "./github-git.mjs";
import { repositoryDefaults, repositoryUrls, simpleUser } from "./github-shapes.mjs";
import { INVALID_JSON, json, send } from "./http.mjs";
// GitHub's error body: the message, a documentation link and the status as a string.
export const ghError = (res, status, message, extra = {}) =>
  send(res, status, {
    message,
    documentation_url: "https://docs.github.com/rest",
    status: String(status),
    ...extra,
  });

export const apiBase = (req) => `http://${req.headers.host}`;
const repoKey = (owner, name) => `${owner.toLowerCase()}/${name.toLowerCase()}`;
export const isoSeconds = (ms = Date.now()) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export function hashId(s) {
  let h = 7;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) % 2_000_000_000;
  return h;
}

/** The commit identity GitHub uses for a caller that does not name one. */
export function identityOf(p) {
  if (p.kind === "user") {
    const login = p.user.github.login;
    return { name: p.user.displayName ?? login, email: `${hashId(login)}+${login}@users.noreply.github.com` };
  }
  return { name: "appbuilder[bot]", email: "1001+appbuilder[bot]@users.noreply.github.com" };
}

export function createRepoStore() {
  const repos = new Map();
  let nextId = 900_000;

  function create({ owner, ownerType, name, description, homepage, isPrivate, autoInit, author }) {
    const now = isoSeconds();
    const repo = {
      id: nextId++,
      owner,
      ownerType,
      name,
      description: description ?? null,
      homepage: homepage ?? null,
      private: isPrivate,
      archived: false,
      createdAt: now,
      updatedAt: now,
      pushedAt: now,
      objects: createStore(),
      refs: new Map(),
    };
    if (autoInit) {
      const readme = `# ${name}\n${description ? `${description}\n` : ""}`;
      const blob = putBlob(repo.objects, Buffer.from(readme));
      const tree = buildTree(repo.objects, new Map([["README.md", { mode: "100644", sha: blob }]]));
      const who = { ...author, date: now };
      const sha = putCommit(repo.objects, {
        tree,
        parents: [],
        author: who,
        committer: who,
        message: "Initial commit",
      });
      repo.refs.set("refs/heads/main", sha);
    }
    repos.set(repoKey(owner, name), repo);
    return repo;
  }

  return { create, get: (owner, name) => repos.get(repoKey(owner, name)) };
}

export function repoJson(req, r, p) {
  const full = `${r.owner}/${r.name}`;
  const canWrite = p ? mayUseOwner(p, r.owner) : false;
  const owner = simpleUser(apiBase(req), r.owner, hashId(r.owner), r.ownerType);
  return {
    ...repositoryUrls(apiBase(req), full),
    ...repositoryDefaults,
    id: r.id,
    node_id: `R_${Buffer.from(String(r.id)).toString("base64url")}`,
    name: r.name,
    full_name: full,
    private: r.private,
    visibility: r.private ? "private" : "public",
    owner,
    ...(r.ownerType === "Organization" ? { organization: owner } : {}),
    html_url: `https://github.com/${full}`,
    description: r.description,
    fork: false,
    homepage: r.homepage,
    archived: r.archived,
    disabled: false,
    default_branch: "main",
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    pushed_at: r.pushedAt,
    permissions: { admin: canWrite, maintain: canWrite, push: canWrite, triage: canWrite, pull: canWrite },
  };
}

const creationFailed = (res, error) =>
  ghError(res, 422, "Repository creation failed.", { errors: [{ resource: "Repository", ...error }] });

/** The caller (or an answered 401) and a wrapper that resolves the repository of a route. */
export function repoAccess({ auth, store }) {
  async function caller(req, res) {
    const p = await auth.principal(req);
    if (p.error) return void ghError(res, 401, p.error);
    if (p.kind === "none") return void ghError(res, 401, "Requires authentication");
    return p;
  }

  /** Runs `fn` with the repository when the caller may use it; archived ones refuse writes. */
  const withRepo = (write, fn) => async (ctx) => {
    const { req, res, params } = ctx;
    const p = await caller(req, res);
    if (!p) return;
    if (p.kind === "app") return ghError(res, 403, "Resource not accessible by integration");
    const repo = store.get(params.owner, params.repo);
    if (!repo || !mayUseOwner(p, repo.owner)) return ghError(res, 404, "Not Found");
    const b = json(ctx.body);
    if (b === INVALID_JSON) return ghError(res, 400, "Problems parsing JSON");
    if (write && repo.archived && !(b && b.archived === false)) {
      return ghError(res, 403, "Repository was archived so is read-only.");
    }
    return fn({ ...ctx, p, repo, json: b ?? {} });
  };
  return { caller, withRepo };
}

export function repoRoutes({ store, access }) {
  const { caller, withRepo } = access;

  function createRepo(req, res, p, owner, ownerType, body) {
    const b = json(body);
    if (b === INVALID_JSON) return ghError(res, 400, "Problems parsing JSON");
    if (typeof b?.name !== "string" || !b.name) {
      return creationFailed(res, { code: "missing_field", field: "name" });
    }
    // GitHub replaces every run of characters it does not allow with a hyphen.
    const name = b.name.replace(/[^A-Za-z0-9._-]+/g, "-");
    if (name.length > 100) {
      return creationFailed(res, {
        code: "custom",
        field: "name",
        message: "name is too long (maximum is 100 characters)",
      });
    }
    if (store.get(owner, name)) {
      return creationFailed(res, {
        code: "custom",
        field: "name",
        message: "name already exists on this account",
      });
    }
    const repo = store.create({
      owner,
      ownerType,
      name,
      description: b.description,
      homepage: b.homepage,
      isPrivate: b.private ?? false,
      autoInit: b.auto_init === true,
      author: identityOf(p),
    });
    send(res, 201, repoJson(req, repo, p));
  }

  return [
    [
      "POST",
      "/orgs/:org/repos",
      async ({ req, res, params, body }) => {
        const p = await caller(req, res);
        if (!p) return;
        if (p.kind === "app" || (p.kind === "installation" && !mayUseOwner(p, params.org))) {
          return ghError(res, 403, "Resource not accessible by integration");
        }
        if (!mayUseOwner(p, params.org)) return ghError(res, 404, "Not Found");
        createRepo(req, res, p, params.org, "Organization", body);
      },
    ],
    [
      "POST",
      "/user/repos",
      async ({ req, res, body }) => {
        const p = await caller(req, res);
        if (!p) return;
        if (p.kind !== "user") return ghError(res, 403, "Resource not accessible by integration");
        createRepo(req, res, p, p.user.github.login, "User", body);
      },
    ],
    [
      "GET",
      "/repos/:owner/:repo",
      withRepo(false, ({ req, res, p, repo }) => send(res, 200, repoJson(req, repo, p))),
    ],
    [
      "PATCH",
      "/repos/:owner/:repo",
      withRepo(true, ({ req, res, p, repo, json: b }) => {
        for (const [field, key] of [
          ["description", "description"],
          ["homepage", "homepage"],
          ["private", "private"],
          ["archived", "archived"],
        ]) {
          if (b[field] !== undefined) repo[key] = b[field];
        }
        repo.updatedAt = isoSeconds();
        send(res, 200, repoJson(req, repo, p));
      }),
    ],
  ];
}

/** A commit by someone else on top of `ref`: what a concurrent push looks like to us. */
export function advanceRef(repo, ref) {
  const head = repo.refs.get(ref);
  if (!head) return;
  const headCommit = repo.objects.get(head);
  const blob = putBlob(repo.objects, Buffer.from(`changed elsewhere ${randomBytes(4).toString("hex")}\n`));
  const flat = flatten(repo.objects, headCommit.tree);
  flat.set("CONCURRENT.md", { mode: "100644", sha: blob });
  const who = { name: "Someone Else", email: "someone@example.com", date: isoSeconds() };
  const sha = putCommit(repo.objects, {
    tree: buildTree(repo.objects, flat),
    parents: [head],
    author: who,
    committer: who,
    message: "A concurrent change",
  });
  repo.refs.set(ref, sha);
}
