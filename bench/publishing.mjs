// Publishing figures: a 500-file, 5 MB app built then edited through POST /message (the agent
// stand-in's `bulk` scenario). For each publish: the time from the agent's idle event to
// `repo_created` / `commit_created`, split into diff apply, snapshot and commit with the stand-ins'
// request times, and the GitHub and S3 calls it made, by route.
import { apiClient, sseRequest } from "./harness.mjs";

const USER = "dev-user";
const FILES = 500;
const BYTES = 5 * 1024 * 1024;
const CHANGED = 3;
/** Diffs cannot carry binary content (a `Binary files … differ` section is skipped): none here. */
const BINARY_FILES = 0;
const DEPLOY_WAIT_MS = 120_000;

const now = () => performance.timeOrigin + performance.now();
const ms = (n) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : "n/a");

/** A GitHub or S3 path with its names and ids replaced, so calls group by route. */
function route(key, owner) {
  return key
    .replace(/\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}")
    .replace(`/orgs/${owner}`, "/orgs/{org}")
    .replace(/\/app\/installations\/\d+/, "/app/installations/{id}")
    .replace(/\/[0-9a-f]{40}\b/g, "/{sha}");
}

function s3Route(key) {
  return key
    .replace(/\/apps\/[0-9a-f-]{36}\//, "/apps/{app}/")
    .replace(/\/files\/[0-9a-f]{64}\/.*/, "/files/{sha256}/{path}")
    .replace(/\/v\d+\/files\/.*/, "/v{n}/files/{path}")
    .replace(/\/v\d+\//, "/v{n}/");
}

/** Counts of log entries by route, as "n× route" text, and their sum. */
function byRoute(entries, name) {
  const counts = {};
  for (const e of entries) counts[name(e.key)] = (counts[name(e.key)] ?? 0) + 1;
  const text = Object.entries(counts)
    .map(([k, n]) => `${n}× ${k}`)
    .join(", ");
  return { n: entries.length, text: text || "none" };
}

const first = (entries) => (entries.length ? Math.min(...entries.map((e) => e.at)) : Number.NaN);
const last = (entries) => (entries.length ? Math.max(...entries.map((e) => e.doneAt ?? e.at)) : Number.NaN);

/** One run; the times its idle agent message, platform messages and `done` arrived. */
async function publishRun(stack, token, body) {
  const out = { startedAt: now(), idleAt: null, platform: {}, doneAt: null, errors: [], lastId: 0 };
  const res = await sseRequest(`${stack.base}/message`, {
    headers: { authorization: `Bearer ${token}` },
    body,
    timeoutMs: 300_000,
    onEvent: (e, at) => {
      if (e.id) out.lastId = Number(e.id);
      if (e.event === "done") out.doneAt = at;
      if (e.event === "error") out.errors.push(e.data);
      if (e.event !== "message") return;
      const data = JSON.parse(e.data);
      if (data.metadata?.type) out.platform[data.metadata.type] = { at, metadata: data.metadata };
      else if (data.status === "idle") out.idleAt = at;
    },
  });
  out.status = res.status;
  out.appId = res.headers["x-app-id"];
  if (res.status !== 200) out.errors.push(`HTTP ${res.status}: ${res.body?.slice(0, 300)}`);
  return out;
}

/**
 * Follows the app's events (the typed client: it resumes a cut stream, and ends at the 204 that
 * answers once nothing is in progress) until its deployment ended, so the next figures are clean.
 */
async function waitForDeployment(stack, token, appId, after) {
  let outcome = "no outcome";
  const t0 = now();
  const events = apiClient(stack.base, token).followEvents(appId, {
    after,
    signal: AbortSignal.timeout(DEPLOY_WAIT_MS),
  });
  try {
    for await (const e of events) {
      const type = e.event === "message" ? e.data.metadata?.type : undefined;
      if (type === "deployment_complete" || type === "deployment_failed") outcome = type;
    }
  } catch (err) {
    return err.status ? `events answered ${err.status}` : `not ended: ${err.message}`;
  }
  return `${outcome} after ${ms(now() - t0)}`;
}

async function measure(stack, token, label, body, published, rows) {
  await stack.resetOutboundCalls();
  const r = await publishRun(stack, token, body);
  const pub = r.platform[published];
  if (!pub || r.errors.length) {
    rows.push({
      figure: `${label}: ${published}`,
      value: `missing (status ${r.status}; ${[...r.errors, ...Object.keys(r.platform)].join("; ")})`,
      ok: false,
    });
    return r;
  }
  const [github, s3, agent] = await Promise.all(["github", "s3", "agent"].map((n) => stack.standInStats(n)));
  // Stand-in request times place each step: the idle event went out when the agent's answer
  // ended; the snapshot is the S3 PUTs; the commit step starts by reading the version's archive.
  const agentSent = last(agent.log.filter((e) => e.key === "POST /message"));
  const puts = s3.log.filter((e) => e.key.startsWith("PUT "));
  const snapshotEnd = last(puts);
  const archiveRead = first(s3.log.filter((e) => e.key.startsWith("GET ") && e.at >= snapshotEnd));
  const publishedAt = pub.at;
  const inPublish = github.log.filter((e) => e.at >= agentSent && e.at <= publishedAt);
  const repoCalls = inPublish.filter((e) => !(e.at >= archiveRead));
  const commitCalls = inPublish.filter((e) => e.at >= archiveRead);
  const org = stack.vars.GITHUB_ORG;
  const gh = (e) => route(e, org);

  rows.push({
    figure: `${label}: agent idle event → ${published} on the stream`,
    value: `${ms(publishedAt - agentSent)}  (idle message on the stream → ${published}: ${ms(publishedAt - r.idleAt)})`,
  });
  rows.push({
    figure: "  idle sent → idle on the stream (read, parse, diff apply)",
    value: ms(r.idleAt - agentSent),
  });
  rows.push({
    figure: "  first S3 PUT, after the idle message on the stream",
    value: ms(first(puts) - r.idleAt),
  });
  rows.push({
    figure: `  snapshot: ${puts.length} S3 PUTs, first → last answer`,
    value: ms(snapshotEnd - first(puts)),
  });
  rows.push({
    figure: "  snapshot end → first GitHub call (tree in DO, flush, workflow start)",
    value: ms(first(inPublish) - snapshotEnd),
  });
  rows.push({
    figure: "  repository step (GitHub calls before the archive is read)",
    value: ms(archiveRead - first(repoCalls)),
  });
  rows.push({
    figure: "  commit step: archive read → last GitHub answer",
    value: ms(last(commitCalls) - archiveRead),
  });
  rows.push({
    figure: `  last GitHub answer → ${published} on the stream`,
    value: ms(publishedAt - last(commitCalls)),
  });
  const commit = byRoute(commitCalls, gh);
  rows.push({
    figure: `${label}: GitHub calls of the commit step`,
    value: `${commit.n} (${commit.text})`,
    target: `≤ ${BINARY_FILES} binary + 5`,
    ok: commit.n <= BINARY_FILES + 5,
  });
  const repo = byRoute(repoCalls, gh);
  rows.push({ figure: `${label}: GitHub calls of the repository step`, value: `${repo.n} (${repo.text})` });
  const s3calls = byRoute(
    s3.log.filter((e) => e.at <= publishedAt),
    s3Route,
  );
  rows.push({ figure: `${label}: S3 calls`, value: `${s3calls.n} (${s3calls.text})` });
  const firstVersion = published === "repo_created";
  const writes = s3.log.filter((e) => e.at <= publishedAt && /^(PUT|POST) /.test(e.key)).length;
  rows.push({
    figure: `${label}: S3 writes (PUT, POST)`,
    value: writes,
    ...(firstVersion ? {} : { target: "≤ 10", ok: writes <= 10 }),
  });
  rows.push({
    figure: `${label}: GitHub calls in all`,
    value: repo.n + commit.n,
    ...(firstVersion ? { target: "≤ 7", ok: repo.n + commit.n <= 7 } : {}),
  });
  rows.push({ figure: `${label}: ${published} → done`, value: ms(r.doneAt - publishedAt) });
  return r;
}

export const publishing = {
  name: "publishing",
  title: `Publishing: ${FILES} files, ${(BYTES / 1024 / 1024).toFixed(0)} MiB, built then edited`,
  async run(stack) {
    const rows = [];
    const token = await stack.token(USER);
    // The caller's employee status is looked up (GitHub, Stack) once and cached: not a publish call.
    await apiClient(stack.base, token).get("/auth/is-neon-employee");
    const built = await measure(
      stack,
      token,
      "first version",
      { message: `bench bulk app [scenario:bulk files=${FILES} bytes=${BYTES}]` },
      "repo_created",
      rows,
    );
    if (!built.appId || built.status !== 200) return rows;
    const deployed = await waitForDeployment(stack, token, built.appId, built.lastId);
    rows.push({ figure: "first version's deployment (waited for before the edit)", value: deployed });
    const edit = await measure(
      stack,
      token,
      `edit (${CHANGED} files)`,
      { message: `bench bulk edit [scenario:bulk changed=${CHANGED}]`, applicationId: built.appId },
      "commit_created",
      rows,
    );
    if (edit.status === 200) await waitForDeployment(stack, token, built.appId, edit.lastId);
    // A first publish once the isolate holds the App's installation id and token (as in service,
    // where they are reused while valid): the repository and commit calls alone.
    const second = await measure(
      stack,
      token,
      "another app's first version (installation cached)",
      { message: "bench small app [scenario:bulk files=20 bytes=20000]" },
      "repo_created",
      rows,
    );
    if (second.status === 200 && second.appId)
      await waitForDeployment(stack, token, second.appId, second.lastId);
    return rows;
  },
};
