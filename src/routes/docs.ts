// The API reference page: rendered here from the OpenAPI document, so it loads nothing from
// anywhere (no script, no CDN) and works offline; its one inline style is pinned by its hash.
import { sha256Hex } from "../lib/sha256";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

export interface OpenApiLike {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ["get", "post", "put", "patch", "delete"];

const esc = (s: unknown) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );

/** `code` spans for backquoted words, the rest escaped. */
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:62rem;padding:1rem 2rem;color:#1b1f24}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;margin-top:2.5rem}
details{border:1px solid #ddd;border-radius:6px;margin:.5rem 0;padding:.4rem .8rem}
summary{cursor:pointer}.m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#0a7d38}.post{color:#0b5cad}.put,.patch{color:#9a6700}.delete{color:#b42318}
code,pre{background:#f4f5f7;border-radius:4px;padding:0 .25rem;font-size:90%}
pre{padding:.6rem;overflow:auto;max-height:24rem}table{border-collapse:collapse}
td,th{border-bottom:1px solid #eee;padding:.2rem .6rem;text-align:left;vertical-align:top}`;

function refName(schema: unknown): string | null {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? ref.replace("#/components/schemas/", "") : null;
}

function operationHtml(path: string, method: string, op: Operation): string {
  const params = op.parameters ?? [];
  const body = Object.entries(op.requestBody?.content ?? {});
  const responses = Object.entries(op.responses ?? {});
  return `<details id="${esc(`${method}-${path}`)}"><summary><span class="m ${method}">${method}</span> <code>${esc(path)}</code> ${esc(op.summary)}${op.security?.length ? " 🔒" : ""}</summary>
${op.description ? `<p>${prose(op.description)}</p>` : ""}
${params.length ? `<table><tr><th>parameter</th><th>in</th><th></th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? " *" : ""}</td><td>${esc(p.in)}</td><td>${prose(p.description)}</td></tr>`).join("")}</table>` : ""}
${body.map(([type, c]) => `<p>Body <code>${esc(type)}</code>${refName(c.schema) ? `: <a href="#schema-${esc(refName(c.schema))}">${esc(refName(c.schema))}</a>` : ""}</p>${refName(c.schema) ? "" : `<pre>${esc(JSON.stringify(c.schema, null, 2))}</pre>`}`).join("")}
${responses.length ? `<table><tr><th>status</th><th></th></tr>${responses.map(([s, r]) => `<tr><td>${esc(s)}</td><td>${prose(r.description)}</td></tr>`).join("")}</table>` : ""}
</details>`;
}

/** The whole page for an OpenAPI document. */
export function docsHtml(doc: OpenApiLike): string {
  const groups = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      groups.set(tag, [...(groups.get(tag) ?? []), operationHtml(path, method, op)]);
    }
  }
  const schemas = Object.entries(doc.components?.schemas ?? {});
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(doc.info?.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>${esc(doc.info?.title)} <small>${esc(doc.info?.version)}</small></h1>
<p>${prose(doc.info?.description)} The machine-readable contract: <a href="/openapi.json">/openapi.json</a>.</p>
${[...groups].map(([tag, ops]) => `<h2>${esc(tag)}</h2>${ops.join("\n")}`).join("\n")}
<h2>Schemas</h2>${schemas.map(([name, s]) => `<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(JSON.stringify(s, null, 2))}</pre></details>`).join("\n")}
</body></html>`;
}

const hashBase64 = (hex: string) =>
  btoa(String.fromCharCode(...(hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16))));

/** Nothing may load: no script at all, and only the page's own style (by its SHA-256). */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${hashBase64(sha256Hex(STYLE))}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
