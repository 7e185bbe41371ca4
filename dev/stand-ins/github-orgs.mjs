// GitHub's org membership check, `GET /orgs/{org}/members/{username}` (REST "Check organization
// membership for a user"): 204 when the user is a member, 404 when not. The answer is only given
// to callers who can see the org's members: an installation of the GitHub App on that org (with
// the Members permission) or a member's own token; anyone else is redirected (302) to the public
// membership check, which knows no public members here.
import { ghError } from "./github-repos.mjs";
import { send } from "./http.mjs";
import { githubUser } from "./world.mjs";

const same = (a, b) => a.toLowerCase() === b.toLowerCase();
const isMember = (login, org) => githubUser(login)?.github.orgs.some((o) => same(o, org)) ?? false;

export function orgRoutes({ auth }) {
  return [
    [
      "GET",
      "/orgs/:org/members/:username",
      async ({ req, res, params }) => {
        const p = await auth.principal(req);
        if (p.error) return ghError(res, 401, p.error);
        const insider =
          (p.kind === "installation" && same(p.org, params.org)) ||
          (p.kind === "user" && isMember(p.user.github.login, params.org));
        if (!insider) {
          return send(res, 302, null, { location: `/orgs/${params.org}/public_members/${params.username}` });
        }
        if (isMember(params.username, params.org)) return send(res, 204, null);
        ghError(res, 404, "User does not exist or is not a member of the organization");
      },
    ],
    ["GET", "/orgs/:org/public_members/:username", ({ res }) => ghError(res, 404, "Not Found")],
  ];
}
