// The stand-in agent's scenarios. Each gets a context with the request, the chosen options and the
// event stream; every event echoes the request's traceId. Options: delay= (ms between events,
// default 5), hold= (ms before the idle event), keepalive= (ms, default 30000).
import {
  appNameFrom,
  BIG_INTACT,
  builtTree,
  editedTree,
  stateText,
  templateTree,
  treeFromAllFiles,
} from "./agent-app.mjs";
import { bulk } from "./agent-bulk.mjs";
import { binarySection, fileSection, treeDiff } from "./agent-git.mjs";
import { eventJson, frame } from "./agent-wire.mjs";
import { send } from "./http.mjs";

const LEGACY_EMPTY = "# Note: This is a valid empty diff (means no changes from template)";
const NO_CHANGES = "No changes were generated: the application already does what was asked.";

function context({ stream, body, raw, options, res }) {
  const users = body.allMessages.filter((m) => m.role === "user").map((m) => m.content);
  const prompt = (users.at(-1) ?? "").replace(/\[scenario:[^\]]*\]/, "").trim() || "an app";
  const state = body.agentState ?? null;
  const ctx = {
    stream,
    res,
    body,
    options,
    prompt,
    turn: users.length,
    userMessages: users,
    appName: String(options.name ?? state?.metadata?.app_name ?? appNameFrom(prompt)),
    continuing: state?.fsm_state != null,
    stateIntact: !(state && "big" in state) || BIG_INTACT.test(raw),
    base: state?.fsm_state != null ? treeFromAllFiles(body.allFiles) : new Map(),
    step: () => stream.sleep(Number(options.delay ?? 5)),
  };
  ctx.running = (kind, messages, extra = {}) => stream.event({ status: "running", kind, messages, ...extra });
  ctx.wip = (text) => ctx.running("WipUpdate", [text], { appName: ctx.continuing ? ctx.appName : null });
  ctx.idle = async (kind, messages, extra = {}) => {
    await stream.sleep(Number(options.hold ?? 0));
    await stream.event({ status: "idle", kind, messages, ...extra });
    stream.end();
  };
  ctx.fail = (text) => ctx.idle("RuntimeError", [text], { agentState: null, unifiedDiff: null });
  ctx.state = (o) => stateText(ctx, o);
  return ctx;
}

const commitMessage = (prompt) => `feat: ${prompt.slice(0, 60).replace(/\s+/g, " ").toLowerCase()}`;

/** The running part of a build: progress, "Initializing application...", the initial diff. */
function buildRunning(ctx) {
  const { appName } = ctx;
  return [
    () => ctx.wip("🎯 Starting data model generation..."),
    () => ctx.running("StageResult", ["Initializing application..."], { appName }),
    () =>
      ctx.running("ReviewResult", ["Application initialized"], {
        unifiedDiff: treeDiff(new Map(), templateTree(appName)),
        appName,
        commitMessage: "Initial commit",
      }),
    () => ctx.running("WipUpdate", ["🛠️ Writing handlers and UI..."], { appName }),
    () => ctx.running("WipUpdate", ["✅ Tests pass"], { appName }),
  ];
}

function buildIdle(ctx, { padBytes = 0 } = {}) {
  const tree = builtTree(ctx.appName, ctx.prompt, ctx.options);
  const commit = commitMessage(ctx.prompt);
  return ctx.idle("ReviewResult", [`Changes generated: \n${commit}`], {
    agentState: ctx.state({ files: tree.size, padBytes }),
    unifiedDiff: treeDiff(new Map(), tree),
    appName: ctx.appName,
    commitMessage: commit,
  });
}

async function build(ctx, extra) {
  if (!ctx.stateIntact) return ctx.fail("agentState lost precision: big number changed");
  for (const send of buildRunning(ctx)) {
    await send();
    await ctx.step();
  }
  return buildIdle(ctx, extra);
}

/** An idle ReviewResult whose diff is `base → after` plus `extraSections`, for the current base. */
function reviewIdle(ctx, after, extraSections = "") {
  const commit = commitMessage(ctx.prompt);
  return ctx.idle("ReviewResult", [`Changes generated: \n${commit}`], {
    agentState: ctx.state({ files: after.size }),
    unifiedDiff: treeDiff(ctx.base, after) + extraSections,
    appName: ctx.appName,
    commitMessage: commit,
  });
}

/** The tree a run ends with when it only adds something: the built app for a new session. */
const grown = (ctx) => new Map(ctx.continuing ? ctx.base : builtTree(ctx.appName, ctx.prompt, ctx.options));

const scenarios = {
  build: (ctx) => build(ctx),
  huge_state: (ctx) => build(ctx, { padBytes: Math.round(Number(ctx.options.mb ?? 5) * 1024 * 1024) }),

  refine: async (ctx) => {
    await ctx.wip("Reading the request...");
    await ctx.step();
    return ctx.idle(
      "RefinementRequest",
      ["Before I start: who uses this app, and what should the first screen show?"],
      { agentState: ctx.state({ fsm: false }) },
    );
  },

  edit: async (ctx) => {
    if (!ctx.continuing || !Array.isArray(ctx.body.allFiles)) return ctx.fail("missing allFiles");
    if (!ctx.stateIntact) return ctx.fail("agentState lost precision: big number changed");
    await ctx.wip("Analyzing the requested change...");
    await ctx.step();
    const { after } = editedTree(ctx.base, ctx);
    await ctx.running("WipUpdate", ["Applying changes..."], { appName: ctx.appName });
    await ctx.step();
    return reviewIdle(ctx, after);
  },

  bad_patch: async (ctx) => {
    if (!ctx.continuing || !Array.isArray(ctx.body.allFiles)) return ctx.fail("missing allFiles");
    await ctx.wip("Applying changes...");
    await ctx.step();
    const base = ctx.base;
    const first = base.has("README.md") ? "README.md" : [...base.keys()].sort()[0];
    const good = first
      ? fileSection(first, base.get(first), {
          ...base.get(first),
          content: `${base.get(first).content}\nok\n`,
        })
      : "";
    const second = [...base.keys()].sort().find((p) => p !== first) ?? "src/missing.ts";
    const bad = fileSection(
      second,
      { content: "this line is not in the file\n", mode: "100644" },
      { content: "this line is not in the file\nneither is this one\n", mode: "100644" },
    );
    const commit = commitMessage(ctx.prompt);
    return ctx.idle("ReviewResult", [`Changes generated: \n${commit}`], {
      agentState: ctx.state({ files: base.size }),
      unifiedDiff: good + bad,
      appName: ctx.appName,
      commitMessage: commit,
    });
  },

  no_change: async (ctx) => {
    await ctx.wip("Checking the application...");
    await ctx.step();
    const legacy = Number(ctx.options.legacy ?? 0) === 1;
    return ctx.idle(String(ctx.options.kind ?? "StageResult"), [NO_CHANGES], {
      agentState: ctx.state({ files: ctx.base.size }),
      unifiedDiff: legacy ? LEGACY_EMPTY : null,
      appName: ctx.appName,
    });
  },

  runtime_error: async (ctx) => {
    await ctx.wip("Generating...");
    await ctx.step();
    return ctx.idle("RuntimeError", ["Agent failed: the model returned an invalid tool call"], {
      agentState: null,
      unifiedDiff: ctx.options.diff === "empty" ? "" : null,
    });
  },

  legacy_error_diff: async (ctx) => {
    await ctx.wip("Generating...");
    await ctx.step();
    return ctx.idle("ReviewResult", ["Changes generated"], {
      agentState: ctx.state({ files: ctx.base.size }),
      unifiedDiff: "# ERROR GENERATING DIFF: git diff failed with exit code 128\nfatal: bad object HEAD\n",
      appName: ctx.appName,
      commitMessage: commitMessage(ctx.prompt),
    });
  },

  cut: async (ctx) => {
    const steps = buildRunning(ctx).slice(0, Number(ctx.options.after ?? 3));
    for (const send of steps) {
      await send();
      await ctx.step();
    }
    ctx.stream.cut(ctx.options.how === "end" ? "end" : "destroy");
  },

  malformed: async (ctx) => {
    await ctx.wip("Starting...");
    await ctx.step();
    await ctx.stream.write("data: {not json\n\n");
    await ctx.step();
    if (ctx.options.then === "cut") return ctx.stream.cut();
    return buildIdle(ctx);
  },

  silence: async (ctx) => {
    await ctx.wip("Thinking very hard...");
    await ctx.stream.sleep(Number(ctx.options.ms ?? 600_000));
    ctx.stream.cut("end");
  },

  trickle: (ctx) => trickle(ctx),
  bulk,

  // Agent text Postgres cannot hold as is: U+0000 and unpaired surrogates, in progress and final text.
  unstorable: async (ctx) => {
    await ctx.wip("Reading a file with a \u0000 byte and a lone \ud800 surrogate");
    await ctx.step();
    const tree = builtTree(ctx.appName, ctx.prompt, ctx.options);
    return ctx.idle("ReviewResult", ["Done: \u0000 and \udc00 kept"], {
      agentState: ctx.state({ files: tree.size }),
      unifiedDiff: treeDiff(new Map(), tree),
      appName: `${ctx.appName}\u0000`,
      commitMessage: "feat: nul \u0000 in the message",
    });
  },

  // An idle event whose field (field=unifiedDiff|messages|app_name) has the wrong JSON type.
  bad_idle: async (ctx) => {
    await ctx.wip("Generating...");
    await ctx.step();
    const wrong = { unifiedDiff: 42, messages: '"not a list"', app_name: "[1]" };
    const field = String(ctx.options.field ?? "unifiedDiff");
    let json = eventJson({
      status: "idle",
      traceId: ctx.body.traceId,
      kind: "ReviewResult",
      messages: ["Changes generated"],
      agentState: ctx.state({ files: 1 }),
      unifiedDiff: treeDiff(new Map(), builtTree(ctx.appName, ctx.prompt, ctx.options)),
      appName: ctx.appName,
    });
    const parsed = JSON.parse(json);
    parsed.message[field] = JSON.parse(String(wrong[field] ?? "42"));
    json = JSON.stringify(parsed);
    await ctx.stream.write(frame(json));
    ctx.stream.end();
  },

  traversal: async (ctx) => {
    const which = String(ctx.options.which ?? "all");
    const after = grown(ctx);
    after.set("NOTES.md", { content: "A harmless file.\n", mode: "100644" });
    const bad = { content: "pwned\n", mode: "100644" };
    let extra = "";
    if (which === "dotdot" || which === "all") extra += fileSection("../evil.txt", null, bad);
    if (which === "git" || which === "all") extra += fileSection(".git/config", null, bad);
    if (which === "absolute" || which === "all") extra += fileSection("/tmp/evil.txt", null, bad);
    // Names that are `.git` on Windows or macOS, control characters, a file used as a folder, length.
    const more = {
      gitdot: ".git./config",
      gitcase: ".GIT/config",
      gitspace: "sub/.git /x",
      gitshort: "git~1/config",
      control: "notes\u0001.txt",
      clash: "NOTES.md/x",
      long: `${"d/".repeat(300)}${"x".repeat(500)}.txt`,
      workflow: ".github/workflows/ci.yml",
    }[which];
    if (more) extra += fileSection(more, null, bad);
    await ctx.wip("Writing files...");
    await ctx.step();
    return reviewIdle(ctx, after, extra);
  },

  binary: async (ctx) => {
    const after = grown(ctx);
    after.set("docs/assets.md", { content: "The logo lives in public/logo.png.\n", mode: "100644" });
    await ctx.wip("Adding assets...");
    await ctx.step();
    return reviewIdle(ctx, after, binarySection("public/logo.png"));
  },
};

async function trickle(ctx) {
  const { stream, options } = ctx;
  const total = Number(options.events ?? 100);
  const size = Number(options.size ?? 1024);
  const rate = Number(options.rate ?? 0);
  const batch = 64;
  const pad = "x".repeat(size);
  const eventText = () => {
    const t = `t=${(performance.timeOrigin + performance.now()).toFixed(3)} `;
    const content = t + pad.slice(0, Math.max(0, size - t.length));
    return frame(
      eventJson({ status: "running", traceId: ctx.body.traceId, kind: "WipUpdate", messages: [content] }),
    );
  };
  const start = performance.now();
  let sent = 0;
  while (sent < total && !stream.closed) {
    const due =
      rate > 0 ? Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1) : total;
    const n = Math.min(batch, due - sent);
    if (n <= 0) {
      await stream.sleep(Math.max(1, Math.ceil(1000 / rate - 0.5)));
      continue;
    }
    let chunk = "";
    for (let i = 0; i < n; i++) chunk += eventText();
    sent += n;
    await stream.write(chunk, n);
  }
  if (stream.closed) return;
  // end=refine: finish with a question, so the run makes no version (nothing to publish).
  if (options.end === "refine") {
    return ctx.idle("RefinementRequest", ["Anything else?"], { agentState: ctx.state({ fsm: false }) });
  }
  const after = ctx.continuing ? new Map(ctx.base) : new Map();
  after.set(`notes/trickle-${ctx.turn}.txt`, { content: `events=${total} size=${size}\n`, mode: "100644" });
  return reviewIdle(ctx, after);
}

export const SCENARIOS = new Set([...Object.keys(scenarios), "http_error", "reset", "slow_start"]);

export async function runScenario(name, base) {
  const ctx = context(base);
  const { stream, options } = ctx;
  if (name === "http_error") {
    const status = Number(options.status ?? 500);
    base.record.status = status;
    base.record.outcome = "rejected";
    stream.finished = true;
    return send(ctx.res, status, {
      detail: status === 503 ? "Service Unavailable" : "Internal Server Error",
    });
  }
  if (name === "reset") {
    // The connection drops before any answer (a crashed server, a proxy that gave up).
    base.record.outcome = "reset";
    stream.finished = true;
    return ctx.res.destroy();
  }
  let run = name;
  if (name === "slow_start") {
    await stream.sleep(Number(options.ms ?? 5000));
    if (stream.closed) return;
    run = String(options.then ?? (ctx.continuing ? "edit" : "build"));
    if (!scenarios[run]) run = "build";
  }
  stream.open();
  if (run !== "silence") stream.keepAliveEvery(Number(options.keepalive ?? 30_000));
  await scenarios[run](ctx);
}
