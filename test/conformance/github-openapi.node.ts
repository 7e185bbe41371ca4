import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

// Judges recorded GitHub exchanges by GitHub's own OpenAPI description (@octokit/openapi): the
// operation exists, its path and query parameters, the request body, the answer's status and body.

interface Operation {
  parameters?: Ref<Parameter>[];
  requestBody?: Ref<{ required?: boolean; content?: Record<string, { schema?: object }> }>;
  responses: Record<string, Ref<{ content?: Record<string, { schema?: object }> }>>;
}
interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema?: { type?: string };
}
type Ref<T> = T | { $ref: string };

export interface Exchange {
  method: string;
  path: string;
  query: [string, string][];
  requestContentType: string | null;
  requestBody: unknown;
  status: number;
  responseContentType: string | null;
  responseBody: unknown;
}

const SPEC_ID = "https://api.github.com/openapi.json";

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]` (null allowed in an enum too),
 * or `anyOf: [schema, { type: "null" }]` where no type is given (GitHub's `allOf` + `nullable`).
 */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== "nullable") out[k] = jsonSchema(v);
  if ((node as { nullable?: boolean }).nullable !== true) return out;
  if (typeof out.type === "string") {
    out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: "null" }] };
}

export function loadGitHubSpec() {
  const require = createRequire(import.meta.url);
  const spec = require("@octokit/openapi/generated/api.github.com.json") as {
    paths: Record<string, Record<string, Operation>>;
    components: Record<string, Record<string, unknown>>;
  };
  // OpenAPI 3.0 keywords (nullable, example, discriminator…) pass as annotations; formats are checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, inlineRefs: false });
  addFormats.default(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: jsonSchema(spec.components) });

  const deref = <T>(x: Ref<T>): T => {
    let v: unknown = x;
    while (v && typeof v === "object" && "$ref" in v) {
      const parts = String((v as { $ref: string }).$ref)
        .replace(/^#\//, "")
        .split("/");
      v = parts.reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], spec);
    }
    return v as T;
  };
  const compiled = new Map<object, ValidateFunction>();
  const validator = (schema: object) => {
    let fn = compiled.get(schema);
    if (!fn) {
      const rebased = JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', `"${SPEC_ID}#/components/`),
      );
      fn = ajv.compile(rebased);
      compiled.set(schema, fn);
    }
    return fn;
  };

  // Path templates, the most literal first (so `/git/ref/{ref}` never wins over a fixed path).
  const templates = Object.keys(spec.paths)
    .map((template) => {
      const names: string[] = [];
      const rx = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, n: string) => {
        names.push(n);
        // GitHub's `ref` and `path` parameters hold slashes (`heads/main`).
        return n === "ref" || n === "path" ? "(.+)" : "([^/]+)";
      });
      return { template, names, rx: new RegExp(`^${rx}$`) };
    })
    .sort((a, b) => a.names.length - b.names.length);

  function match(method: string, path: string) {
    for (const t of templates) {
      const m = t.rx.exec(path);
      const op = m && spec.paths[t.template]?.[method.toLowerCase()];
      if (op) {
        const params = Object.fromEntries(t.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
        return { template: t.template, op, params };
      }
    }
    return null;
  }

  const errorsOf = (fn: ValidateFunction) =>
    (fn.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`);

  const typed = (value: string, schema?: { type?: string }) => {
    if (schema?.type === "integer" || schema?.type === "number") return Number(value);
    if (schema?.type === "boolean") return value === "true" ? true : value === "false" ? false : value;
    return value;
  };

  /** Every way the exchange departs from the description; empty when it conforms. */
  function check(x: Exchange, { request = true }: { request?: boolean } = {}): string[] {
    const found = match(x.method, x.path);
    if (!found) return [`${x.method} ${x.path}: no such operation in GitHub's API`];
    const { template, op, params } = found;
    const at = `${x.method} ${template}`;
    const problems: string[] = [];
    const declared = (op.parameters ?? []).map((p) => deref(p));
    if (request) problems.push(...checkRequest(x, at, op, params, declared));
    return [...problems, ...checkResponse(x, at, op)];
  }

  function checkRequest(
    x: Exchange,
    at: string,
    op: Operation,
    params: Record<string, string>,
    declared: Parameter[],
  ): string[] {
    const problems: string[] = [];

    for (const p of declared.filter((d) => d.in === "path")) {
      const fn = p.schema && validator(p.schema);
      if (fn && !fn(typed(params[p.name] ?? "", p.schema)))
        problems.push(`${at}: path ${p.name} ${errorsOf(fn)}`);
    }
    const query = declared.filter((d) => d.in === "query");
    for (const [name, value] of x.query) {
      const p = query.find((q) => q.name === name);
      if (!p) {
        problems.push(`${at}: query parameter ${name} is not GitHub's`);
        continue;
      }
      const fn = p.schema && validator(p.schema);
      if (fn && !fn(typed(value, p.schema))) problems.push(`${at}: query ${name}=${value} ${errorsOf(fn)}`);
    }
    for (const p of query.filter((q) => q.required)) {
      if (!x.query.some(([n]) => n === p.name))
        problems.push(`${at}: required query parameter ${p.name} missing`);
    }

    const body = op.requestBody && deref(op.requestBody);
    if (x.requestBody !== null) {
      const schema = body?.content?.["application/json"]?.schema;
      if (!schema) problems.push(`${at}: takes no JSON body, got one`);
      else {
        const fn = validator(schema);
        if (!fn(x.requestBody)) problems.push(`${at}: request body ${errorsOf(fn)}`);
      }
      if (x.requestContentType && !/^application\/json/.test(x.requestContentType)) {
        problems.push(`${at}: request content-type ${x.requestContentType}`);
      }
    } else if (body?.required) {
      problems.push(`${at}: request body required`);
    }
    return problems;
  }

  /** GitHub's error object: `{ message, documentation_url, status? }`. */
  function basicError(body: unknown): boolean {
    const fn = validator({ $ref: "#/components/schemas/basic-error" });
    const b = body as { message?: unknown; documentation_url?: unknown } | null;
    return fn(body) && typeof b?.message === "string" && typeof b.documentation_url === "string";
  }

  function checkResponse(x: Exchange, at: string, op: Operation): string[] {
    const problems: string[] = [];
    const documented = op.responses[String(x.status)];
    if (!documented) {
      // GitHub documents the usual answers only; any other status must still be GitHub's error.
      if (x.status < 400) problems.push(`${at}: status ${x.status} is not one GitHub answers`);
      if (!basicError(x.responseBody)) problems.push(`${at}: ${x.status} body is not GitHub's error shape`);
      return problems;
    }
    const schema = deref(documented).content?.["application/json"]?.schema;
    if (!schema) {
      // Some refusals are documented without a body, yet GitHub sends its error object with them.
      const errorBody = x.status >= 400 && basicError(x.responseBody);
      if (x.responseBody !== null && !errorBody) {
        problems.push(`${at}: ${x.status} has no body on GitHub, got one`);
      }
    } else {
      const fn = validator(schema);
      if (!fn(x.responseBody)) problems.push(`${at}: ${x.status} response ${errorsOf(fn)}`);
      if (!/^application\/json/.test(x.responseContentType ?? "")) {
        problems.push(`${at}: ${x.status} content-type ${x.responseContentType}`);
      }
    }
    return problems;
  }

  /** Compiles an operation's schemas ahead (compiling is slow; judging a body is not). */
  function warm(method: string, template: string) {
    const op = spec.paths[template]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${template} is not in GitHub's description`);
    const body = op.requestBody && deref(op.requestBody).content?.["application/json"]?.schema;
    if (body) validator(body);
    for (const r of Object.values(op.responses)) {
      const schema = deref(r).content?.["application/json"]?.schema;
      if (schema) validator(schema);
    }
  }

  return { check, match, warm };
}
