// Deployment logs are the user's app's own output, read from our AWS and Koyeb accounts: whatever
// in a line would name those accounts or hand out a credential is replaced with `[redacted]`
// before any line leaves this service. One pure function, so every reader applies the same rule.

export const REDACTED = "[redacted]";

export interface Secrets {
  /** Exact values never to show (credentials from the configuration), at least 8 characters each. */
  values: string[];
  /** AWS account ids known to be ours (from the deployment's image URI). */
  accountIds: string[];
}

const escapeRx = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Credential shapes, wherever they come from. Each keeps what names the credential, not its value. */
const PATTERNS: [RegExp, string][] = [
  // AWS access key ids (long-term, temporary, role and user ids).
  [/\b(?:AKIA|ASIA|AROA|AIDA|ANPA|AGPA)[A-Z0-9]{16}\b/g, REDACTED],
  // The account in an ARN: arn:<partition>:<service>:<region>:<account>:…
  [/\b(arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:)\d{12}(?=:)/g, `$1${REDACTED}`],
  // The account in a registry host: <account>.dkr.ecr.<region>.amazonaws.com.
  [/\b\d{12}(?=\.dkr\.ecr[.-])/g, REDACTED],
  // GitHub tokens: personal (ghp_), OAuth (gho_), user-to-server (ghu_), App installation (ghs_),
  // refresh (ghr_), fine-grained personal (github_pat_).
  [/\bgh[opsur]_[A-Za-z0-9]{20,255}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g, REDACTED],
  // A password in a URL (postgres://user:password@host, https://user:token@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  // JSON Web Tokens (a Stack Auth access token, say).
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Credentials named by their variable or header: AWS_SECRET_ACCESS_KEY=…, Authorization: Bearer ….
  [
    /\b((?:aws_secret_access_key|aws_session_token|koyeb_api_token|neon_api_key|stack_secret_server_key)["']?\s*[:=]\s*["']?)[^\s"',]+/gi,
    `$1${REDACTED}`,
  ],
  [/\b(authorization\s*[:=]\s*["']?(?:bearer|basic|token|aws4-hmac-sha256)\s+)[^\s"',]+/gi, `$1${REDACTED}`],
  // `docker login -p <password>` / `--password <password>`.
  [/(\bdocker\s+login\b[^\n]*?\s(?:-p|--password)(?:\s+|=))\S+/g, `$1${REDACTED}`],
];

/** A compiled redaction for one set of secrets. */
export function redactor(secrets: Secrets): (line: string) => string {
  const exact = [...new Set(secrets.values.filter((v) => v.length >= 8))].sort((a, b) => b.length - a.length);
  const exactRx = exact.length ? new RegExp(exact.map(escapeRx).join("|"), "g") : null;
  const accounts = [...new Set(secrets.accountIds.filter((a) => /^\d{12}$/.test(a)))];
  const accountRx = accounts.length ? new RegExp(`(?<!\\d)(?:${accounts.join("|")})(?!\\d)`, "g") : null;
  return (line) => {
    let out = exactRx ? line.replace(exactRx, REDACTED) : line;
    for (const [rx, to] of PATTERNS) out = out.replace(rx, to);
    return accountRx ? out.replace(accountRx, REDACTED) : out;
  };
}

/** The account of an ECR image URI (`<account>.dkr.ecr.<region>.amazonaws.com/…`), if it is one. */
export function accountOfImage(imageUri: string | null): string | null {
  return imageUri ? (/^(\d{12})\.dkr\.ecr[.-]/.exec(imageUri)?.[1] ?? null) : null;
}
