import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { classifyTrailFile } from "../../src/ingest/cloudtrail/file-kinds.ts";
import { createCloudTrailS3Parser, DEFAULT_LIMITS } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parseAthenaValue } from "../../src/ingest/cloudtrail/athena-struct.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const FIXTURES = path.join(REPO_ROOT, "test", "fixtures", "cloudtrail");
const ORG_LOG = "org-trail/AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T0925Z_a1b2c3d4e5f6a7b8.json.gz";
const parser = () => createCloudTrailS3Parser(testContext());

test("file kinds: log files by AWS's name pattern (org trails too); digests, Insights and Config are skipped with a reason", () => {
  assert.equal(classifyTrailFile(ORG_LOG).kind, "log");
  assert.equal(classifyTrailFile("x/111122223333_CloudTrail_us-east-1_20261014T0925Z_a1b2c3d4e5f6a7b8.json").kind, "log");
  const digestPath = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/10/14/111122223333_CloudTrail-Digest_eu-west-1_trail_eu-west-1_20261014T092500Z.json.gz";
  const digest = classifyTrailFile(digestPath);
  assert.equal(digest.kind, "digest");
  assert.match(digest.skip!, /integrity/);
  // A saved signature sits beside its digest, in the CloudTrail-Digest folder.
  for (const suffix of [".sig", ".metadata.json"]) assert.equal(classifyTrailFile(digestPath + suffix).kind, "signature");
  assert.equal(classifyTrailFile("cloudtrail/list-public-keys.json").kind, "public-keys");
  assert.equal(classifyTrailFile("AWSLogs/1/CloudTrail-Insight/eu-west-1/2026/10/14/1_CloudTrail-Insight_eu-west-1_20261014T0925Z_x.json.gz").kind, "insight");
  assert.equal(classifyTrailFile("AWSLogs/1/Config/eu-west-1/2026/10/14/ConfigHistory/1_Config_eu-west-1_ConfigHistory_x.json.gz").kind, "config");
  assert.equal(classifyTrailFile("AWSLogs/1/Config/ConfigWritabilityCheckFile").kind, "config");
  assert.equal(classifyTrailFile("exports/lookup-events.json").kind, "export");
  assert.equal(classifyTrailFile("exports/lookup-events.json").skip, null);
  assert.equal(parser().skip!("lake/q/result_sign.json") !== null, true);
});

test("org-trail delivery file: eventVersion 1.05 to 1.11, AWSService, Root, cross-account AssumeRole, AccessDenied, missing arn", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, ORG_LOG);
  assert.equal(rejects.length, 0);
  assert.deepEqual(events.slice(0, 7).map((e) => e.attrs.eventVersion), ["1.05", "1.06", "1.07", "1.08", "1.09", "1.10", "1.11"]);
  assert.ok(events.slice(0, 7).every((e) => e.action === "cloudformation:DescribeStacks" && e.agentId === "ops-agent"));
  const byId = new Map(events.map((e) => [e.attrs.eventId, e]));
  assert.equal(byId.get("svc-0001")!.actorKind, "service");
  assert.equal(byId.get("svc-0001")!.actor, "cloudformation.amazonaws.com");
  assert.equal(byId.get("root-0001")!.attrs.identityType, "Root");
  const assume = byId.get("xacct-0001")!;
  assert.equal(assume.account, "111122223333", "recipient account, not the caller's");
  assert.equal(assume.action, "sts:AssumeRole");
  const denied = byId.get("denied-0001")!;
  assert.equal(denied.outcome, "denied");
  assert.equal(denied.agentId, "ops-agent", "attributed by the role although userIdentity.arn is missing");
  assert.equal(denied.actor, "AROAEXAMPLEROLE01:kiro-5b0c");
});

test("lookup-events output: the embedded CloudTrailEvent string is the record", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "lookup-events.json");
  assert.equal(rejects.length, 0);
  assert.equal(events.length, 3);
  assert.equal(events[0]!.eventKey, "0b1e9d5a-0000-4000-a000-000000000000");
  assert.equal(events[0]!.time, "2026-10-14T09:10:03.000Z");
});

test("CloudWatch Logs export and Event history JSON download", async () => {
  const cwl = await parseFile(parser(), FIXTURES, "cloudwatch-logs-export.json");
  assert.equal(cwl.events.length, 2);
  assert.equal(cwl.rejects.length, 0);
  const history = await parseFile(parser(), FIXTURES, "event-history.json");
  assert.deepEqual(history.events.map((e) => e.attrs.eventId), ["xacct-0001", "denied-0001"]);
});

test("console Event history CSV: headers matched case-insensitively, the embedded record used when present", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "event-history.csv");
  assert.equal(rejects.length, 0);
  assert.equal(events.length, 3);
  assert.equal(events[1]!.outcome, "denied");
  assert.equal(events[0]!.locator, "line 2");
  const plain = events[2]!;
  assert.equal(plain.action, "cloudformation:DeleteStack");
  assert.equal(plain.sessionId, "ASIADEVKEY");
  assert.equal(plain.actor, null, "the download carries a user name, not a principal ARN");
  assert.equal(plain.region, "eu-west-1");
});

test("Athena CSV: {key=value} structs become the record's userIdentity, resources and tlsDetails", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "athena-results.csv");
  assert.equal(rejects.length, 0, JSON.stringify(rejects));
  const [del, decrypt] = events;
  assert.equal(del!.action, "cloudformation:DeleteStack");
  assert.equal(del!.agentId, "ops-agent");
  assert.equal(del!.target, "prod-api");
  assert.equal(del!.attrs.sourceIdentity, "dev@example.com");
  assert.equal(del!.environment, "production");
  assert.equal(decrypt!.actorKind, "service");
  assert.deepEqual(parseAthenaValue("{a=1, b={c=x, y}, d=[{e=null}]}"), { a: "1", b: { c: "x, y" }, d: [{ e: null }] });
});

test("CloudTrail Lake result_*.csv.gz: JSON cells and zone-less UTC timestamps", async () => {
  const { events, rejects } = await parseFile(parser(), FIXTURES, "lake/queryid-1/2026/10/14/result_1.csv.gz");
  assert.equal(rejects.length, 0);
  assert.equal(events[0]!.time, "2026-10-14T09:12:03.000Z");
  assert.equal(events[0]!.action, "cloudformation:CreateStack");
  assert.equal(events[0]!.agentId, "ops-agent");
});

function bigDelivery(n: number) {
  return {
    Records: Array.from({ length: n }, (_, i) => ({
      eventVersion: "1.11", eventTime: "2026-10-14T09:00:00Z", eventSource: "s3.amazonaws.com", eventName: "ListBuckets", awsRegion: "eu-west-1",
      eventID: `id-${i}`, userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/ci" }, requestParameters: { note: "ünïcødé ✓".repeat(3) },
    })),
  };
}

test("over the whole-file cap a file is read record by record, with the same result", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "big.json.gz"), gzipSync(JSON.stringify(bigDelivery(500))));
  writeFileSync(path.join(dir, "big.json"), JSON.stringify(bigDelivery(500), null, 2));
  const whole = await parseFile(parser(), dir, "big.json.gz");
  const small = { ...DEFAULT_LIMITS, wholeFileBytes: 4096 };
  const streamed = await parseFile(createCloudTrailS3Parser(testContext(), small), dir, "big.json.gz");
  const plain = await parseFile(createCloudTrailS3Parser(testContext(), small), dir, "big.json");
  assert.equal(whole.events.length, 500);
  assert.deepEqual(streamed.events, whole.events);
  assert.deepEqual(plain.events, whole.events);
  assert.equal(streamed.rejects.length + plain.rejects.length, 0);
});

test("streaming keeps the complete records of a truncated gzip and rejects the rest", async () => {
  const dir = tempDir();
  const gz = gzipSync(JSON.stringify(bigDelivery(400)));
  writeFileSync(path.join(dir, "cut.json.gz"), gz.subarray(0, Math.floor(gz.length * 0.5)));
  const { events, rejects } = await parseFile(createCloudTrailS3Parser(testContext(), { ...DEFAULT_LIMITS, wholeFileBytes: 1024 }), dir, "cut.json.gz");
  assert.ok(events.length > 10 && events.length < 400, `kept ${events.length}`);
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]!.reason, /gzip stream truncated: \d+ complete records kept/);
});

test("a gzip bomb and a file over the absolute limit are clear errors", async () => {
  const dir = tempDir();
  // Past the shared inflation guard's 16 MiB floor at ~1000x: refused while inflating (src/ingest/files.ts).
  writeFileSync(path.join(dir, "bomb.json.gz"), gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20)));
  await assert.rejects(parseFile(createCloudTrailS3Parser(testContext(), { ...DEFAULT_LIMITS, wholeFileBytes: 1024 * 1024 }), dir, "bomb.json.gz"), /gzip bomb/);
  writeFileSync(path.join(dir, "huge.json"), JSON.stringify(bigDelivery(2000)));
  await assert.rejects(
    parseFile(createCloudTrailS3Parser(testContext(), { wholeFileBytes: 1024, absoluteBytes: 64 * 1024 }), dir, "huge.json"),
    /over the absolute limit/,
  );
});

test("a mixed bucket copy parses only the log file", () => {
  const dir = tempDir();
  cpSync(path.join(FIXTURES, "org-trail"), dir, { recursive: true });
  const p = parser();
  const kinds = ["AWSLogs/111122223333/Config/ConfigWritabilityCheckFile", ORG_LOG.replace("org-trail/", "")].map((f) => p.skip!(f));
  assert.notEqual(kinds[0], null);
  assert.equal(kinds[1], null);
});
