// Starts every stand-in in this process, each on its own port (0 = any free port).
import { startAgent } from "./agent.mjs";
import { startCodeBuild } from "./codebuild.mjs";
import { startEcr } from "./ecr.mjs";
import { startGitHub } from "./github.mjs";
import { startKoyeb } from "./koyeb.mjs";
import { startLogs } from "./logs.mjs";
import { startNeon } from "./neon.mjs";
import { startS3 } from "./s3.mjs";
import { startStack } from "./stack.mjs";

/**
 * @param {{ ports?: Record<string, number>, only?: string[], stack?: object, s3?: object, agent?: object,
 *   ecr?: object, logs?: object, codebuild?: object, koyeb?: object, neon?: object }} opts
 *   `only` limits which stand-ins start (npm run dev skips services whose URL is configured).
 */
export async function startStandIns({
  ports = {},
  only,
  stack = {},
  s3 = {},
  agent = {},
  ecr = {},
  logs = {},
  codebuild = {},
  koyeb = {},
  neon = {},
  github = {},
} = {}) {
  const want = (name) => !only || only.includes(name);
  const started = {};
  try {
    if (want("stack")) started.stack = await startStack({ port: ports.stack ?? 0, ...stack });
    if (want("agent")) started.agent = await startAgent({ port: ports.agent ?? 0, ...agent });
    if (want("github")) started.github = await startGitHub({ port: ports.github ?? 0, ...github });
    if (want("s3")) started.s3 = await startS3({ port: ports.s3 ?? 0, ...s3 });
    // CodeBuild reads sources from S3, writes its log to CloudWatch Logs and pushes to ECR; Koyeb
    // pulls from ECR: start them in order.
    if (want("ecr")) started.ecr = await startEcr({ port: ports.ecr ?? 0, ...ecr });
    if (want("logs")) started.logs = await startLogs({ port: ports.logs ?? 0, ...logs });
    if (want("codebuild")) {
      started.codebuild = await startCodeBuild({
        port: ports.codebuild ?? 0,
        s3Url: started.s3?.url,
        ecr: started.ecr,
        logs: started.logs,
        ...codebuild,
      });
    }
    if (want("koyeb"))
      started.koyeb = await startKoyeb({ port: ports.koyeb ?? 0, ecr: started.ecr, ...koyeb });
    if (want("neon")) started.neon = await startNeon({ port: ports.neon ?? 0, ...neon });
  } catch (err) {
    // One that cannot start (its port taken, say) stops the ones already listening.
    await Promise.allSettled(Object.values(started).map((s) => s.close()));
    throw err;
  }
  return {
    ...started,
    close: async () => {
      await Promise.all(Object.values(started).map((s) => s.close()));
    },
  };
}
