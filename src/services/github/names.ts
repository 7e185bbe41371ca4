// Repository names from the agent's app_name: what GitHub accepts and a person can read.
const MAX_NAME = 100;
const SUFFIX_LENGTH = 4;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Lower case, `[a-z0-9-]` only, no leading/trailing or doubled hyphens, at most 100 characters. */
export function slugRepoName(appName: string, maxLength = MAX_NAME): string {
  const slug = appName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, maxLength)
    .replace(/-+$/, "");
  return slug || "app";
}

/**
 * `base-x7k2`: a short suffix (random unless given), the whole name still within 100 characters.
 * A given suffix makes the names a retry will try predictable, so it can find its own.
 */
export function withSuffix(base: string, given?: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SUFFIX_LENGTH));
  const suffix = given ?? [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  return `${slugRepoName(base, MAX_NAME - suffix.length - 1)}-${suffix}`;
}
