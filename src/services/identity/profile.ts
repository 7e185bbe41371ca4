import { eq } from "drizzle-orm";
import { getGitHubLogin, isOrgMember } from "../../clients/github-identity";
import { getGitHubAccessToken, getStackUser } from "../../clients/stack";
import type { Config } from "../../config";
import type { AuthUser, ServiceContext } from "../../context";
import { type UserProfileRow, userProfiles } from "../../db/schema";
import { AppError } from "../../errors";
import type { Logger } from "../../logger";
import { follow, lead } from "./flight";

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
/** A cached profile that could not be refreshed for this long grants no employee privilege. */
export const PRIVILEGE_TTL_MS = 24 * 60 * 60 * 1000;
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
function hasEmployeeEmail(config: Config, email: string | null, verified: boolean): boolean {
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

/**
 * Membership of EMPLOYEE_GITHUB_ORG, asked as the App's installation on that org (a user token
 * would need `read:org`). An App that cannot tell is logged and counts as "not shown a member".
 */
async function inEmployeeOrg(config: Config, logger: Logger, login: string): Promise<boolean> {
  const org = config.EMPLOYEE_GITHUB_ORG;
  if (!org) return false;
  const member = await isOrgMember(config, org, login);
  if (member === null) {
    logger.warn("the GitHub App cannot check membership of EMPLOYEE_GITHUB_ORG", { org });
  }
  return member === true;
}

async function fetchProfile(config: Config, logger: Logger, user: AuthUser): Promise<Profile> {
  const [stackUser, githubToken] = await Promise.all([
    getStackUser(config, user.id),
    getGitHubAccessToken(config, user.id, "identity"),
  ]);
  if (!stackUser) throw new AppError("unauthorized", "The user no longer exists");
  const byEmail =
    hasEmployeeEmail(config, stackUser.email, stackUser.emailVerified) ||
    hasEmployeeEmail(config, user.email, user.emailVerified);
  const githubLogin = githubToken ? await getGitHubLogin(config, githubToken) : null;
  const byOrg = !byEmail && githubLogin ? await inEmployeeOrg(config, logger, githubLogin) : false;
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

/** The context the profile is read and stored with: the caller and the request's database. */
type ProfileContext = ServiceContext<"db" | "user">;

async function store(ctx: ProfileContext, p: Profile): Promise<void> {
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
 * A cached profile answering because it could not be refreshed: past PRIVILEGE_TTL_MS it keeps
 * its data but loses employee status (a former employee must not keep /admin through an outage).
 */
export function staleAnswer(cached: Profile, now: number): Profile {
  if (!cached.isEmployee || now - cached.fetchedAt.getTime() < PRIVILEGE_TTL_MS) return cached;
  return { ...cached, isEmployee: false };
}

async function storedProfile(ctx: ProfileContext, userId: string): Promise<Profile | undefined> {
  const [row] = await ctx.db.select().from(userProfiles).where(eq(userProfiles.userId, userId)).limit(1);
  const mem = memory.get(userId);
  if (row && (!mem || row.fetchedAt > mem.fetchedAt)) return fromRow(row);
  return mem;
}

/** After a failed refresh: the stale cache when the providers are down, else the failure. */
async function afterFailure(ctx: ProfileContext, err: unknown): Promise<Profile> {
  if (err instanceof AppError && err.code === "upstream_unavailable") {
    const cached = await storedProfile(ctx, ctx.user.id);
    if (cached) {
      ctx.logger.warn("profile refresh failed; answering from the stale cache", { err });
      return staleAnswer(cached, Date.now());
    }
  }
  throw err;
}

/** Reads Postgres, then (still stale) fetches from Stack and GitHub; the caller leads the flight. */
async function refresh(ctx: ProfileContext): Promise<Profile> {
  const { user } = ctx;
  const cached = await storedProfile(ctx, user.id);
  if (cached && fresh(cached, Date.now())) {
    remember(cached);
    return cached;
  }
  const profile = await fetchProfile(ctx.config, ctx.logger, user);
  await store(ctx, profile);
  remember(profile);
  return profile;
}

/**
 * The user's profile: isolate memory, then Postgres, then Stack and GitHub (only on a miss or
 * after an hour; one fetch per user at a time in this isolate). When the providers are down, a
 * stale cached profile still answers, without employee privilege once it is a day old.
 */
export async function getProfile({ ctx }: { ctx: ProfileContext }): Promise<Profile> {
  const { user } = ctx;
  const hit = memory.get(user.id);
  if (hit && fresh(hit, Date.now())) return hit;

  const end = lead(user.id);
  if (!end) {
    const outcome = await follow(user.id);
    const after = memory.get(user.id);
    if (after && fresh(after, Date.now())) return after;
    if (outcome && !outcome.ok) return afterFailure(ctx, outcome.error);
    // The leader vanished or its answer is gone already: fetch as usual.
    return getProfile({ ctx });
  }
  try {
    const profile = await refresh(ctx);
    end({ ok: true });
    return profile;
  } catch (err) {
    end({ ok: false, error: err });
    return afterFailure(ctx, err);
  }
}

/**
 * Employee status: a verified employee e-mail in the token answers without any call; otherwise
 * the cached profile decides (verified e-mail at Stack, or membership of EMPLOYEE_GITHUB_ORG).
 */
export async function isEmployee({ ctx }: { ctx: ProfileContext }): Promise<boolean> {
  const { user } = ctx;
  if (hasEmployeeEmail(ctx.config, user.email, user.emailVerified)) return true;
  return (await getProfile({ ctx })).isEmployee;
}
