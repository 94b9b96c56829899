import { test } from "node:test";
import assert from "node:assert/strict";
import type { EvidenceEvent } from "../../src/event.ts";
import { dayBucketer } from "../../src/ingest/summary/day.ts";
import { DEFAULT_KEEP } from "../../src/keep-rules.ts";
import { keepsFullRow, type StoragePolicy } from "../../src/ingest/summary/policy.ts";
import { compressRanges, expandLocators, FileSummariser } from "../../src/ingest/summary/summarise.ts";
import { parsePeriod } from "../../src/period.ts";

const POLICY: StoragePolicy = { keep: new Set(DEFAULT_KEEP), keepAssumedRoleSessions: false };

function call(i: number, over: Partial<EvidenceEvent> = {}, attrs: Record<string, unknown> = {}): EvidenceEvent {
  return {
    sourceKind: "cloudtrail", eventKey: `e-${i}`, time: "2026-10-14T09:00:00.000Z", actor: "arn:aws:sts::111122223333:assumed-role/Dev/maria", actorKind: "unknown",
    agentId: null, agentProduct: null, sessionId: "ASIA1", action: "ec2:DescribeInstances", classes: ["read"], target: null, environment: "production",
    outcome: "succeeded", approval: "unknown", approvalEvidence: null, command: null, account: "111122223333", region: "eu-west-1", locator: `record ${i}`,
    attrs: { eventId: `e-${i}`, identityType: "AssumedRole", roleArn: "arn:aws:iam::111122223333:role/Dev", eventCategory: "Management", eventType: "AwsApiCall", ...attrs },
    ...over,
  };
}

test("the default policy keeps agents, errors, destructive, privilege, root and AssumeRole calls as rows and counts the rest", () => {
  const kept = [
    call(0, { actorKind: "agent", agentId: "kiro" }),
    call(1, { outcome: "denied" }),
    call(2, { outcome: "failed" }),
    call(3, { action: "cloudformation:DeleteStack", classes: ["destructive", "write"] }),
    call(4, { action: "cloudtrail:StopLogging", classes: ["destructive", "logging-tamper", "write"] }),
    call(5, { action: "iam:AttachRolePolicy", classes: ["privilege-change", "write"] }),
    call(6, {}, { identityType: "Root" }),
    call(7, { action: "sts:AssumeRole", classes: ["write"] }),
  ];
  for (const e of kept) assert.equal(keepsFullRow(e, POLICY), true, `${e.action} ${e.outcome} ${e.actorKind}`);
  const counted = [call(8), call(9, { action: "ec2:CreateTags", classes: ["write"] }), call(10, { action: "kms:Decrypt", classes: ["credential-access", "read"] })];
  for (const e of counted) assert.equal(keepsFullRow(e, POLICY), false, e.action);
  // Opt-ins: every write, secret reads; session-tag attribution keeps every assumed-role call.
  assert.equal(keepsFullRow(counted[1]!, { ...POLICY, keep: new Set([...DEFAULT_KEEP, "write"]) }), true);
  assert.equal(keepsFullRow(counted[2]!, { ...POLICY, keep: new Set([...DEFAULT_KEEP, "credential-access"]) }), true);
  assert.equal(keepsFullRow(counted[0]!, { ...POLICY, keepAssumedRoleSessions: true }), true);
  // An agent-log event is never summarised, whatever the policy.
  assert.equal(new FileSummariser(POLICY, dayBucketer("UTC")).add(call(11, { sourceKind: "agent-log" })), false);
});

test("counts per principal x action x day keep first and last time, and the record numbers as ranges", () => {
  const s = new FileSummariser(POLICY, dayBucketer("UTC"));
  const times = ["2026-10-14T09:00:00.000Z", "2026-10-14T23:59:59.000Z", "2026-10-14T10:00:00.000Z", "2026-10-15T00:00:00.000Z"];
  times.forEach((time, i) => assert.equal(s.add(call(i, { time })), true));
  assert.equal(s.add(call(4, { action: "s3:ListBuckets" })), true);
  assert.equal(s.add(call(5, { actor: "arn:aws:sts::111122223333:assumed-role/Dev/li" })), true);
  assert.equal(s.add(call(7)), true);
  assert.equal(s.add(call(1, { locator: "record 9" })), true, "a repeated eventID is swallowed as a duplicate");
  assert.equal(s.duplicates, 1);
  const rows = s.rows();
  assert.deepEqual(rows.map((r) => [r.day, r.action, r.actor?.split("/").pop(), r.n, r.locators]), [
    ["2026-10-14", "ec2:DescribeInstances", "maria", 4, "record 0-2,7"],
    ["2026-10-15", "ec2:DescribeInstances", "maria", 1, "record 3"],
    ["2026-10-14", "s3:ListBuckets", "maria", 1, "record 4"],
    ["2026-10-14", "ec2:DescribeInstances", "li", 1, "record 5"],
  ]);
  assert.equal(rows[0]!.firstTime, "2026-10-14T09:00:00.000Z");
  assert.equal(rows[0]!.lastTime, "2026-10-14T23:59:59.000Z");
  assert.equal(rows.reduce((n, r) => n + r.n, 0) + s.duplicates, 8, "every record added is counted once");
});

test("days follow the report time zone, so a period's whole days select exactly the summaries inside it", () => {
  const berlin = dayBucketer("Europe/Berlin");
  // 22:30 UTC on 31 October is 23:30 in Berlin (CET after the change on 25 October): still October.
  assert.deepEqual(berlin("2026-10-31T22:30:00.000Z"), { day: "2026-10-31", dayStart: "2026-10-30T23:00:00.000Z" });
  assert.deepEqual(berlin("2026-10-31T23:00:00.000Z"), { day: "2026-11-01", dayStart: "2026-10-31T23:00:00.000Z" });
  // Summer time: Berlin is UTC+2, so 22:00 UTC on 30 September is already 1 October.
  assert.equal(berlin("2026-09-30T22:00:00.000Z").day, "2026-10-01");
  const october = parsePeriod("2026-10", "Europe/Berlin");
  assert.equal(berlin("2026-09-30T22:00:00.000Z").dayStart, october.startIso);
  assert.equal(berlin("2026-10-31T23:00:00.000Z").dayStart, october.endIso);
  // India is UTC+5:30: quarter-hour slots, not hours.
  const kolkata = dayBucketer("Asia/Kolkata");
  assert.equal(kolkata("2026-10-14T18:29:00.000Z").day, "2026-10-14");
  assert.equal(kolkata("2026-10-14T18:30:00.000Z").day, "2026-10-15");
  assert.equal(dayBucketer("UTC")("2026-10-14T23:59:59.999Z").dayStart, "2026-10-14T00:00:00.000Z");
});

test("record ranges compress and expand back to the same locators", () => {
  assert.equal(compressRanges([3, 4, 5, 17, 9, 10]), "3-5,9-10,17");
  assert.equal(compressRanges([7]), "7");
  assert.deepEqual(expandLocators("record 3-5,9; line 2"), ["record 3", "record 4", "record 5", "record 9", "line 2"]);
});
