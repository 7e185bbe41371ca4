// Starts every stand-in in this process, each on its own port (0 = any free port).
import { startGitHub } from "./github.mjs";
import { startS3 } from "./s3.mjs";
import { startStack } from "./stack.mjs";

/**
 * @param {{ ports?: Record<string, number>, only?: string[], stack?: object, s3?: object }} opts
 *   `only` limits which stand-ins start (npm run dev skips services whose URL is configured).
 */
export async function startStandIns({ ports = {}, only, stack = {}, s3 = {} } = {}) {
  const want = (name) => !only || only.includes(name);
  const started = {};
  if (want("stack")) started.stack = await startStack({ port: ports.stack ?? 0, ...stack });
  if (want("github")) started.github = await startGitHub({ port: ports.github ?? 0 });
  if (want("s3")) started.s3 = await startS3({ port: ports.s3 ?? 0, ...s3 });
  return {
    ...started,
    close: async () => {
      await Promise.all(Object.values(started).map((s) => s.close()));
    },
  };
}
