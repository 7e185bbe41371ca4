import { eq } from "drizzle-orm";
import { getGitHubLogin, isActiveOrgMember } from "../../clients/github-identity";
import { getGitHubAccessToken, getStackUser } from "../../clients/stack";
import type { Config } from "../../config";
import type { AuthUser, RequestContext } from "../../context";
import { type UserProfileRow, userProfiles } from "../../db/schema";
import { AppError } from "../../errors";

/** What we know about a user beyond the token: fetched from Stack and GitHub, cached for an hour. */
export interface Profile {
  id: string;
  email: string | null;
  emailVerified: boolean;
  displayName: string | null;
  githubLogin: string | null;
  isEmployee: boolean;
  fetchedAt: Date;
}

export const PROFILE_TTL_MS = 60 * 60 * 1000;
const MEMORY_MAX = 5_000;

// Isolate-level cache in front of the `user_profiles` table. Entries are plain data (never
// promises: a Worker must not await I/O started by another request).
const memory = new Map<string, Profile>();

function remember(profile: Profile): void {
  memory.delete(profile.id);
  if (memory.size >= MEMORY_MAX) {
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  memory.set(profile.id, profile);
}

const fresh = (p: Profile, now: number) => now - p.fetchedAt.getTime() < PROFILE_TTL_MS;

/** A verified address whose domain is exactly one of EMPLOYEE_EMAIL_DOMAINS (no suffix matching). */
export function hasEmployeeEmail(config: Config, email: string | null, verified: boolean): boolean {
  if (!verified || !email) return false;
  const at = email.lastIndexOf("@");
  if (at < 0) return false;
  const domain = email.slice(at + 1).toLowerCase();
  return config.EMPLOYEE_EMAIL_DOMAINS.some((d) => d.toLowerCase() === domain);
}

function fromRow(row: UserProfileRow): Profile {
  return {
    id: row.userId,
    email: row.email,
    emailVerified: row.emailVerified,
    displayName: row.displayName,
    githubLogin: row.githubLogin,
    isEmployee: row.isEmployee,
    fetchedAt: row.fetchedAt,
  };
}

async function fetchProfile(config: Config, user: AuthUser): Promise<Profile> {
  const [stackUser, githubToken] = await Promise.all([
    getStackUser(config, user.id),
    getGitHubAccessToken(config, user.id),
  ]);
  if (!stackUser) throw new AppError("unauthorized", "The user no longer exists");
  const byEmail =
    hasEmployeeEmail(config, stackUser.email, stackUser.emailVerified) ||
    hasEmployeeEmail(config, user.email, user.emailVerified);
  const org = config.EMPLOYEE_GITHUB_ORG;
  const [githubLogin, byOrg] = githubToken
    ? await Promise.all([
        getGitHubLogin(config, githubToken),
        !byEmail && org ? isActiveOrgMember(config, githubToken, org) : Promise.resolve(false),
      ])
    : [null, false];
  return {
    id: user.id,
    email: stackUser.email,
    emailVerified: stackUser.emailVerified,
    displayName: stackUser.displayName,
    githubLogin,
    isEmployee: byEmail || byOrg,
    fetchedAt: new Date(),
  };
}

async function store(ctx: RequestContext, p: Profile): Promise<void> {
  const values = {
    email: p.email,
    emailVerified: p.emailVerified,
    displayName: p.displayName,
    githubLogin: p.githubLogin,
    isEmployee: p.isEmployee,
    fetchedAt: p.fetchedAt,
  };
  await ctx.db
    .insert(userProfiles)
    .values({ userId: p.id, ...values })
    .onConflictDoUpdate({ target: userProfiles.userId, set: values });
}

/**
 * The user's profile: isolate memory, then Postgres, then Stack and GitHub (only on a miss or
 * after an hour). When the providers are down, a stale cached profile still answers.
 */
export async function getProfile(ctx: RequestContext, user: AuthUser): Promise<Profile> {
  const now = Date.now();
  let cached = memory.get(user.id);
  if (cached && fresh(cached, now)) return cached;

  const [row] = await ctx.db.select().from(userProfiles).where(eq(userProfiles.userId, user.id)).limit(1);
  if (row && (!cached || row.fetchedAt > cached.fetchedAt)) cached = fromRow(row);
  if (cached && fresh(cached, now)) {
    remember(cached);
    return cached;
  }

  let profile: Profile;
  try {
    profile = await fetchProfile(ctx.config, user);
  } catch (err) {
    if (cached && err instanceof AppError && err.code === "upstream_unavailable") {
      ctx.logger.warn("profile refresh failed; answering from the stale cache", { err });
      return cached;
    }
    throw err;
  }
  await store(ctx, profile);
  remember(profile);
  return profile;
}

/**
 * Employee status: a verified employee e-mail in the token answers without any call; otherwise
 * the cached profile decides (verified e-mail at Stack, or membership of EMPLOYEE_GITHUB_ORG).
 */
export async function isEmployee(ctx: RequestContext, user: AuthUser): Promise<boolean> {
  if (hasEmployeeEmail(ctx.config, user.email, user.emailVerified)) return true;
  return (await getProfile(ctx, user)).isEmployee;
}
