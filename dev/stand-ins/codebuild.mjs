// AWS CodeBuild stand-in (JSON 1.1, SigV4 scoped to `codebuild`). A build of the configured
// project reads its source zip from S3 (a SigV4-signed GET, like the build's role would) and moves
// one phase per BatchGetBuilds poll. It succeeds, pushing IMAGE_URI into the ECR stand-in, when the
// zip has a Dockerfile at its root; it fails in BUILD when not, or when the zip holds `.fail-build`.
// A `.koyeb-error` file rides along on the pushed image, so the Koyeb stand-in fails its deployment;
// a `.koyeb-hang` file makes that deployment never leave PROVISIONING.
// Each build writes its log to the CloudWatch Logs stand-in (`logs`) as CodeBuild does: group
// `/aws/codebuild/<project>`, stream the build id's UUID, created once the build is provisioned
// (BatchGetBuilds names both in `logs` from then on), with CodeBuild's `[Container]` lines for
// every phase and command, the command's own output, and which phase and command failed.
import { createHash } from "node:crypto";
import { AwsClient } from "aws4fetch";
import { unzipSync } from "fflate";
import { AwsError, createAwsJsonServer, epochSeconds, requireString } from "./aws-json.mjs";
import { listen, send } from "./http.mjs";

const PHASES = ["SUBMITTED", "PROVISIONING", "DOWNLOAD_SOURCE", "BUILD", "POST_BUILD", "COMPLETED"];
// The real window is five minutes (AWS docs: "valid for 5 minutes").
const IDEMPOTENCY_WINDOW_MS = 5 * 60 * 1000;
const S3_TIMEOUT_MS = 10_000;

export async function startCodeBuild({
  port = 0,
  accessKeyId = "AKIADEVKEY",
  secretAccessKey = "dev-aws-secret",
  region = "us-east-1",
  accountId = "123456789012",
  projectName = "app-builds",
  s3Url,
  ecr,
  logs,
} = {}) {
  const builds = new Map();
  const tokens = new Map();
  let buildNumber = 0;
  const s3 = new AwsClient({ accessKeyId, secretAccessKey, service: "s3", region, retries: 0 });

  const publicBuild = (b) => {
    const { internal, ...rest } = b;
    return structuredClone(rest);
  };

  const currentEntry = (b) => b.phases[b.phases.length - 1];
  const enter = (b, phaseType) => {
    b.phases.push({ phaseType, startTime: epochSeconds() });
    b.currentPhase = phaseType;
  };
  const endCurrent = (b, phaseStatus, contexts) => {
    const p = currentEntry(b);
    p.phaseStatus = phaseStatus;
    p.endTime = epochSeconds();
    p.durationInSeconds = Math.max(0, Math.round(p.endTime - p.startTime));
    p.contexts = contexts ?? [];
  };
  const finish = (b, buildStatus) => {
    enter(b, "COMPLETED");
    b.buildStatus = buildStatus;
    b.buildComplete = true;
    b.endTime = epochSeconds();
  };
  const fail = (b, statusCode, message) => {
    phaseComplete(b, b.currentPhase, "FAILED", statusCode, message);
    endCurrent(b, "FAILED", [{ statusCode, message }]);
    finish(b, "FAILED");
  };
  const envOf = (b, name) => b.environment.environmentVariables.find((v) => v.name === name)?.value;

  const logGroup = `/aws/codebuild/${projectName}`;
  /** Lines go to CloudWatch once the build has its stream; before that CodeBuild has written none. */
  const write = (b, ...lines) => {
    if (!b.logs.streamName) return;
    logs?.appendEvents(
      b.logs.groupName,
      b.logs.streamName,
      lines.map((message) => ({ message: `${message}\n` })),
    );
  };
  const container = (text) => `[Container] ${containerTime()} ${text}`;
  const phaseComplete = (b, phase, state, code = "", message = "") =>
    write(
      b,
      container(`Phase complete: ${phase} State: ${state}`),
      container(`Phase context status code: ${code} Message: ${message}`),
    );
  /** The build is provisioned: CodeBuild makes its log stream and starts writing. */
  const openLog = (b) => {
    const streamName = b.id.slice(b.id.indexOf(":") + 1);
    b.logs = {
      groupName: logGroup,
      streamName,
      deepLink: deepLink(region, logGroup, streamName),
      cloudWatchLogsArn: `arn:aws:logs:${region}:${accountId}:log-group:${logGroup}:log-stream:${streamName}`,
      cloudWatchLogs: { status: "ENABLED" },
      s3Logs: { status: "DISABLED", encryptionDisabled: false },
    };
    write(
      b,
      container("Running on CodeBuild On-demand"),
      container("Waiting for agent ping"),
      container("Waiting for DOWNLOAD_SOURCE"),
    );
  };

  async function downloadSource(b) {
    const [bucket, ...rest] = b.source.location.split("/");
    const key = rest.join("/");
    if (!s3Url) return { error: "CLIENT_ERROR: no S3 endpoint is reachable from the build" };
    const url = `${s3Url}/${bucket}/${key.split("/").map(encodeURIComponent).join("/")}`;
    try {
      const res = await s3.fetch(url, { signal: AbortSignal.timeout(S3_TIMEOUT_MS) });
      if (!res.ok) {
        const text = await res.text();
        const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
        return { error: `CLIENT_ERROR: ${code}: error while downloading key ${key}, bucket ${bucket}` };
      }
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      return { files };
    } catch (err) {
      return { error: `CLIENT_ERROR: could not read source ${bucket}/${key}: ${err.message}` };
    }
  }

  /** One poll's worth of progress. */
  async function advance(b) {
    if (b.buildComplete) return;
    const phase = b.currentPhase;
    if (phase === "SUBMITTED" || phase === "PROVISIONING") {
      endCurrent(b, "SUCCEEDED");
      enter(b, PHASES[PHASES.indexOf(phase) + 1]);
      if (b.currentPhase === "DOWNLOAD_SOURCE") openLog(b);
      return;
    }
    if (phase === "DOWNLOAD_SOURCE") {
      const srcDir = `/codebuild/output/src${b.buildNumber}/src`;
      write(b, container("Phase is DOWNLOAD_SOURCE"), container(`CODEBUILD_SRC_DIR=${srcDir}`));
      const got = await downloadSource(b);
      if (got.error) return fail(b, "CLIENT_ERROR", got.error);
      b.internal.files = got.files;
      write(
        b,
        container("YAML location is /codebuild/readonly/buildspec.yml"),
        container("Processing environment variables"),
        container(`Moving to directory ${srcDir}`),
      );
      phaseComplete(b, "DOWNLOAD_SOURCE", "SUCCEEDED");
      endCurrent(b, "SUCCEEDED");
      enter(b, "BUILD");
      write(b, container("Entering phase BUILD"));
      return;
    }
    if (phase === "BUILD") {
      const files = b.internal.files;
      const build = 'docker build -t "$IMAGE_URI" .';
      const cmd = `Error while executing command: ${build}. Reason: exit status 1`;
      write(b, container(`Running command ${build}`));
      const failed = (output, why) => {
        write(b, ...output, container(`Command did not exit successfully ${build} exit status 1`));
        return fail(b, "COMMAND_EXECUTION_ERROR", `${cmd} (${why})`);
      };
      if (!envOf(b, "IMAGE_URI")) {
        return failed(['ERROR: "docker buildx build" requires exactly 1 argument.'], "IMAGE_URI is not set");
      }
      const loadDockerfile = "#1 [internal] load build definition from Dockerfile";
      if (!files.Dockerfile) {
        const why = "failed to read dockerfile: open Dockerfile: no such file or directory";
        return failed([loadDockerfile, `#1 ERROR: ${why}`, `ERROR: failed to solve: ${why}`], why);
      }
      const steps = dockerfileSteps(files.Dockerfile);
      write(b, loadDockerfile, "#1 transferring dockerfile: done", ...steps.map((s, i) => `#${i + 2} ${s}`));
      if (files[".fail-build"]) {
        const why = Buffer.from(files[".fail-build"]).toString("utf8").trim() || "the build script failed";
        // The failing step's own output, then Docker's verdict on it.
        const step = `#${steps.length + 2}`;
        return failed(
          [
            ...why.split("\n").map((line) => `${step} ${line}`),
            `${step} ERROR: process "/bin/sh -c ./build" did not complete successfully: exit code: 1`,
            'ERROR: failed to solve: process "/bin/sh -c ./build" did not complete successfully: exit code: 1',
          ],
          why,
        );
      }
      const n = steps.length + 2;
      write(
        b,
        `#${n} exporting to image`,
        `#${n} writing image sha256:${digestOf(b.id)} done`,
        `#${n} naming to ${envOf(b, "IMAGE_URI")} done`,
      );
      phaseComplete(b, "BUILD", "SUCCEEDED");
      endCurrent(b, "SUCCEEDED");
      enter(b, "POST_BUILD");
      write(b, container("Entering phase POST_BUILD"));
      return;
    }
    if (phase === "POST_BUILD") {
      const imageUri = envOf(b, "IMAGE_URI");
      const marker = b.internal.files[".koyeb-error"];
      const hang = b.internal.files[".koyeb-hang"];
      const push = 'docker push "$IMAGE_URI"';
      write(b, container(`Running command ${push}`));
      let pushed;
      try {
        if (!ecr) throw new Error("no registry is reachable from the build");
        pushed = ecr.pushImage(imageUri, {
          markers: {
            ...(marker ? { koyebError: Buffer.from(marker).toString("utf8").trim() || "crashed" } : {}),
            ...(hang ? { koyebHang: true } : {}),
          },
        });
      } catch (err) {
        write(
          b,
          `denied: ${err.message}`,
          container(`Command did not exit successfully ${push} exit status 1`),
        );
        const cmd = `Error while executing command: ${push}. Reason: exit status 1`;
        return fail(b, "COMMAND_EXECUTION_ERROR", `${cmd} (${err.message})`);
      }
      const [repository, tag] = splitImage(imageUri);
      write(
        b,
        `The push refers to repository [${repository}]`,
        `${tag}: digest: ${pushed?.imageDigest ?? `sha256:${digestOf(imageUri)}`} size: 1570`,
      );
      phaseComplete(b, "POST_BUILD", "SUCCEEDED");
      b.internal.files = undefined;
      endCurrent(b, "SUCCEEDED");
      finish(b, "SUCCEEDED");
    }
  }

  const operations = {
    StartBuild(input) {
      const name = requireString(input, "projectName", "InvalidInputException");
      if (name !== projectName) {
        throw new AwsError(
          400,
          "ResourceNotFoundException",
          `Project cannot be found: arn:aws:codebuild:${region}:${accountId}:project/${name}`,
        );
      }
      if (input.sourceTypeOverride !== "S3") {
        throw new AwsError(
          400,
          "InvalidInputException",
          "This project builds from S3: sourceTypeOverride must be S3",
        );
      }
      const location = requireString(input, "sourceLocationOverride", "InvalidInputException");
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+/.test(location)) {
        throw new AwsError(
          400,
          "InvalidInputException",
          `Invalid S3 source location: ${location} (expected bucket/key)`,
        );
      }
      const env = input.environmentVariablesOverride ?? [];
      if (
        !Array.isArray(env) ||
        env.some((v) => typeof v?.name !== "string" || typeof v?.value !== "string")
      ) {
        throw new AwsError(
          400,
          "InvalidInputException",
          "environmentVariablesOverride must be a list of { name, value, type }",
        );
      }
      const params = JSON.stringify([location, env, input.sourceVersion ?? null]);
      const token = input.idempotencyToken;
      if (typeof token === "string" && token) {
        const seen = tokens.get(token);
        if (seen && Date.now() - seen.at < IDEMPOTENCY_WINDOW_MS) {
          if (seen.params !== params) {
            throw new AwsError(
              400,
              "InvalidInputException",
              "Idempotency token was used with different parameters",
            );
          }
          return { build: publicBuild(builds.get(seen.buildId)) };
        }
      }
      const id = `${projectName}:${crypto.randomUUID()}`;
      buildNumber += 1;
      const b = {
        id,
        arn: `arn:aws:codebuild:${region}:${accountId}:build/${id}`,
        buildNumber,
        startTime: epochSeconds(),
        currentPhase: "SUBMITTED",
        buildStatus: "IN_PROGRESS",
        projectName,
        phases: [{ phaseType: "SUBMITTED", startTime: epochSeconds() }],
        source: { type: "S3", location, insecureSsl: false },
        ...(input.sourceVersion ? { sourceVersion: input.sourceVersion } : {}),
        artifacts: { location: "" },
        environment: {
          type: "LINUX_CONTAINER",
          image: "aws/codebuild/standard:7.0",
          computeType: "BUILD_GENERAL1_SMALL",
          environmentVariables: env.map((v) => ({
            name: v.name,
            value: v.value,
            type: v.type ?? "PLAINTEXT",
          })),
          privilegedMode: true,
          imagePullCredentialsType: "CODEBUILD",
        },
        serviceRole: `arn:aws:iam::${accountId}:role/service-role/${projectName}`,
        timeoutInMinutes: 60,
        queuedTimeoutInMinutes: 480,
        buildComplete: false,
        initiator: "appbuilder",
        // No stream yet: CodeBuild names the group and stream once the build is provisioned.
        logs: {
          deepLink: deepLink(region, null, null),
          cloudWatchLogs: { status: "ENABLED" },
          s3Logs: { status: "DISABLED", encryptionDisabled: false },
        },
        internal: {},
      };
      builds.set(id, b);
      if (typeof token === "string" && token) tokens.set(token, { buildId: id, params, at: Date.now() });
      return { build: publicBuild(b) };
    },
    async BatchGetBuilds(input) {
      const ids = input.ids;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) {
        throw new AwsError(400, "InvalidInputException", "ids must hold 1 to 100 build ids");
      }
      const found = [];
      const buildsNotFound = [];
      for (const id of ids) {
        const b = builds.get(id);
        if (!b) {
          buildsNotFound.push(id);
          continue;
        }
        await advance(b);
        found.push(publicBuild(b));
      }
      return { builds: found, buildsNotFound };
    },
  };

  const devRoutes = [
    [
      "GET",
      "/__dev/state",
      ({ res }) =>
        send(res, 200, {
          projectName,
          builds: [...builds.values()].map((b) => ({
            id: b.id,
            buildStatus: b.buildStatus,
            currentPhase: b.currentPhase,
            source: b.source.location,
            environment: Object.fromEntries(b.environment.environmentVariables.map((v) => [v.name, v.value])),
          })),
        }),
    ],
  ];

  const server = createAwsJsonServer({
    name: "codebuild",
    service: "codebuild",
    region,
    credentials: { [accessKeyId]: secretAccessKey },
    targetPrefix: "CodeBuild_20161006",
    operations,
    devRoutes,
  });
  return listen(server, port);
}

/** `2026/11/26 09:00:00.123456`, the time format of CodeBuild's `[Container]` lines (UTC). */
function containerTime(d = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return (
    `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`
  );
}

/** The console link CodeBuild answers in `logs.deepLink` (`group=null;stream=null` before the stream exists). */
function deepLink(region, group, stream) {
  return (
    `https://console.aws.amazon.com/cloudwatch/home?region=${region}#logEvent:` +
    `group=${group === null ? "null" : encodeURIComponent(group)};stream=${stream === null ? "null" : encodeURIComponent(stream)}`
  );
}

/** BuildKit's line for each instruction of a Dockerfile, as `docker build` prints them. */
function dockerfileSteps(bytes) {
  const lines = Buffer.from(bytes)
    .toString("utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  return lines.map((l, i) => `[${i + 1}/${lines.length}] ${l}`);
}

const digestOf = (text) => createHash("sha256").update(text).digest("hex");

function splitImage(uri) {
  const at = uri.lastIndexOf(":");
  return at > uri.lastIndexOf("/") ? [uri.slice(0, at), uri.slice(at + 1)] : [uri, "latest"];
}
