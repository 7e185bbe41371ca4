// The people the stand-ins know about, shared by Stack and GitHub (one process, one world).
// Tests register their own users through Stack's /__dev/users.

export const users = new Map(); // id -> { id, email, emailVerified, displayName, github: { login, token, orgs } | null }
export const githubTokens = new Map(); // token -> login

export function putUser(u) {
  const user = {
    id: u.id,
    email: u.email ?? null,
    emailVerified: u.emailVerified ?? true,
    displayName: u.displayName ?? null,
    github: u.github ? { login: u.github.login, token: u.github.token, orgs: u.github.orgs ?? [] } : null,
  };
  users.set(user.id, user);
  if (user.github) githubTokens.set(user.github.token, user.github.login);
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
  github: { login: "dev-employee", token: "gho_dev_employee_token", orgs: ["neondatabase"] },
});
putUser({
  id: "dev-user",
  email: "user@example.com",
  displayName: "Dev User",
  github: { login: "dev-user", token: "gho_dev_user_token", orgs: [] },
});
