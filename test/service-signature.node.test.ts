// The services' signature (README, Layout: Services), read from the source: every function a
// module under src/services exports that reaches the configuration, Postgres, the bindings, a
// logger or the caller takes one argument, `{ ctx, input }`, and only `ctx` carries those.
// Everything else such a module exports reaches nothing but its arguments.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");
const SERVICES = join(ROOT, "src/services");

/** What only `ctx` may carry: type names, and the parameter names the code gives them. */
const WORLD_TYPES = /\b(Config|Db|DbHandle|Env|Logger|AuthUser|ServiceContext|RequestContext)\b/;
const WORLD_NAMES = new Set(["ctx", "db", "config", "env", "logger", "log", "user"]);

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

const parse = (file: string, text = readFileSync(file, "utf8")) =>
  ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

/** Every type alias and interface declared in these files, by name (a name declared twice: both). */
function typeDeclarations(files: ts.SourceFile[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const sf of files) {
    for (const s of sf.statements) {
      if (ts.isTypeAliasDeclaration(s) || ts.isInterfaceDeclaration(s)) {
        out.set(s.name.text, `${out.get(s.name.text) ?? ""} ${s.getText(sf)}`);
      }
    }
  }
  return out;
}

/** Whether a type's text names a world type, directly or through the declarations it names. */
function reachesWorld(text: string, types: Map<string, string>, seen = new Set<string>()): boolean {
  if (WORLD_TYPES.test(text)) return true;
  for (const [name] of text.matchAll(/\b[A-Z]\w*\b/g)) {
    const decl = types.get(name);
    if (!decl || seen.has(name)) continue;
    seen.add(name);
    if (reachesWorld(decl, types, seen)) return true;
  }
  return false;
}

interface Exported {
  file: string;
  name: string;
  params: readonly ts.ParameterDeclaration[];
}

function exportedFunctions(sf: ts.SourceFile): Exported[] {
  const file = relative(ROOT, sf.fileName);
  const exported = (n: ts.Node) =>
    ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const out: Exported[] = [];
  for (const s of sf.statements) {
    if (ts.isFunctionDeclaration(s) && s.name && exported(s)) {
      out.push({ file, name: s.name.text, params: s.parameters });
    } else if (ts.isVariableStatement(s) && exported(s)) {
      for (const d of s.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          out.push({ file, name: d.name.text, params: init.parameters });
        }
      }
    }
  }
  return out;
}

/** "service" (it follows the rule), "pure" (it reaches nothing but its arguments), or what is wrong. */
function judge(fn: Exported, sf: ts.SourceFile, types: Map<string, string>): string {
  const reaches = fn.params.some(
    (p) =>
      (ts.isIdentifier(p.name) && WORLD_NAMES.has(p.name.text)) ||
      (ts.isObjectBindingPattern(p.name) &&
        p.name.elements.some((e) => WORLD_NAMES.has((e.propertyName ?? e.name).getText(sf)))) ||
      (p.type !== undefined && reachesWorld(p.type.getText(sf), types)),
  );
  if (!reaches) return "pure";
  const [only, ...more] = fn.params;
  if (!only || more.length > 0) {
    return `takes ${fn.params.length} parameters; a service takes one, { ctx, input }`;
  }
  if (!ts.isObjectBindingPattern(only.name)) {
    return `takes ${only.name.getText(sf)}; a service takes { ctx, input }`;
  }
  const names = only.name.elements.map((e) => (e.propertyName ?? e.name).getText(sf));
  if (!names.includes("ctx") || names.some((n) => n !== "ctx" && n !== "input")) {
    return `takes { ${names.join(", ")} }; a service takes { ctx, input }`;
  }
  if (only.type && ts.isTypeLiteralNode(only.type)) {
    const input = only.type.members.find((m) => m.name?.getText(sf) === "input");
    if (input && ts.isPropertySignature(input) && input.type && reachesWorld(input.type.getText(sf), types)) {
      return "its input carries what only ctx may carry";
    }
  }
  return "service";
}

const files = walk(SERVICES).map((f) => parse(f));
// The context types are declared outside src/services.
const types = typeDeclarations([...files, parse(join(ROOT, "src/context.ts"))]);
const verdicts = files.flatMap((sf) =>
  exportedFunctions(sf).map((fn) => ({ at: `${fn.file}: ${fn.name}`, verdict: judge(fn, sf, types) })),
);

describe("service signature", () => {
  it("every exported function of src/services that reaches the world takes ({ ctx, input })", () => {
    const broken = verdicts.filter((v) => v.verdict !== "service" && v.verdict !== "pure");
    expect(broken.map((v) => `${v.at}: ${v.verdict}`)).toEqual([]);
  });

  it("tells services from pure helpers", () => {
    const of = (at: string) => verdicts.find((v) => v.at === at)?.verdict;
    expect(of("src/services/apps/get-app.ts: getApp")).toBe("service");
    expect(of("src/services/deploy/registry-secret.ts: refreshRegistrySecrets")).toBe("service");
    expect(of("src/services/apps/wire.ts: toApp")).toBe("pure");
    expect(of("src/services/snapshots/keys.ts: archiveKey")).toBe("pure");
    expect(of("src/services/github/commit.ts: commitVersion")).toBe("pure");
    expect(verdicts.filter((v) => v.verdict === "service").length).toBeGreaterThan(60);
  });

  it("refuses the other shapes", () => {
    const sample = parse(
      "sample.ts",
      `import type { Db } from "../../db/client";
       type Deps = { config: Config };
       export async function byPosition(db: Db, ownerId: string, appId: string) {}
       export async function contextOnly(ctx: RequestContext) {}
       export async function byContextAndUser(ctx: ServiceContext, user: AuthUser, appId: string) {}
       export const byAlias = async (deps: Deps, appId: string) => {};
       export async function inInput({ ctx, input }: { ctx: ServiceContext; input: { db: Db } }) {}
       export async function extra({ ctx, input, user }: { ctx: ServiceContext; input: {}; user: AuthUser }) {}
       export async function fine({ ctx, input }: { ctx: ServiceContext; input: { appId: string } }) {}
       export function pure(appId: string, version: number) {}`,
    );
    const sampleTypes = new Map([...types, ...typeDeclarations([sample])]);
    const got = Object.fromEntries(
      exportedFunctions(sample).map((fn) => [fn.name, judge(fn, sample, sampleTypes)]),
    );
    expect(got).toEqual({
      byPosition: "takes 3 parameters; a service takes one, { ctx, input }",
      contextOnly: "takes ctx; a service takes { ctx, input }",
      byContextAndUser: "takes 3 parameters; a service takes one, { ctx, input }",
      byAlias: "takes 2 parameters; a service takes one, { ctx, input }",
      inInput: "its input carries what only ctx may carry",
      extra: "takes { ctx, input, user }; a service takes { ctx, input }",
      fine: "service",
      pure: "pure",
    });
  });
});
