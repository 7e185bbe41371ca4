// Starts every stand-in in this process, each on its own port (0 = any free port).
import { startAgent } from "./agent.mjs";
import { startGitHub } from "./github.mjs";
import { startS3 } from "./s3.mjs";
import { startStack } from "./stack.mjs";

/**
 * @param {{ ports?: Record<string, number>, only?: string[], stack?: object, s3?: object, agent?: object }} opts
 *   `only` limits which stand-ins start (npm run dev skips services whose URL is configured).
 */
export async function startStandIns({ ports = {}, only, stack = {}, s3 = {}, agent = {} } = {}) {
  const want = (name) => !only || only.includes(name);
  const started = {};
  if (want("stack")) started.stack = await startStack({ port: ports.stack ?? 0, ...stack });
  if (want("agent")) started.agent = await startAgent({ port: ports.agent ?? 0, ...agent });
  if (want("github")) started.github = await startGitHub({ port: ports.github ?? 0 });
  if (want("s3")) started.s3 = await startS3({ port: ports.s3 ?? 0, ...s3 });
  return {
    ...started,
    close: async () => {
      await Promise.all(Object.values(started).map((s) => s.close()));
    },
  };
}
