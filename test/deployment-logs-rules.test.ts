import { describe, expect, it } from "vitest";
import { decodeCursor, deploymentLogsPath, encodeCursor } from "../src/services/deployments/logs/cursor";
import { endOfFollow } from "../src/services/deployments/logs/follow";
import { accountOfImage, redactor } from "../src/services/deployments/logs/redact";
import type { DeploymentRef, SourceRead } from "../src/services/deployments/logs/sources";

// The decisions behind the logs route, as pure functions: what is redacted from a line, what a
// cursor may be, and when following stops.

describe("redactor", () => {
  const redact = redactor({
    values: ["AKIAPROD0000EXAMPLE1", "koyeb-token-value-123", "short"],
    accountIds: ["210987654321"],
  });

  it.each([
    ["an AWS access key id", "key=AKIAZZZZZZZZZZZZZZZZ used", "key=[redacted] used"],
    ["a temporary AWS key id", "ASIAZZZZZZZZZZZZZZZZ", "[redacted]"],
    ["a configured secret, exactly", "token koyeb-token-value-123!", "token [redacted]!"],
    [
      "an ARN's account",
      "arn:aws:codebuild:us-east-1:123456789012:build/x",
      "arn:aws:codebuild:us-east-1:[redacted]:build/x",
    ],
    ["an ARN without region", "arn:aws:iam::123456789012:role/r", "arn:aws:iam::[redacted]:role/r"],
    [
      "an ECR registry host",
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/a:b",
      "[redacted].dkr.ecr.eu-west-1.amazonaws.com/a:b",
    ],
    ["our account anywhere", "account=210987654321.", "account=[redacted]."],
    [
      "a GitHub App installation token",
      "x-access-token:ghs_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com",
      "x-access-token:[redacted]@github.com",
    ],
    ["a GitHub personal token", "GH=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "GH=[redacted]"],
    ["a fine-grained GitHub token", "github_pat_11AAAAAAA0aaaaaaaaaaaa_bbbbbbbbbbbbbbbb", "[redacted]"],
    ["a password in a connection string", "postgres://u:p4ss@h:5432/db", "postgres://u:[redacted]@h:5432/db"],
    ["a JWT", "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefghijk", "t=[redacted]"],
    ["an AWS secret by name", "AWS_SECRET_ACCESS_KEY=abc/def+ghi", "AWS_SECRET_ACCESS_KEY=[redacted]"],
    ["a bearer header", "Authorization: Bearer abc.def", "Authorization: Bearer [redacted]"],
    [
      "a docker login password",
      "docker login -u AWS -p eyJwYXlsb2Fk https://x",
      "docker login -u AWS -p [redacted] https://x",
    ],
  ])("%s", (_what, line, expected) => {
    expect(redact(line)).toBe(expected);
  });

  it("leaves the app's own output alone: shas, ports, other numbers, short configured values", () => {
    for (const line of [
      "commit 3f2a9c0e1b7d4a5f6e8c9b0a1d2e3f4a5b6c7d8e",
      "listening on http://localhost:3000/api",
      "order 1234567890123 shipped",
      "a short value stays",
      "error TS2322: Type 'number' is not assignable to type 'string'. password: string",
    ]) {
      expect(redact(line)).toBe(line);
    }
  });

  it("reads the account of an ECR image URI only", () => {
    expect(accountOfImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/apps/x:1")).toBe("123456789012");
    expect(accountOfImage("docker.io/library/nginx:latest")).toBeNull();
    expect(accountOfImage(null)).toBeNull();
  });
});

describe("cursor", () => {
  const dep = crypto.randomUUID();

  it("round-trips, and is bound to its deployment", () => {
    const c = { d: dep, t: "build" as const, k: "f/123", n: 4 };
    expect(decodeCursor(encodeCursor(c), "cursor", dep)).toEqual(c);
    expect(() => decodeCursor(encodeCursor(c), "cursor", crypto.randomUUID())).toThrow(/not a cursor/);
  });

  it.each([
    ["not base64url", "a+b/c="],
    ["not JSON", btoa("nope").replace(/=+$/, "")],
    ["an unknown type", encodeCursor({ d: dep, t: "stdout" as never })],
    ["a negative skip", encodeCursor({ d: dep, t: "build", n: -1 })],
    ["a time that is not one", encodeCursor({ d: dep, t: "runtime", s: "yesterday" })],
    ["too long", "A".repeat(3000)],
  ])("refuses %s", (_what, text) => {
    expect(() => decodeCursor(text, "cursor", dep)).toThrow(/not a cursor/);
  });

  it("names the logs path of a deployment", () => {
    expect(deploymentLogsPath("a", "b", "runtime")).toBe("/apps/a/deployments/b/logs?type=runtime");
  });
});

describe("endOfFollow", () => {
  const dep = (status: DeploymentRef["status"]): DeploymentRef => ({
    id: "d",
    status,
    buildId: null,
    koyebDeploymentId: null,
    createdAt: new Date(),
    finishedAt: null,
  });
  const read = (caughtUp: boolean, finished: boolean): SourceRead => ({
    entries: [],
    position: { d: "d", t: "build" },
    caughtUp,
    finished,
  });

  it.each([
    ["build", "building", read(true, false), null],
    ["build", "deploying", read(false, true), null],
    ["build", "deploying", read(true, true), "complete"],
    ["build", "healthy", read(true, false), null],
    ["runtime", "deploying", read(true, false), null],
    ["runtime", "healthy", read(false, false), null],
    ["runtime", "healthy", read(true, false), "deployment_ended"],
    ["runtime", "failed", read(true, false), null],
    ["runtime", "failed", read(true, true), "complete"],
  ] as const)("%s logs, deployment %s → %s", (type, status, r, expected) => {
    expect(endOfFollow(type, dep(status), r)).toBe(expected);
  });
});
