import { config, standInUrl } from "./env";

export interface TestUser {
  id: string;
  email: string;
  token: string;
  github: { login: string; token: string; orgs: string[]; scopes: string[] } | null;
}

export interface UserOptions {
  email?: string;
  emailVerified?: boolean;
  displayName?: string;
  /**
   * `scopes`: what the user granted when connecting GitHub (default `user:email repo`, what the
   * deployment's Stack GitHub provider asks for); `revoked`: GitHub no longer accepts the token.
   */
  github?: { login?: string; orgs?: string[]; scopes?: string[]; revoked?: boolean } | false;
}

/** Registers a fresh user with the Stack stand-in (and GitHub, through the shared world) and mints a token. */
export async function createUser(opts: UserOptions = {}): Promise<TestUser> {
  const id = crypto.randomUUID();
  const short = id.slice(0, 8);
  const github =
    opts.github === false
      ? null
      : {
          login: opts.github?.login ?? `gh-${short}`,
          token: `gho_${id.replaceAll("-", "")}`,
          orgs: opts.github?.orgs ?? [],
          scopes: opts.github?.scopes ?? ["user:email", "repo"],
        };
  const email = opts.email ?? `user-${short}@example.com`;
  const res = await fetch(`${standInUrl("stack")}/__dev/users`, {
    method: "POST",
    body: JSON.stringify({
      id,
      email,
      emailVerified: opts.emailVerified ?? true,
      displayName: opts.displayName ?? `User ${short}`,
      github: github && { ...github, revoked: opts.github ? opts.github.revoked : undefined },
    }),
  });
  if (!res.ok) throw new Error(`stack stand-in refused the user: ${res.status}`);
  return { id, email, github, token: await mintToken(id) };
}

export async function createEmployee(): Promise<TestUser> {
  return createUser({ email: `staff-${crypto.randomUUID().slice(0, 8)}@neon.tech` });
}

export async function mintToken(
  userId: string,
  opts: { expiresIn?: number; claims?: Record<string, unknown>; omit?: string[] } = {},
): Promise<string> {
  const res = await fetch(`${standInUrl("stack")}/__dev/token`, {
    method: "POST",
    body: JSON.stringify({ userId, ...opts }),
  });
  const body = (await res.json()) as { accessToken: string };
  return body.accessToken;
}

export const stackIssuer = config.stackIssuer;
