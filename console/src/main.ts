// The console: a small page over the API, built on the typed client. Pick or paste a token, list
// apps, send a message and watch its events as they come, browse and compare the files of any
// version, see deployments with their logs, restore a version. Plain DOM; no framework.
import { diffLines } from "diff";
import { ApiError, type AppEvent, type Client, type components, createClient } from "../../client/src/index";

type Json = Record<string, unknown>;
type Schemas = components["schemas"];
type App = Schemas["AppSummary"];
type Version = Schemas["Version"];
type Deployment = Schemas["Deployment"];
type Files = Schemas["VersionFiles"];

const TOKEN_KEY = "console.token";

// --- tiny DOM helpers ----------------------------------------------------------------------------

type Child = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else el.setAttribute(k, v);
  }
  for (const c of children) if (c) el.append(c);
  return el;
}
const $ = (id: string) => document.getElementById(id)!;
const clear = (el: HTMLElement, ...children: Child[]) => {
  el.replaceChildren();
  for (const c of children) if (c) el.append(c);
};

function problemText(err: unknown): string {
  if (err instanceof ApiError) return `${err.status} ${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

function showError(where: HTMLElement, err: unknown) {
  where.append(h("p", { class: "error", "data-testid": "error" }, problemText(err)));
}

// --- the token ---------------------------------------------------------------------------------

/** The production console's sign-in cookie (middleware/console.ts), else what was picked here. */
function currentToken(): string | null {
  const cookie = document.cookie
    .split(";")
    .map((c) => c.trim())
    .find((c) => c.startsWith("console_token="));
  if (cookie) return decodeURIComponent(cookie.slice("console_token=".length));
  return sessionStorage.getItem(TOKEN_KEY);
}

const client: Client = createClient({ baseUrl: location.origin, getToken: currentToken });

async function renderToken() {
  const box = $("token");
  const input = h("textarea", {
    rows: "2",
    placeholder: "Paste an access token",
    "data-testid": "token-input",
  });
  const use = (token: string) => {
    sessionStorage.setItem(TOKEN_KEY, token.trim());
    void start();
  };
  const picker = h(
    "select",
    { "data-testid": "token-picker" },
    h("option", { value: "" }, "Pick a dev token…"),
  );
  picker.addEventListener("change", () => picker.value && use(picker.value));
  clear(
    box,
    h("label", {}, "Token "),
    picker,
    input,
    h("button", { onclick: () => use(input.value), "data-testid": "token-use" }, "Use"),
    h("span", { id: "whoami", "data-testid": "whoami" }),
  );
  try {
    const res = await fetch("/console/dev-tokens.json");
    if (res.ok) {
      for (const t of (await res.json()) as { label: string; token: string }[]) {
        picker.append(h("option", { value: t.token }, t.label));
      }
    }
  } catch {
    // No dev tokens (production): paste one.
  }
}

// --- apps ----------------------------------------------------------------------------------------

let selected: string | null = null;

async function renderApps() {
  const list = $("apps");
  clear(
    list,
    h("h2", {}, "Apps"),
    h("button", { onclick: () => selectApp(null), "data-testid": "new-app" }, "New app"),
  );
  try {
    const { data } = await client.get("/apps", { query: { limit: 100 } });
    const apps: App[] = data.data;
    const ul = h("ul", { "data-testid": "app-list" });
    for (const a of apps) {
      const label = `${a.appName ?? a.name} (${a.deployStatus})`;
      ul.append(
        h(
          "li",
          { class: a.id === selected ? "selected" : "" },
          h("a", { href: `#${a.id}`, onclick: () => selectApp(a.id), "data-app-id": a.id }, label),
        ),
      );
    }
    list.append(ul);
  } catch (err) {
    showError(list, err);
  }
}

function selectApp(appId: string | null) {
  selected = appId;
  void renderApps();
  void renderMain();
}

// --- a run's events ------------------------------------------------------------------------------

function eventRow(e: AppEvent): HTMLElement {
  if (e.event === "message") {
    const d = e.data;
    if (d.metadata) {
      const m = d.metadata as unknown as Json;
      const link = (m.deploymentUrl ?? m.commitUrl ?? m.githubUrl) as string | undefined;
      return h(
        "li",
        { class: "platform", "data-event": String(m.type) },
        h("b", {}, String(m.type)),
        " ",
        d.message.messages.map((x) => x.content).join(" "),
        link ? h("a", { href: link, target: "_blank", rel: "noopener" }, " ↗") : null,
      );
    }
    return h(
      "li",
      { class: `agent ${d.status}`, "data-event": d.message.kind },
      h("b", {}, d.message.kind),
      " ",
      d.message.messages.map((x) => x.content).join(" "),
      d.message.diffStat?.length
        ? h("span", { class: "stat" }, ` (${d.message.diffStat.length} files changed)`)
        : null,
    );
  }
  if (e.event === "error") {
    return h(
      "li",
      { class: "error", "data-event": "error" },
      h("b", {}, `error ${e.data.code}`),
      " ",
      e.data.message,
    );
  }
  if (e.event === "done")
    return h("li", { class: "done", "data-event": "done", "data-testid": "done" }, "done");
  return h("li", { class: "debug", "data-event": "debug" }, `${e.data.level}: ${e.data.log}`);
}

async function showStream(
  events: AsyncIterable<AppEvent>,
  into: HTMLElement,
  onAppId?: (id: string) => void,
) {
  try {
    for await (const e of events) {
      if (e.event !== "debug" && onAppId && e.data.appId) onAppId(e.data.appId);
      into.append(eventRow(e));
      into.scrollTop = into.scrollHeight;
      if (e.event === "done") break;
    }
  } catch (err) {
    showError(into, err);
  }
}

// --- the selected app ----------------------------------------------------------------------------

async function renderMain() {
  const main = $("main");
  const events = h("ol", { class: "events", "data-testid": "events" });
  const text = h("textarea", {
    rows: "3",
    placeholder: "Describe the app, or what to change",
    "data-testid": "message",
  });
  const send = h("button", { "data-testid": "send" }, "Send");
  send.addEventListener("click", async () => {
    const message = text.value.trim();
    if (!message) return;
    text.value = "";
    events.replaceChildren();
    let adopted = selected;
    const stream = client.sendMessage({ message, applicationId: selected });
    await showStream(stream, events, (id) => {
      if (!adopted) {
        adopted = id;
        selected = id;
      }
    });
    void renderApps();
    if (adopted) {
      $("title").textContent = `App ${adopted}`;
      await renderDetails(adopted);
    }
  });
  clear(
    main,
    h("h2", { id: "title", "data-testid": "title" }, selected ? `App ${selected}` : "New app"),
    h("div", { class: "composer" }, text, send),
    events,
    h("div", { id: "details" }),
  );
  if (selected) {
    // Catch up with the app's last run (and follow one in progress).
    void showStream(client.followEvents(selected), events);
    void renderDetails(selected);
  }
}

async function renderDetails(appId: string) {
  const details = $("details");
  clear(
    details,
    h("h3", {}, "Versions"),
    h("div", { id: "versions" }),
    h("h3", {}, "Deployments"),
    h("div", { id: "deployments" }),
    h("div", { id: "viewer" }),
  );
  await Promise.all([renderVersions(appId), renderDeployments(appId)]);
}

async function renderVersions(appId: string) {
  const box = $("versions");
  try {
    const { data } = await client.get("/apps/{id}/versions", { path: { id: appId } });
    const versions = data as unknown as Version[];
    if (versions.length === 0) {
      clear(box, h("p", {}, "No version yet."));
      return;
    }
    const a = h("select", { "data-testid": "compare-a" });
    const b = h("select", { "data-testid": "compare-b" });
    const table = h(
      "table",
      { "data-testid": "versions" },
      h(
        "tr",
        {},
        h("th", {}, "Version"),
        h("th", {}, "Change"),
        h("th", {}, "Commit"),
        h("th", {}, "Deployment"),
        h("th", {}),
      ),
    );
    for (const v of versions) {
      a.append(h("option", { value: String(v.version) }, `v${v.version}`));
      b.append(h("option", { value: String(v.version) }, `v${v.version}`));
      const stat = v.diffStat
        ? `${v.diffStat.files} files +${v.diffStat.insertions} −${v.diffStat.deletions}`
        : "";
      table.append(
        h(
          "tr",
          { "data-version": String(v.version) },
          h("td", {}, `v${v.version}`, v.restoredFrom ? ` (restore of v${v.restoredFrom})` : ""),
          h("td", {}, stat),
          h(
            "td",
            {},
            v.commitUrl
              ? h("a", { href: v.commitUrl, target: "_blank", rel: "noopener" }, v.commitMessage ?? "commit")
              : (v.commitMessage ?? ""),
          ),
          h("td", {}, v.deployment ? v.deployment.status : ""),
          h(
            "td",
            {},
            h(
              "button",
              { onclick: () => showFiles(appId, v.version), "data-testid": `files-${v.version}` },
              "Files",
            ),
            h(
              "button",
              { onclick: () => restore(appId, v.version), "data-testid": `restore-${v.version}` },
              "Restore",
            ),
          ),
        ),
      );
    }
    if (versions.length > 1) b.selectedIndex = 1;
    clear(
      box,
      table,
      h(
        "div",
        { class: "compare" },
        "Compare ",
        b,
        " with ",
        a,
        " ",
        h(
          "button",
          { onclick: () => compare(appId, Number(b.value), Number(a.value)), "data-testid": "compare" },
          "Compare",
        ),
      ),
    );
  } catch (err) {
    clear(box);
    showError(box, err);
  }
}

async function fileText(appId: string, version: number, path: string): Promise<string> {
  const { data } = await client.get("/apps/{id}/versions/{version}/file", {
    path: { id: appId, version },
    query: { path },
  });
  return String(data);
}

async function showFiles(appId: string, version: number) {
  const viewer = $("viewer");
  try {
    const { data } = await client.get("/apps/{id}/versions/{version}/files", {
      path: { id: appId, version },
    });
    const files = data as unknown as Files;
    const pre = h("pre", { "data-testid": "file-text" });
    const ul = h("ul", { class: "files", "data-testid": "files" });
    for (const f of files.files) {
      ul.append(
        h(
          "li",
          {},
          h(
            "a",
            {
              href: "#",
              onclick: async (e) => {
                e.preventDefault();
                pre.textContent = await fileText(appId, version, f.path);
              },
            },
            f.path,
          ),
          ` ${f.size} B`,
        ),
      );
    }
    clear(viewer, h("h3", {}, `Files of v${version}`), ul, pre);
  } catch (err) {
    clear(viewer);
    showError(viewer, err);
  }
}

async function compare(appId: string, from: number, to: number) {
  const viewer = $("viewer");
  try {
    const get = async (v: number) =>
      (await client.get("/apps/{id}/versions/{version}/files", { path: { id: appId, version: v } }))
        .data as unknown as Files;
    const [a, b] = await Promise.all([get(from), get(to)]);
    const before = new Map(a.files.map((f) => [f.path, f.sha256]));
    const after = new Map(b.files.map((f) => [f.path, f.sha256]));
    const paths = [...new Set([...before.keys(), ...after.keys()])]
      .sort()
      .filter((p) => before.get(p) !== after.get(p));
    const out = h(
      "div",
      { "data-testid": "comparison" },
      h("h3", {}, `v${from} → v${to}: ${paths.length} files changed`),
    );
    for (const p of paths) {
      const [x, y] = await Promise.all([
        before.has(p) ? fileText(appId, from, p) : Promise.resolve(""),
        after.has(p) ? fileText(appId, to, p) : Promise.resolve(""),
      ]);
      const pre = h("pre", { class: "diff" });
      for (const part of diffLines(x, y)) {
        const cls = part.added ? "added" : part.removed ? "removed" : "same";
        const sign = part.added ? "+" : part.removed ? "-" : " ";
        const lines = part.value.replace(/\n$/, "").split("\n");
        for (const line of cls === "same" && lines.length > 6
          ? [...lines.slice(0, 3), "…", ...lines.slice(-3)]
          : lines) {
          pre.append(h("span", { class: cls }, `${sign} ${line}\n`));
        }
      }
      out.append(h("h4", {}, !before.has(p) ? `${p} (added)` : !after.has(p) ? `${p} (deleted)` : p), pre);
    }
    clear(viewer, out);
  } catch (err) {
    clear(viewer);
    showError(viewer, err);
  }
}

async function restore(appId: string, version: number) {
  const viewer = $("viewer");
  clear(viewer, h("p", {}, `Restoring v${version}…`));
  const events = document.querySelector<HTMLElement>("[data-testid=events]")!;
  events.replaceChildren();
  await showStream(client.restoreVersion(appId, version), events);
  const ok = !events.querySelector("[data-event=error]") && events.querySelector("[data-event=done]");
  void renderApps();
  await renderDetails(appId);
  if (ok) $("viewer").append(h("p", { "data-testid": "restored" }, `Restored v${version}.`));
}

async function renderDeployments(appId: string) {
  const box = $("deployments");
  try {
    const { data } = await client.get("/apps/{id}/deployments", { path: { id: appId } });
    const list = data as unknown as Deployment[];
    const ul = h("ul", { "data-testid": "deployments" });
    for (const d of list) {
      const logs = h("pre", { class: "logs" });
      const show = (type: "build" | "runtime") => async () => {
        try {
          const { data: text } = await client.get("/apps/{id}/deployments/{deploymentId}/logs", {
            path: { id: appId, deploymentId: d.id },
            query: { type },
          });
          logs.textContent = String(text) || "(no lines)";
        } catch (err) {
          logs.textContent = problemText(err);
        }
      };
      ul.append(
        h(
          "li",
          { "data-deployment": d.id },
          `${d.status} `,
          d.url ? h("a", { href: d.url, target: "_blank", rel: "noopener" }, d.url) : (d.reason ?? ""),
          " ",
          h("button", { onclick: show("build") }, "Build logs"),
          h("button", { onclick: show("runtime") }, "Runtime logs"),
          logs,
        ),
      );
    }
    clear(box, list.length ? ul : h("p", {}, "No deployment yet."));
  } catch (err) {
    clear(box);
    showError(box, err);
  }
}

// --- start ---------------------------------------------------------------------------------------

async function start() {
  const who = document.getElementById("whoami");
  if (!currentToken()) {
    clear($("apps"), h("p", {}, "Pick or paste a token to start."));
    clear($("main"));
    return;
  }
  try {
    const { data } = await client.get("/me", {});
    const me = data as unknown as { email?: string | null; id?: string };
    if (who) who.textContent = ` Signed in as ${me.email ?? me.id ?? "?"}`;
  } catch (err) {
    if (who) who.textContent = ` ${problemText(err)}`;
    return;
  }
  selected = location.hash.slice(1) || null;
  await renderApps();
  await renderMain();
}

document
  .getElementById("root")!
  .replaceChildren(
    h("header", { id: "token" }),
    h("div", { class: "layout" }, h("nav", { id: "apps" }), h("main", { id: "main" })),
  );
await renderToken();
await start();
