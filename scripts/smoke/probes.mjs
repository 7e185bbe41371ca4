// What is left of an app at each vendor, looked up by the names this service gives its resources
// (`app-<appId>` on Koyeb and Neon, `<prefix>/<appId>` on ECR, `apps/<appId>/` on S3) and by its
// repository URL on GitHub. Plain fetch (aws4fetch signs the AWS calls), so the probes run from
// Node and from a test alike. Each answers "present", "gone" or, for an archived repository,
// "archived"; a probe that cannot tell throws.
import { AwsClient } from "aws4fetch";

const strip = (u) => u.replace(/\/+$/, "");

/** `vars`: the Worker's variables; `githubToken()`: a token that may read the app's repository. */
export function createProbes(vars, { githubToken, fetch: f = fetch } = {}) {
  const region = vars.AWS_REGION ?? "us-east-1";
  const aws = (service) =>
    new AwsClient({
      accessKeyId: vars.AWS_ACCESS_KEY_ID,
      secretAccessKey: vars.AWS_SECRET_ACCESS_KEY,
      service,
      region,
    });
  const s3Endpoint = strip(vars.S3_ENDPOINT ?? `https://s3.${region}.amazonaws.com`);
  const ecrEndpoint = strip(vars.ECR_ENDPOINT ?? `https://api.ecr.${region}.amazonaws.com`);
  const koyebUrl = strip(vars.KOYEB_API_URL ?? "https://app.koyeb.com");
  const neonUrl = strip(vars.NEON_API_URL ?? "https://console.neon.tech");
  const githubUrl = strip(vars.GITHUB_API_URL ?? "https://api.github.com");

  const must = async (what, res) => {
    if (!res.ok && res.status !== 404) throw new Error(`${what} answered ${res.status}`);
    return res;
  };
  const github = async (path) =>
    f(`${githubUrl}${path}`, {
      headers: {
        authorization: `Bearer ${await githubToken()}`,
        accept: "application/vnd.github+json",
        "user-agent": "appbuilder-smoke",
      },
    });
  const repoPath = (repositoryUrl) => {
    const [owner, repo] = new URL(repositoryUrl).pathname.split("/").filter(Boolean).slice(-2);
    return `/repos/${owner}/${repo}`;
  };

  return {
    async githubCommit(repositoryUrl, sha) {
      const res = await must("GitHub", await github(`${repoPath(repositoryUrl)}/git/commits/${sha}`));
      return res.status === 404 ? "gone" : "present";
    },

    async leftovers(appId, repositoryUrl) {
      const name = `app-${appId}`;
      const out = {};
      const koyeb = await must(
        "Koyeb ListApps",
        await f(`${koyebUrl}/v1/apps?${new URLSearchParams({ name, limit: "100" })}`, {
          headers: { authorization: `Bearer ${vars.KOYEB_API_TOKEN}` },
        }),
      );
      out.koyebApp = (await koyeb.json()).apps.some((a) => a.name === name) ? "present" : "gone";

      const ecr = await aws("ecr").fetch(ecrEndpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
        },
        body: JSON.stringify({ repositoryNames: [`${vars.ECR_REPOSITORY_PREFIX ?? "apps"}/${appId}`] }),
      });
      const ecrBody = await ecr.json().catch(() => ({}));
      if (ecr.ok) out.ecrRepository = "present";
      else if (String(ecrBody.__type ?? "").includes("RepositoryNotFoundException"))
        out.ecrRepository = "gone";
      else throw new Error(`ECR DescribeRepositories answered ${ecr.status}`);

      const list = new URL(`${s3Endpoint}/${vars.S3_BUCKET}`);
      list.searchParams.set("list-type", "2");
      list.searchParams.set("prefix", `apps/${appId}/`);
      list.searchParams.set("max-keys", "1");
      const s3 = await aws("s3").fetch(list.toString());
      if (!s3.ok) throw new Error(`S3 ListObjectsV2 answered ${s3.status}`);
      out.s3Objects = /<KeyCount>0<\/KeyCount>/.test(await s3.text()) ? "gone" : "present";

      if (vars.NEON_API_KEY) {
        const params = {
          search: name,
          limit: "100",
          ...(vars.NEON_ORG_ID ? { org_id: vars.NEON_ORG_ID } : {}),
        };
        const neon = await must(
          "Neon ListProjects",
          await f(`${neonUrl}/api/v2/projects?${new URLSearchParams(params)}`, {
            headers: { authorization: `Bearer ${vars.NEON_API_KEY}` },
          }),
        );
        out.neonProject = (await neon.json()).projects.some((p) => p.name === name) ? "present" : "gone";
      }

      if (repositoryUrl) {
        const res = await must("GitHub", await github(repoPath(repositoryUrl)));
        // In org mode the platform's repository is archived, not deleted; in user mode it is the user's.
        if (res.status === 404) out.githubRepository = "gone";
        else out.githubRepository = (await res.json()).archived ? "archived" : "present";
        if (out.githubRepository === "present" && (vars.GITHUB_OWNER_MODE ?? "org") === "user") {
          out.githubRepository = "kept (the user's own)";
        }
      }
      return out;
    },
  };
}

/** An installation token of the GitHub App for `org`, from an App JWT (GitHub's two calls). */
export async function installationToken({ apiUrl = "https://api.github.com", org, jwt, fetch: f = fetch }) {
  const headers = {
    authorization: `Bearer ${jwt}`,
    accept: "application/vnd.github+json",
    "user-agent": "appbuilder-smoke",
  };
  const base = strip(apiUrl);
  const inst = await f(`${base}/orgs/${encodeURIComponent(org)}/installation`, { headers });
  if (!inst.ok) throw new Error(`GitHub: the App is not installed on ${org} (${inst.status})`);
  const { id } = await inst.json();
  const tok = await f(`${base}/app/installations/${id}/access_tokens`, { method: "POST", headers });
  if (!tok.ok) throw new Error(`GitHub: no installation token (${tok.status})`);
  return (await tok.json()).token;
}
