// Amazon CloudWatch Logs stand-in (JSON 1.1, target prefix `Logs_20140328`, SigV4 scoped to `logs`):
// log groups holding log streams of events, read with GetLogEvents the way CloudWatch pages them.
// The CodeBuild stand-in writes its builds' lines here (`appendEvents`), as CodeBuild writes to
// CloudWatch; `POST /__dev/events` adds lines by hand.
// Constraints from AWS's model of the service (botocore `logs/2014-03-28/service-2.json`): group
// names 1-512 of `[.\-_/#A-Za-z0-9]`, stream names 1-512 without `:` or `*`, `limit` 1-10000,
// a page holds at most 1 MB of events (each counted as its UTF-8 size + 26 bytes) and
// `nextToken` at least 1 character. Tokens are opaque to clients: `f/` or `b/` and 56 digits, here
// a digest of the stream and the position; a token of another stream is refused. Reading forward
// past the last event answers the token it was given, which is how a reader knows it is at the end.
import { createHash } from "node:crypto";
import { AwsError, createAwsJsonServer } from "./aws-json.mjs";
import { json, listen, send } from "./http.mjs";

const GROUP_RX = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_RX = /^[^:*]{1,512}$/;
const MAX_LIMIT = 10_000;
const PAGE_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;

const invalid = (message) => new AwsError(400, "InvalidParameterException", message);
const constraint = (value, member, rule) =>
  invalid(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${rule}`,
  );

export async function startLogs({
  port = 0,
  accessKeyId = "AKIADEVKEY",
  secretAccessKey = "dev-aws-secret",
  region = "us-east-1",
} = {}) {
  /** group name → Map(stream name → events[]) */
  const groups = new Map();

  const streamDigest = (group, stream) =>
    BigInt(`0x${createHash("sha256").update(`${group}\0${stream}`).digest("hex").slice(0, 16)}`)
      .toString()
      .padStart(20, "0");
  const token = (dir, group, stream, position) =>
    `${dir}/${streamDigest(group, stream)}${String(position).padStart(36, "0")}`;
  function readToken(value, group, stream) {
    const m = /^([fb])\/(\d{20})(\d{36})$/.exec(value);
    if (!m || m[2] !== streamDigest(group, stream)) throw invalid("The specified nextToken is invalid.");
    return { dir: m[1], position: Number(m[3]) };
  }

  /** Adds events to a stream, making its group and the stream when new (as CodeBuild's role does). */
  function appendEvents(group, stream, events) {
    if (!GROUP_RX.test(group) || !STREAM_RX.test(stream)) throw new Error("invalid log group or stream name");
    if (!groups.has(group)) groups.set(group, new Map());
    const streams = groups.get(group);
    if (!streams.has(stream)) streams.set(stream, []);
    const list = streams.get(stream);
    const now = Date.now();
    for (const e of events) {
      list.push({ timestamp: e.timestamp ?? now, message: String(e.message), ingestionTime: now });
    }
    return list.length;
  }

  const operations = {
    GetLogEvents(input) {
      if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
        throw invalid("LogGroup name and LogGroup identifier are mutually exclusive parameters.");
      }
      const identifier = input.logGroupName ?? input.logGroupIdentifier;
      const member = input.logGroupName !== undefined ? "logGroupName" : "logGroupIdentifier";
      if (typeof identifier !== "string" || identifier === "") {
        throw invalid("Either the log group name or the log group identifier must be provided.");
      }
      // An identifier may be the group's ARN (arn:aws:logs:<region>:<account>:log-group:<name>).
      const group =
        member === "logGroupIdentifier"
          ? identifier.replace(/^arn:[^:]+:logs:[^:]*:\d*:log-group:/, "")
          : identifier;
      if (!GROUP_RX.test(group)) {
        throw constraint(
          identifier,
          member,
          "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
        );
      }
      const stream = input.logStreamName;
      if (typeof stream !== "string") throw constraint("null", "logStreamName", "Member must not be null");
      if (!STREAM_RX.test(stream)) {
        throw constraint(stream, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*");
      }
      const limit = input.limit ?? MAX_LIMIT;
      if (!Number.isInteger(limit) || limit < 1) {
        throw constraint(limit, "limit", "Member must have value greater than or equal to 1");
      }
      if (limit > MAX_LIMIT) {
        throw constraint(limit, "limit", `Member must have value less than or equal to ${MAX_LIMIT}`);
      }
      if (input.nextToken !== undefined && (typeof input.nextToken !== "string" || input.nextToken === "")) {
        throw constraint(input.nextToken, "nextToken", "Member must have length greater than or equal to 1");
      }
      for (const t of ["startTime", "endTime"]) {
        if (input[t] !== undefined && (!Number.isInteger(input[t]) || input[t] < 0)) {
          throw constraint(input[t], t, "Member must have value greater than or equal to 0");
        }
      }
      const streams = groups.get(group);
      if (!streams)
        throw new AwsError(400, "ResourceNotFoundException", "The specified log group does not exist.");
      const all = streams.get(stream);
      if (!all)
        throw new AwsError(400, "ResourceNotFoundException", "The specified log stream does not exist.");

      const fromHead = input.startFromHead === true;
      const inRange = (e) =>
        (input.startTime === undefined || e.timestamp >= input.startTime) &&
        (input.endTime === undefined || e.timestamp < input.endTime);
      const at = input.nextToken === undefined ? null : readToken(input.nextToken, group, stream);
      // A forward token reads on from its position; a backward one reads the events before it.
      const forward = at ? at.dir === "f" : fromHead;
      if (at?.dir === "f" && !fromHead) {
        throw invalid("A nextForwardToken must be used with startFromHead set to true.");
      }
      const picked = [];
      let bytes = 0;
      const fits = (e) => {
        const size = Buffer.byteLength(e.message, "utf8") + EVENT_OVERHEAD;
        if (picked.length >= limit || (picked.length > 0 && bytes + size > PAGE_BYTES)) return false;
        bytes += size;
        return true;
      };
      let first;
      let end;
      if (forward) {
        first = at?.position ?? 0;
        let i = first;
        for (; i < all.length; i++) {
          if (!inRange(all[i])) continue;
          if (!fits(all[i])) break;
          picked.push(all[i]);
        }
        end = Math.min(i, all.length);
      } else {
        end = at?.position ?? all.length;
        let i = end - 1;
        for (; i >= 0; i--) {
          if (!inRange(all[i])) continue;
          if (!fits(all[i])) break;
          picked.unshift(all[i]);
        }
        first = i + 1;
      }
      return {
        events: picked.map((e) => ({ ...e })),
        nextForwardToken: token("f", group, stream, end),
        nextBackwardToken: token("b", group, stream, first),
      };
    },
  };

  const devRoutes = [
    [
      "GET",
      "/__dev/state",
      ({ res }) =>
        send(res, 200, {
          groups: [...groups].map(([name, streams]) => ({
            name,
            streams: [...streams].map(([streamName, events]) => ({
              name: streamName,
              events: events.length,
            })),
          })),
        }),
    ],
    [
      // Adds lines to a stream: { logGroupName, logStreamName, messages: string[] }.
      "POST",
      "/__dev/events",
      ({ res, body }) => {
        const b = json(body);
        if (
          !b ||
          typeof b.logGroupName !== "string" ||
          typeof b.logStreamName !== "string" ||
          !Array.isArray(b.messages)
        ) {
          return send(res, 400, {
            message: "body must be { logGroupName, logStreamName, messages: string[] }",
          });
        }
        try {
          const count = appendEvents(
            b.logGroupName,
            b.logStreamName,
            b.messages.map((message) => ({ message })),
          );
          send(res, 200, { events: count });
        } catch (err) {
          send(res, 400, { message: err.message });
        }
      },
    ],
  ];

  const server = createAwsJsonServer({
    name: "logs",
    service: "logs",
    region,
    credentials: { [accessKeyId]: secretAccessKey },
    targetPrefix: "Logs_20140328",
    operations,
    devRoutes,
  });
  const started = await listen(server, port);
  return { ...started, appendEvents };
}
