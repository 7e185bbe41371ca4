import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  InvalidParameterException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { BatchGetBuildsCommand, CodeBuildClient } from "@aws-sdk/client-codebuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getLogEvents } from "../../src/clients/cloudwatch-logs";
import { batchGetBuilds, startBuild } from "../../src/clients/codebuild";
import { type AwsHarness, jsonShape, REGION, signingScope, startAws } from "./aws-setup.node";

// AWS's own CloudWatch Logs client reads the log a CodeBuild stand-in build writes (the group and
// stream BatchGetBuilds names, as AWS's CodeBuild client parses them), pages it with its tokens
// and gets typed errors; then our GetLogEvents request is set beside the SDK's.

let aws: AwsHarness;
let logs: CloudWatchLogsClient;
let codebuild: CodeBuildClient;
beforeAll(async () => {
  aws = await startAws();
  logs = new CloudWatchLogsClient(aws.sdk(aws.logs.url));
  codebuild = new CodeBuildClient(aws.sdk(aws.codebuild.url));
});
afterAll(async () => {
  logs?.destroy();
  codebuild?.destroy();
  await aws?.close();
});

/** A build whose source is missing: it fails in DOWNLOAD_SOURCE, after CodeBuild made its log stream. */
async function failedBuild() {
  const build = await startBuild(aws.config, {
    sourceLocation: `${aws.bucket}/missing/${crypto.randomUUID()}.zip`,
    idempotencyToken: crypto.randomUUID(),
    env: { IMAGE_URI: "x" },
  });
  expect(build.logs?.groupName).toBeUndefined();
  for (let i = 0; i < 10; i++) {
    const out = await codebuild.send(new BatchGetBuildsCommand({ ids: [build.id] }));
    const b = out.builds![0]!;
    if (b.buildComplete) return b;
  }
  throw new Error("the build did not end");
}

describe("the official CloudWatch Logs client against the stand-in", () => {
  test("a build's log: named by BatchGetBuilds, read page by page until the token repeats", async () => {
    const build = await failedBuild();
    expect(build.logs).toMatchObject({
      groupName: "/aws/codebuild/app-builds",
      streamName: build.id!.split(":")[1],
      deepLink: expect.stringContaining("#logEvent:group=%2Faws%2Fcodebuild%2Fapp-builds;stream="),
      cloudWatchLogsArn: expect.stringMatching(
        /^arn:aws:logs:us-east-1:\d{12}:log-group:\/aws\/codebuild\/app-builds:log-stream:/,
      ),
    });
    const messages: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: build.logs!.groupName,
          logStreamName: build.logs!.streamName,
          startFromHead: true,
          limit: 3,
          nextToken: token,
        }),
      );
      for (const e of out.events ?? []) {
        expect(typeof e.timestamp).toBe("number");
        expect(typeof e.ingestionTime).toBe("number");
        messages.push(e.message!);
      }
      expect(out.nextBackwardToken).toMatch(/^b\//);
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    expect(messages.at(-2)).toMatch(
      /^\[Container\] \S+ \S+ Phase complete: DOWNLOAD_SOURCE State: FAILED\n$/,
    );
    expect(messages.at(-1)).toMatch(
      /Phase context status code: CLIENT_ERROR Message: CLIENT_ERROR: NoSuchKey/,
    );
  });

  test("refusals are typed: an unknown stream, a limit out of bounds", async () => {
    const missing = logs.send(
      new GetLogEventsCommand({ logGroupName: "/aws/codebuild/app-builds", logStreamName: "none" }),
    );
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    const build = await failedBuild();
    const tooMany = logs.send(
      new GetLogEventsCommand({
        logGroupName: build.logs!.groupName,
        logStreamName: build.logs!.streamName,
        limit: 10_001,
      }),
    );
    await expect(tooMany).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe("our requests beside the SDK's", () => {
  test("GetLogEvents: target, content type, body shape, signing scope; the same page read", async () => {
    const build = await failedBuild();
    const where = { logGroupName: build.logs!.groupName!, logStreamName: build.logs!.streamName! };
    const first = await getLogEvents(aws.config, { ...where, limit: 4, timeoutMs: 5_000, retries: 0 });
    aws.logs.take();
    const ours = await getLogEvents(aws.config, {
      ...where,
      nextToken: first.nextForwardToken,
      limit: 4,
      timeoutMs: 5_000,
      retries: 0,
    });
    const x = aws.logs.take().at(-1)!;
    const theirs = await logs.send(
      new GetLogEventsCommand({ ...where, startFromHead: true, nextToken: first.nextForwardToken, limit: 4 }),
    );
    const y = aws.logs.take().at(-1)!;
    expect(x.headers["x-amz-target"]).toBe("Logs_20140328.GetLogEvents");
    expect(x.headers["x-amz-target"]).toBe(y.headers["x-amz-target"]);
    expect(x.headers["content-type"]).toBe(y.headers["content-type"]);
    expect([x.method, x.path]).toEqual([y.method, y.path]);
    expect(signingScope(x)).toEqual({ region: REGION, service: "logs" });
    expect(jsonShape(x.body)).toEqual(jsonShape(y.body));
    expect(ours.events.map((e) => e.message)).toEqual(theirs.events?.map((e) => e.message));
    expect(ours.nextForwardToken).toBe(theirs.nextForwardToken);
  });

  test("BatchGetBuilds: our client reads the log's group and stream as the SDK does", async () => {
    const build = await failedBuild();
    const { builds } = await batchGetBuilds(aws.config, [build.id!]);
    expect(builds[0]!.logs).toMatchObject({
      groupName: build.logs!.groupName,
      streamName: build.logs!.streamName,
      deepLink: build.logs!.deepLink,
    });
  });
});
