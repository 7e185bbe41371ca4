// The git data API on the stand-in: blobs, trees, commits and refs, with real object ids, the 409 of
// an empty repository, and fast-forward-only ref updates unless `force`.
import {
  apiMode,
  buildTree,
  flatten,
  isAncestor,
  isBlobMode,
  listRecursive,
  putBlob,
  putCommit,
} from "./github-git.mjs";
import { apiBase, ghError, identityOf, isoSeconds } from "./github-repos.mjs";
import { send } from "./http.mjs";

const SHA = /^[0-9a-f]{40}$/;

/** A path GitHub accepts in a tree: relative, no empty, "." or ".." component, nothing inside .git. */
function validPath(path) {
  if (typeof path !== "string" || path === "") return false;
  return path
    .split("/")
    .every((seg) => seg !== "" && seg !== "." && seg !== ".." && seg.toLowerCase() !== ".git");
}

function urls(req, repo) {
  const base = `${apiBase(req)}/repos/${repo.owner}/${repo.name}`;
  return { base, html: `https://github.com/${repo.owner}/${repo.name}` };
}

export function commitJson(req, repo, sha) {
  const c = repo.objects.get(sha);
  const { base, html } = urls(req, repo);
  return {
    sha,
    node_id: `C_${sha.slice(0, 20)}`,
    url: `${base}/git/commits/${sha}`,
    html_url: `${html}/commit/${sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${base}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${base}/git/commits/${p}`,
      html_url: `${html}/commit/${p}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

function refJson(req, repo, ref) {
  const sha = repo.refs.get(ref);
  const { base } = urls(req, repo);
  return {
    ref,
    node_id: `REF_${Buffer.from(ref).toString("base64url")}`,
    url: `${base}/git/${ref}`,
    object: { type: "commit", sha, url: `${base}/git/commits/${sha}` },
  };
}

function treeEntryJson(req, repo, e) {
  const { base } = urls(req, repo);
  const out = { path: e.path ?? e.name, mode: apiMode(e.mode), type: e.type, sha: e.sha };
  if (e.type === "blob") out.size = repo.objects.get(e.sha).body.length;
  out.url = `${base}/git/${e.type === "blob" ? "blobs" : "trees"}/${e.sha}`;
  return out;
}

/** Applies the entries of a create-tree request to `flat` (path -> { mode, sha }); an error text or null. */
function applyEntries(repo, flat, entries) {
  for (const e of entries) {
    if (!e || !validPath(e.path)) return "tree.path contains a malformed path component";
    const hasSha = Object.hasOwn(e, "sha");
    const hasContent = typeof e.content === "string";
    if (hasSha === hasContent) {
      return "Must supply either tree.sha or tree.content. Request will be rejected if both are present.";
    }
    const under = `${e.path}/`;
    if (hasSha && e.sha === null) {
      const inside = [...flat.keys()].filter((k) => k.startsWith(under));
      if (!flat.has(e.path) && inside.length === 0) return `tree.path ${e.path} does not exist in base_tree`;
      flat.delete(e.path);
      for (const k of inside) flat.delete(k);
      continue;
    }
    if (e.type === "tree" && hasSha) {
      const sub = repo.objects.get(e.sha);
      if (sub?.type !== "tree") return `tree.sha ${e.sha} is not a valid tree`;
      for (const k of [...flat.keys()]) if (k.startsWith(under)) flat.delete(k);
      for (const [p, v] of flatten(repo.objects, e.sha)) flat.set(under + p, v);
      continue;
    }
    if (e.type !== "blob" || !isBlobMode(e.mode)) return "Invalid tree info";
    if (hasContent) {
      flat.set(e.path, { mode: e.mode, sha: putBlob(repo.objects, Buffer.from(e.content, "utf8")) });
    } else {
      if (repo.objects.get(e.sha)?.type !== "blob") return `tree.sha ${e.sha} is not a valid blob`;
      flat.set(e.path, { mode: e.mode, sha: e.sha });
    }
  }
  return null;
}

/** A tree-ish (tree sha, commit sha or branch name) → tree sha, or undefined. */
function resolveTree(repo, ish) {
  const byRef = repo.refs.get(`refs/heads/${ish}`);
  const obj = repo.objects.get(byRef ?? ish);
  if (obj?.type === "tree") return byRef ?? ish;
  if (obj?.type === "commit") return obj.tree;
  return undefined;
}

export function gitRoutes({ access }) {
  const R = "/repos/:owner/:repo/git";
  // The git database of a repository without commits answers 409 to every call, as GitHub does.
  const git = (write, fn) =>
    access.withRepo(write, (ctx) => {
      if (ctx.repo.refs.size === 0) return ghError(ctx.res, 409, "Git Repository is empty.");
      if (write) ctx.repo.pushedAt = isoSeconds();
      return fn(ctx);
    });

  return [
    [
      "POST",
      `${R}/blobs`,
      git(true, ({ req, res, repo, json: b }) => {
        if (typeof b.content !== "string")
          return ghError(res, 422, 'Invalid request.\n\n"content" wasn\'t supplied.');
        const encoding = b.encoding ?? "utf-8";
        if (encoding !== "utf-8" && encoding !== "base64") return ghError(res, 422, "Invalid encoding");
        const sha = putBlob(repo.objects, Buffer.from(b.content, encoding === "base64" ? "base64" : "utf8"));
        send(res, 201, { url: `${urls(req, repo).base}/git/blobs/${sha}`, sha });
      }),
    ],
    [
      "GET",
      `${R}/blobs/:sha`,
      git(false, ({ req, res, repo, params }) => {
        const blob = repo.objects.get(params.sha);
        if (blob?.type !== "blob") return ghError(res, 404, "Not Found");
        const content = blob.body.toString("base64").replace(/.{60}/g, "$&\n");
        send(res, 200, {
          sha: params.sha,
          node_id: `B_${params.sha.slice(0, 20)}`,
          size: blob.body.length,
          url: `${urls(req, repo).base}/git/blobs/${params.sha}`,
          content,
          encoding: "base64",
        });
      }),
    ],
    [
      "GET",
      `${R}/trees/:sha`,
      git(false, ({ req, res, repo, params, url }) => {
        const sha = resolveTree(repo, params.sha);
        if (!sha) return ghError(res, 404, "Not Found");
        const recursive = url.searchParams.has("recursive");
        const entries = recursive ? listRecursive(repo.objects, sha) : repo.objects.get(sha).entries;
        send(res, 200, {
          sha,
          url: `${urls(req, repo).base}/git/trees/${sha}`,
          tree: entries.map((e) => treeEntryJson(req, repo, e)),
          truncated: false,
        });
      }),
    ],
    [
      "POST",
      `${R}/trees`,
      git(true, ({ req, res, repo, json: b }) => {
        if (!Array.isArray(b.tree)) return ghError(res, 422, 'Invalid request.\n\n"tree" wasn\'t supplied.');
        let flat = new Map();
        if (b.base_tree !== undefined && b.base_tree !== null) {
          if (repo.objects.get(b.base_tree)?.type !== "tree") return ghError(res, 422, "Invalid tree info");
          flat = flatten(repo.objects, b.base_tree);
        }
        const problem = applyEntries(repo, flat, b.tree);
        if (problem) return ghError(res, 422, problem);
        let sha;
        try {
          sha = buildTree(repo.objects, flat);
        } catch (err) {
          return ghError(res, 422, `GitRPC::BadObjectState: ${err.message}`);
        }
        send(res, 201, {
          sha,
          url: `${urls(req, repo).base}/git/trees/${sha}`,
          tree: repo.objects.get(sha).entries.map((e) => treeEntryJson(req, repo, e)),
          truncated: false,
        });
      }),
    ],
    [
      "POST",
      `${R}/commits`,
      git(true, ({ req, res, repo, p, json: b }) => {
        if (typeof b.message !== "string")
          return ghError(res, 422, 'Invalid request.\n\n"message" wasn\'t supplied.');
        if (repo.objects.get(b.tree)?.type !== "tree") return ghError(res, 422, "Tree SHA does not exist");
        const parents = b.parents ?? [];
        if (!Array.isArray(parents) || parents.some((s) => repo.objects.get(s)?.type !== "commit")) {
          return ghError(res, 422, "Parent SHA does not exist or is not a commit object");
        }
        const date = isoSeconds();
        const author = { ...identityOf(p), date, ...b.author };
        const committer = { ...author, ...b.committer };
        const sha = putCommit(repo.objects, { tree: b.tree, parents, author, committer, message: b.message });
        send(res, 201, commitJson(req, repo, sha));
      }),
    ],
    [
      "GET",
      `${R}/commits/:sha`,
      git(false, ({ req, res, repo, params }) => {
        if (repo.objects.get(params.sha)?.type !== "commit") return ghError(res, 404, "Not Found");
        send(res, 200, commitJson(req, repo, params.sha));
      }),
    ],
    ...["ref", "refs"].map((seg) => [
      "GET",
      `${R}/${seg}/*ref`,
      git(false, ({ req, res, repo, params }) => {
        const ref = `refs/${params.ref}`;
        if (!repo.refs.has(ref)) return ghError(res, 404, "Not Found");
        send(res, 200, refJson(req, repo, ref));
      }),
    ]),
    [
      "PATCH",
      `${R}/refs/*ref`,
      git(true, ({ req, res, repo, params, json: b }) => {
        const ref = `refs/${params.ref}`;
        const current = repo.refs.get(ref);
        if (!current) return ghError(res, 422, "Reference does not exist");
        if (typeof b.sha !== "string" || repo.objects.get(b.sha)?.type !== "commit") {
          return ghError(res, 422, "Object does not exist");
        }
        if (b.force !== true && !isAncestor(repo.objects, current, b.sha)) {
          return ghError(res, 422, "Update is not a fast forward");
        }
        repo.refs.set(ref, b.sha);
        send(res, 200, refJson(req, repo, ref));
      }),
    ],
    [
      "POST",
      `${R}/refs`,
      git(true, ({ req, res, repo, json: b }) => {
        if (typeof b.ref !== "string" || !/^refs\/[^/]+\/.+/.test(b.ref)) {
          return ghError(res, 422, "Reference name must start with 'refs/' and have at least two slashes.");
        }
        if (!SHA.test(b.sha ?? "") || repo.objects.get(b.sha)?.type !== "commit") {
          return ghError(res, 422, "Object does not exist");
        }
        if (repo.refs.has(b.ref)) return ghError(res, 422, "Reference already exists");
        repo.refs.set(b.ref, b.sha);
        send(res, 201, refJson(req, repo, b.ref));
      }),
    ],
  ];
}
