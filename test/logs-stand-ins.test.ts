import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { useTestDb } from "./helpers/db";
import { standInUrl } from "./helpers/env";
import { runningDeployment } from "./helpers/logs";

// The log stand-ins refuse what CloudWatch Logs and Koyeb's log query refuse (the constraints of
// AWS's model of CloudWatch Logs and Koyeb's OpenAPI description), so the reader above them is
// tested against the real rules.

const db = useTestDb();
const KEY = { accessKeyId: "AKIATESTKEY", secretAccessKey: "test-aws-secret" };
const TARGET = "Logs_20140328";

async function logsCall(operation: string, input: object, service = "logs") {
  const aws = new AwsClient({ ...KEY, service, region: "us-east-1", retries: 0 });
  const res = await aws.fetch(`${standInUrl("logs")}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${TARGET}.${operation}` },
    body: JSON.stringify(input),
  });
  const text = new TextDecoder().decode(await res.arrayBuffer());
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

async function stream(lines: number) {
  const group = `/test/${crypto.randomUUID()}`;
  const res = await fetch(`${standInUrl("logs")}/__dev/events`, {
    method: "POST",
    body: JSON.stringify({
      logGroupName: group,
      logStreamName: "s1",
      messages: Array.from({ length: lines }, (_, i) => `line ${i + 1}\n`),
    }),
  });
  expect(res.status).toBe(200);
  return group;
}

type Page = { events: { message: string; timestamp: number }[]; nextForwardToken: string };

describe("CloudWatch Logs stand-in", () => {
  it("refuses a signature for another service, an unknown operation and out-of-model input", async () => {
    const group = await stream(1);
    const ok = { logGroupName: group, logStreamName: "s1" };
    const wrongService = await logsCall("GetLogEvents", ok, "codebuild");
    expect(wrongService).toMatchObject({ status: 403, body: { __type: "InvalidSignatureException" } });
    expect(await logsCall("PutLogEvents", ok)).toMatchObject({
      status: 400,
      body: { __type: "UnknownOperationException" },
    });
    for (const input of [
      { ...ok, limit: 0 },
      { ...ok, limit: 10_001 },
      { ...ok, limit: 1.5 },
      { logGroupName: group },
      { ...ok, logStreamName: "a:b" },
      { ...ok, logGroupName: "bad name" },
      { ...ok, logGroupIdentifier: group },
      { ...ok, nextToken: "" },
      { ...ok, nextToken: "f/123" },
    ]) {
      expect(await logsCall("GetLogEvents", input), JSON.stringify(input)).toMatchObject({
        status: 400,
        body: { __type: "InvalidParameterException" },
      });
    }
    for (const input of [
      { logGroupName: `/test/${crypto.randomUUID()}`, logStreamName: "s1" },
      { logGroupName: group, logStreamName: "s2" },
    ]) {
      expect(await logsCall("GetLogEvents", input)).toMatchObject({
        status: 400,
        body: { __type: "ResourceNotFoundException" },
      });
    }
  });

  it("reads a stream forward a page at a time; the same token back is the end; tokens are per stream", async () => {
    const group = await stream(5);
    const read = async (nextToken?: string) =>
      (
        await logsCall("GetLogEvents", {
          logGroupName: group,
          logStreamName: "s1",
          startFromHead: true,
          limit: 2,
          ...(nextToken ? { nextToken } : {}),
        })
      ).body as Page;
    const seen: string[] = [];
    const tokens: (string | undefined)[] = [undefined];
    for (let i = 0; i < 10; i++) {
      const page = await read(tokens.at(-1));
      seen.push(...page.events.map((e) => e.message));
      if (page.nextForwardToken === tokens.at(-1)) break;
      tokens.push(page.nextForwardToken);
    }
    expect(seen).toEqual(["line 1\n", "line 2\n", "line 3\n", "line 4\n", "line 5\n"]);
    expect(tokens.at(-1)).toMatch(/^f\/\d{56}$/);
    // A forward token must be read forward, and only on its own stream.
    const backwards = await logsCall("GetLogEvents", {
      logGroupName: group,
      logStreamName: "s1",
      nextToken: tokens[1],
    });
    expect(backwards.status).toBe(400);
    const other = await stream(1);
    const foreign = await logsCall("GetLogEvents", {
      logGroupName: other,
      logStreamName: "s1",
      startFromHead: true,
      nextToken: tokens[1],
    });
    expect(foreign).toMatchObject({ status: 400, body: { __type: "InvalidParameterException" } });
    // Without startFromHead, the newest events come (still oldest first within the page).
    const tail = (await logsCall("GetLogEvents", { logGroupName: group, logStreamName: "s1", limit: 2 }))
      .body as Page;
    expect(tail.events.map((e) => e.message)).toEqual(["line 4\n", "line 5\n"]);
  });
});

describe("Koyeb log query stand-in", () => {
  const query = (params: string, token = "test-koyeb-token") =>
    fetch(`${standInUrl("koyeb")}/v1/streams/logs/query?${params}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });

  it("refuses what Koyeb refuses: no token, no filter, a bad type, order or limit, start after end, text with regex", async () => {
    expect((await query("deployment_id=x", "")).status).toBe(401);
    const now = new Date().toISOString();
    for (const [params, field] of [
      ["type=runtime", "app_id"],
      ["deployment_id=x&type=stdout", "type"],
      ["deployment_id=x&order=up", "order"],
      ["deployment_id=x&limit=1001", "limit"],
      ["deployment_id=x&limit=0", "limit"],
      [`deployment_id=x&start=${now}&end=${now}`, "start"],
      ["deployment_id=x&start=yesterday", "start"],
      ["deployment_id=x&text=a&regex=b", "regex"],
    ]) {
      const res = await query(params!);
      expect([res.status, params]).toEqual([400, params]);
      expect(await res.json()).toMatchObject({ code: "invalid_argument", fields: [{ field }] });
    }
  });

  it("answers a deployment's lines in order, a page at a time, with the window of the rest", async () => {
    const s = await runningDeployment(db);
    const start = new Date(Date.now() - 60_000).toISOString();
    const end = new Date(Date.now() + 1_000).toISOString();
    const base = `type=runtime&deployment_id=${s.koyebDeploymentId}&end=${end}&order=asc&limit=2`;
    const first = (await (await query(`${base}&start=${start}`)).json()) as {
      data: { msg: string; created_at: string; labels: Record<string, string> }[];
      pagination: { has_more: boolean; next_start: string; next_end: string };
    };
    expect(first.data.map((d) => d.msg)).toEqual([
      "Instance created. Preparing to start...",
      "Instance is starting. Propagating network configuration...",
    ]);
    expect(first.data[0]!.labels).toMatchObject({ stream: "koyeb", deployment_id: s.koyebDeploymentId });
    expect(first.data[0]!.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(first.pagination.has_more).toBe(true);
    const rest = (await (await query(`${base}&start=${first.pagination.next_start}`)).json()) as typeof first;
    expect(rest.data.map((d) => [d.labels.stream, d.msg])).toEqual([
      ["stdout", "Server listening on port 80"],
      ["koyeb", "Instance is healthy. All health checks are passing."],
    ]);
    expect(rest.pagination.has_more).toBe(false);
    // Koyeb's default order is newest first.
    const desc = (await (
      await query(`type=runtime&deployment_id=${s.koyebDeploymentId}&limit=1`)
    ).json()) as typeof first;
    expect(desc.data.map((d) => d.msg)).toEqual(["Instance is healthy. All health checks are passing."]);
  });
});
