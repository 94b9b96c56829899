import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { createCloudTrailS3Parser } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

function rec(i: number, over: Record<string, unknown> = {}) {
  return {
    eventVersion: "1.11",
    userIdentity: {
      type: "AssumedRole",
      arn: "arn:aws:sts::111122223333:assumed-role/ai-agent-deployer/kiro-5b0c",
      accountId: "111122223333",
      accessKeyId: "ASIAEXAMPLEKEY00001",
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/ai-agent-deployer", userName: "ai-agent-deployer" } },
    },
    eventTime: `2026-10-14T09:${String(10 + i).padStart(2, "0")}:03Z`,
    eventSource: "cloudformation.amazonaws.com",
    eventName: "DeleteStack",
    awsRegion: "eu-west-1",
    requestParameters: { stackName: "prod-api" },
    eventID: `evt-${i}`,
    readOnly: false,
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
    ...over,
  };
}

test("S3 delivery file: records become attributed, classified events", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: [rec(0), rec(1, { eventName: "DescribeStacks", readOnly: true })] })));
  const { events, rejects } = await parseFile(createCloudTrailS3Parser(testContext()), dir, "a.json.gz");
  assert.equal(rejects.length, 0);
  assert.equal(events.length, 2);
  const [del, describe] = events;
  assert.equal(del!.action, "cloudformation:DeleteStack");
  assert.equal(del!.agentId, "ops-agent");
  assert.equal(del!.actorKind, "agent");
  assert.equal(del!.environment, "production");
  assert.equal(del!.target, "prod-api");
  assert.ok(del!.classes.includes("destructive"));
  assert.equal(del!.time, "2026-10-14T09:10:03.000Z");
  assert.equal(del!.locator, "record 0");
  assert.deepEqual(describe!.classes, ["read"]);
});

test("AccessDenied is a denied outcome; AWSService and Root identities keep their kind; missing arn is tolerated", async () => {
  const dir = tempDir();
  const records = [
    rec(0, { errorCode: "AccessDenied", eventName: "AttachRolePolicy", eventSource: "iam.amazonaws.com" }),
    rec(1, { userIdentity: { type: "AWSService", invokedBy: "lambda.amazonaws.com" } }),
    rec(2, { userIdentity: { type: "Root", accountId: "111122223333", principalId: "111122223333" } }),
    rec(3, { userIdentity: { type: "IAMUser", accountId: "444455556666", principalId: "AIDA1" }, recipientAccountId: "444455556666", eventVersion: "1.05" }),
  ];
  writeFileSync(path.join(dir, "b.json"), JSON.stringify({ Records: records }));
  const { events } = await parseFile(createCloudTrailS3Parser(testContext()), dir, "b.json");
  assert.equal(events[0]!.outcome, "denied");
  assert.ok(events[0]!.classes.includes("privilege-change"));
  assert.equal(events[1]!.actorKind, "service");
  assert.equal(events[1]!.actor, "lambda.amazonaws.com");
  assert.equal(events[2]!.actorKind, "human");
  assert.equal(events[2]!.attrs.identityType, "Root");
  assert.equal(events[3]!.actor, "AIDA1");
  assert.equal(events[3]!.environment, "non-production");
});

test("a truncated .json.gz keeps every complete record and rejects the rest with the byte position", async () => {
  const dir = tempDir();
  const records = Array.from({ length: 200 }, (_, i) => rec(i % 40, { eventID: `evt-${i}` }));
  const gz = gzipSync(JSON.stringify({ Records: records }));
  writeFileSync(path.join(dir, "cut.json.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const { events, rejects } = await parseFile(createCloudTrailS3Parser(testContext()), dir, "cut.json.gz");
  assert.ok(events.length > 20 && events.length < 200, `kept ${events.length} complete records`);
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]!.locator, new RegExp(`record ${events.length} \\(gzip truncated at byte ${Math.floor(gz.length * 0.6)}\\)`));
  assert.match(rejects[0]!.reason, /gzip stream truncated/);
});

test("bad records are rejected one by one, the others kept", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "c.json"), JSON.stringify({ Records: [rec(0), { eventName: "X" }, "text", rec(1, { eventTime: "yesterday" })] }));
  const { events, rejects } = await parseFile(createCloudTrailS3Parser(testContext()), dir, "c.json");
  assert.equal(events.length, 1);
  assert.deepEqual(rejects.map((r) => r.locator), ["record 1", "record 2", "record 3"]);
  assert.match(rejects[2]!.reason, /eventTime/);
});

test("a file that is not CloudTrail at all is one reject naming the expected shape", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "d.json"), JSON.stringify({ items: [] }));
  const { events, rejects } = await parseFile(createCloudTrailS3Parser(testContext()), dir, "d.json");
  assert.equal(events.length, 0);
  assert.match(rejects[0]!.reason, /"Records" array/);
});
