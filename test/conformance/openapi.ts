import { Validator } from "@cfworker/json-schema";

// Judges recorded HTTP exchanges against an OpenAPI 3 description: the operation exists (path and
// method), every query parameter is declared and fits its schema, the request body and the answer
// fit theirs. The description's schemas are used as JSON Schema (OpenAPI's `nullable` made a type).

type Json = Record<string, unknown>;

export interface Exchange {
  method: string;
  path: string;
  query: Record<string, string>;
  request?: unknown;
  status: number;
  response?: unknown;
}

const SPEC_ID = "https://spec.local/openapi.json";

/** OpenAPI 3.0 schema → JSON Schema: `nullable` becomes a "null" type; local refs point at the spec. */
function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === "$ref" && typeof v === "string" && v.startsWith("#/")) out.$ref = `${SPEC_ID}${v}`;
    else if (k !== "nullable" && k !== "example" && k !== "examples") out[k] = convert(v);
  }
  const n = node as Json;
  if (n.nullable === true) {
    if (typeof n.type === "string") out.type = [n.type, "null"];
    else return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

export function createJudge(spec: Json, basePath: string) {
  const doc = convert(spec) as Json;
  const resolve = (node: Json): Json => {
    const ref = node.$ref;
    if (typeof ref !== "string") return node;
    let target: unknown = doc;
    for (const part of ref.replace(`${SPEC_ID}#/`, "").split("/")) target = (target as Json)[part];
    return resolve(target as Json);
  };
  const check = (schema: unknown, value: unknown): string[] => {
    const v = new Validator(schema as never, "2019-09", false);
    v.addSchema(doc as never, SPEC_ID);
    const r = v.validate(value);
    // The leaves only: "A subschema had errors" and the like only repeat them.
    const leaves = r.errors.filter(
      (e) => !/subschema|does not match schema|failed validation/i.test(e.error),
    );
    return r.valid ? [] : (leaves.length ? leaves : r.errors).map((e) => `${e.instanceLocation} ${e.error}`);
  };
  const paths = Object.entries(doc.paths as Record<string, Json>).map(([template, item]) => ({
    template,
    item,
    rx: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
  }));

  /** Problems of one exchange (empty: it is what the description allows). */
  return function judge(x: Exchange): string[] {
    const path = x.path.startsWith(basePath) ? x.path.slice(basePath.length) : x.path;
    const where = `${x.method} ${path}`;
    const found = paths.find((p) => p.rx.test(path) && p.item[x.method.toLowerCase()]);
    if (!found) return [`${where}: no such operation`];
    const op = found.item[x.method.toLowerCase()] as Json;
    const problems: string[] = [];
    const params = [...((found.item.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map(
      resolve,
    );
    for (const [name, raw] of Object.entries(x.query)) {
      const p = params.find((q) => q.in === "query" && q.name === name);
      if (!p) {
        problems.push(`${where}: query parameter ${name} is not in the description`);
        continue;
      }
      const schema = p.schema as Json;
      const type = resolve(schema).type;
      const value =
        type === "integer" || type === "number" ? Number(raw) : type === "boolean" ? raw === "true" : raw;
      for (const e of check(schema, value)) problems.push(`${where}: query ${name}: ${e}`);
    }
    const body = op.requestBody ? resolve(op.requestBody as Json) : null;
    if (x.request !== undefined) {
      const schema = (body?.content as Json | undefined)?.["application/json"] as Json | undefined;
      if (!schema) problems.push(`${where}: a body where the description has none`);
      else for (const e of check(schema.schema, x.request)) problems.push(`${where}: request ${e}`);
    } else if (body?.required) problems.push(`${where}: the required body is missing`);
    const responses = op.responses as Json;
    const answer = responses[String(x.status)] ?? responses.default;
    if (!answer) return [...problems, `${where}: status ${x.status} is not in the description`];
    const content = (resolve(answer as Json).content as Json | undefined)?.["application/json"] as
      | Json
      | undefined;
    if (content && x.response !== undefined) {
      for (const e of check(content.schema, x.response)) problems.push(`${where} → ${x.status}: ${e}`);
    }
    return problems;
  };
}
