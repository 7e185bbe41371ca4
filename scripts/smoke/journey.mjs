// One complete journey through the API, step by step: a message to the agent, the repository and
// commit, the image build, the Koyeb deployment until healthy, a GET of the deployed URL, then the
// app's deletion and a check that every resource it made is gone. Plain fetch only, so the same
// steps run from `npm run smoke` (real services) and from a test (the stand-ins).
//
// `api(method, path, body?)` calls the Worker as the smoke user; `probes` look at each vendor for
// what is left of an app; `fetchDeployed(url)` fetches the deployed app.

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Reads server-sent events from a response until `done` (or the deadline); answers them parsed. */
export async function readEvents(res, timeoutMs) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const events = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { value, done } = await Promise.race([
      reader.read(),
      sleep(Math.max(0, deadline - Date.now())).then(() => ({ done: true, timedOut: true })),
    ]);
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      cut = buffer.indexOf("\n\n");
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? "message";
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n");
      let json = null;
      try {
        json = data ? JSON.parse(data) : null;
      } catch {}
      events.push({ event, json });
      if (event === "done") {
        await reader.cancel().catch(() => {});
        return events;
      }
    }
  }
  await reader.cancel().catch(() => {});
  throw new Error(`the stream did not reach done within ${timeoutMs} ms`);
}

/** Polls `check` until it answers non-null or `timeoutMs` passes. */
async function until(what, check, { timeoutMs, everyMs }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null && v !== undefined) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Runs the journey. Every step is reported through `report({ step, ok, ms, ids, detail })`; the
 * app is deleted at the end whatever happened before, and its leftovers checked.
 * Answers `{ ok, steps }`.
 */
export async function runJourney({
  api,
  probes,
  fetchDeployed,
  report = () => {},
  message = "Build a one-page web app that says hello, served on port 80.",
  timeouts = { stream: 600_000, deploy: 1_200_000, url: 180_000, delete: 600_000 },
  everyMs = 5_000,
}) {
  const steps = [];
  const ids = {};
  const step = async (name, fn) => {
    const started = Date.now();
    try {
      const out = (await fn()) ?? {};
      Object.assign(ids, out);
      const entry = { step: name, ok: true, ms: Date.now() - started, ids: out };
      steps.push(entry);
      report(entry);
      return out;
    } catch (err) {
      const entry = { step: name, ok: false, ms: Date.now() - started, detail: String(err?.message ?? err) };
      steps.push(entry);
      report(entry);
      throw err;
    }
  };

  let failed = false;
  try {
    await step("message to the agent", async () => {
      const res = await api("POST", "/message", { message });
      if (res.status !== 200) throw new Error(`POST /message answered ${res.status}: ${await res.text()}`);
      const appId = res.headers.get("x-app-id");
      if (!appId) throw new Error("POST /message answered no x-app-id");
      ids.appId = appId;
      const events = await readEvents(res, timeouts.stream);
      const platform = events.map((e) => e.json?.metadata).filter((m) => m?.type);
      const errors = events.filter((e) => e.event === "error").map((e) => e.json?.code);
      if (errors.length) throw new Error(`the run ended with error ${errors.join(", ")}`);
      const repo = platform.find((m) => m.type === "repo_created" || m.type === "commit_created");
      if (!repo) {
        const why = platform.find((m) => m.type === "publish_failed");
        throw new Error(
          why ? `publish failed at ${why.step}: ${why.reason}` : "no repository or commit event",
        );
      }
      const deploying = platform.find((m) => m.type === "deployment_in_progress");
      return {
        appId,
        githubUrl: repo.githubUrl ?? null,
        commitSha: repo.commitSha,
        deploymentId: deploying?.deploymentId ?? null,
      };
    });
    await step("repository and commit", async () => {
      const app = await (await api("GET", `/apps/${ids.appId}`)).json();
      if (!app.repositoryUrl) throw new Error("the app has no repositoryUrl");
      const state = await probes.githubCommit(app.repositoryUrl, ids.commitSha);
      if (state !== "present") throw new Error(`commit ${ids.commitSha} is not on ${app.repositoryUrl}`);
      return { repositoryUrl: app.repositoryUrl };
    });
    let seen = "";
    const deployment = await step("image build and Koyeb deployment", async () => {
      const d = await until(
        "the deployment to end",
        async () => {
          const list = await (await api("GET", `/apps/${ids.appId}/deployments`)).json();
          const d = list.find((x) => x.id === ids.deploymentId) ?? list[0];
          if (d && d.status !== seen) {
            seen = d.status;
            report({ step: "deployment status", ok: true, ms: 0, ids: { status: d.status } });
          }
          return d && ["healthy", "failed", "cancelled"].includes(d.status) ? d : null;
        },
        { timeoutMs: timeouts.deploy, everyMs },
      );
      if (d.status !== "healthy") throw new Error(`the deployment ended ${d.status}: ${d.reason}`);
      return { deploymentId: d.id, url: d.url };
    });
    await step("GET the deployed URL", async () => {
      // A scaled-to-zero app wakes on its first request: allow it time.
      const status = await until(
        `${deployment.url} to answer`,
        async () => {
          const res = await fetchDeployed(deployment.url).catch(() => null);
          return res && res.status < 500 ? res.status : null;
        },
        { timeoutMs: timeouts.url, everyMs },
      );
      if (status >= 400) throw new Error(`${deployment.url} answered ${status}`);
      return { httpStatus: status };
    });
  } catch {
    failed = true;
  } finally {
    if (ids.appId) {
      try {
        await step("delete the app", async () => {
          const res = await api("DELETE", `/apps/${ids.appId}`);
          if (res.status !== 202 && res.status !== 404) throw new Error(`DELETE answered ${res.status}`);
          return {};
        });
        await step("every resource gone", async () => {
          const left = await until(
            "every resource to be removed",
            async () => {
              const state = await probes.leftovers(ids.appId, ids.repositoryUrl ?? null);
              const present = Object.entries(state).filter(([, v]) => v === "present");
              return present.length === 0 ? state : null;
            },
            { timeoutMs: timeouts.delete, everyMs },
          );
          return { checked: Object.keys(left).join(", ") };
        });
      } catch {
        failed = true;
      }
    }
  }
  return { ok: !failed, steps, ids };
}
