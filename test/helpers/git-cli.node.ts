import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { GenTree } from "./diff-cases";

// The real `git` for the differential tests, reading no user or system configuration: its
// defaults are what we compare against.

/** Runs git with `home` as its HOME; answers its status and output (it never throws on a status). */
export function gitRunner(home: string) {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CEILING_DIRECTORIES: tmpdir(),
    LC_ALL: "C",
  };
  return (args: string[], cwd: string, input?: string) => {
    const r = spawnSync("git", args, { cwd, input, env, maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw r.error;
    return { status: r.status ?? -1, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
  };
}

/** Writes a generated tree's files under `dir` (folders made as needed, modes set). */
export function writeFiles(dir: string, tree: GenTree) {
  for (const [p, f] of tree) {
    const file = join(dir, p);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.content);
    chmodSync(file, f.mode === "100755" ? 0o755 : 0o644);
  }
}
