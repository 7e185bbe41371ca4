// The people the stand-ins know about, shared by Stack and GitHub (one process, one world).
// Tests register their own users through Stack's /__dev/users.

// id -> { id, email, emailVerified, displayName, github: { login, token, orgs, scopes } | null }
export const users = new Map();
export const githubTokens = new Map(); // token -> login, for the tokens GitHub accepts

// What a GitHub connection grants when nothing else is said: Stack's GitHub provider asks for
// `user:email` only, which can neither create repositories (`repo`) nor read private org
// membership (`read:org`).
const DEFAULT_GITHUB_SCOPES = ["user:email"];

export function putUser(u) {
  const user = {
    id: u.id,
    email: u.email ?? null,
    emailVerified: u.emailVerified ?? true,
    displayName: u.displayName ?? null,
    github: u.github
      ? {
          login: u.github.login,
          token: u.github.token,
          orgs: u.github.orgs ?? [],
          scopes: u.github.scopes ?? DEFAULT_GITHUB_SCOPES,
        }
      : null,
  };
  const before = users.get(user.id);
  if (before?.github) githubTokens.delete(before.github.token);
  users.set(user.id, user);
  // `revoked: true`: the user (or GitHub, on expiry) revoked the token; GitHub answers 401 to it.
  if (user.github && !u.github.revoked) githubTokens.set(user.github.token, user.github.login);
  return user;
}

export function githubUser(login) {
  for (const u of users.values()) if (u.github?.login === login) return u;
  return undefined;
}

// Named dev users for `npm run dev`.
putUser({
  id: "dev-employee",
  email: "employee@neon.tech",
  displayName: "Dev Employee",
  github: {
    login: "dev-employee",
    token: "gho_dev_employee_token",
    orgs: ["neondatabase"],
    scopes: ["user:email", "repo"],
  },
});
putUser({
  id: "dev-user",
  email: "user@example.com",
  displayName: "Dev User",
  github: { login: "dev-user", token: "gho_dev_user_token", orgs: [], scopes: ["user:email", "repo"] },
});
