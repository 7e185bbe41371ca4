// What `npm run smoke` needs before it calls anything: real credentials for every service of the
// journey, and the Stack access token of the user it acts as.

/** Every variable the journey needs, with what it is for. */
export const SMOKE_NEEDS = {
  SMOKE_USER_TOKEN: "a Stack access token of the user the smoke run acts as",
  DATABASE_URL: "the Postgres (Neon) database",
  STACK_API_URL: "Stack Auth",
  STACK_PROJECT_ID: "Stack Auth",
  STACK_SECRET_SERVER_KEY: "Stack Auth",
  AGENT_SERVER_URL: "the Agent Server",
  AGENT_API_SECRET_AUTH: "the Agent Server",
  GITHUB_APP_ID: "GitHub",
  GITHUB_APP_PRIVATE_KEY: "GitHub",
  GITHUB_ORG: "GitHub",
  AWS_ACCESS_KEY_ID: "AWS (S3, ECR, CodeBuild)",
  AWS_SECRET_ACCESS_KEY: "AWS (S3, ECR, CodeBuild)",
  S3_BUCKET: "S3",
  CODEBUILD_PROJECT: "CodeBuild",
  KOYEB_API_TOKEN: "Koyeb",
};

/** A value `npm run dev` fills in for a stand-in is no credential for a real service. */
const isStandInValue = (v) => /^(dev|test)-/.test(v) || /^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(v);

/** The variables missing (or holding a local stand-in value), each with what it is for. */
export function missingCredentials(vars) {
  return Object.entries(SMOKE_NEEDS)
    .filter(([name]) => !vars[name] || isStandInValue(vars[name]))
    .map(([name, what]) => ({ name, what }));
}
