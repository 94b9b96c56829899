import { test } from "node:test";
import assert from "node:assert/strict";
import agentCalls from "../../src/rules/cloudtrail-agent-destructive-calls-approved.ts";
import rootUnused from "../../src/rules/cloudtrail-root-account-unused.ts";
import loggingNotTampered from "../../src/rules/cloudtrail-logging-not-tampered.ts";
import { everyDayOfOctober, runRuleOn, seededStore } from "../helpers/rule-tester.ts";

const month = everyDayOfOctober("cloudtrail");

const ct = { sourceKind: "cloudtrail" as const, approval: "unknown" as const, command: null };
const deleteStack = { ...ct, action: "cloudformation:DeleteStack", classes: ["destructive", "write"], actorKind: "agent" as const, agentId: "ops", environment: "production" as const, time: "2026-10-14T09:12:03.000Z" };

test("cloudtrail-agent-destructive-calls-approved: pass, fail, human-confirmed, no-evidence", () => {
  assert.equal(runRuleOn(agentCalls, seededStore({ events: month })).outcome, "pass", "an empty population on a trail that covers every day passes");
  const gappy = runRuleOn(agentCalls, seededStore({ events: [{ ...ct, action: "ec2:DescribeInstances", classes: ["read"] }] }));
  assert.equal(gappy.outcome, "no-evidence", "an empty population on one day of records is not a pass");
  assert.match(gappy.results[0]!.message, /cloudtrail records cover 1 of the 31 days/);
  const failing = runRuleOn(agentCalls, seededStore({ events: [deleteStack] }));
  assert.equal(failing.outcome, "fail");
  assert.match(failing.results[0]!.message, /DeleteStack/);
  const correlated = runRuleOn(agentCalls, seededStore({ events: [{ ...deleteStack, attrs: { attribution: { signal: "time-correlation", confidence: "low" } } }] }));
  assert.match(correlated.results[0]!.message, /\(attributed by time-correlation, low confidence\)\.$/);
  const confirmed = seededStore({
    events: [deleteStack, { sourceKind: "agent-log", agentId: "ops", classes: ["destructive"], approval: "human", time: "2026-10-14T09:10:00.000Z", eventKey: "a" }],
  });
  assert.equal(runRuleOn(agentCalls, confirmed).outcome, "pass", "a human confirmation minutes before the call approves it");
  assert.equal(runRuleOn(agentCalls, seededStore({ events: [...month, { ...deleteStack, outcome: "denied" }] })).outcome, "pass", "denied calls are not destructive acts");
  assert.equal(runRuleOn(agentCalls, seededStore({})).outcome, "no-evidence");
});

test("cloudtrail-root-account-unused: root calls fail, AWS service events by root do not", () => {
  assert.equal(runRuleOn(rootUnused, seededStore({ events: [{ ...ct, action: "s3:ListBuckets", attrs: { identityType: "IAMUser" } }] })).outcome, "pass");
  assert.equal(runRuleOn(rootUnused, seededStore({ events: [{ ...ct, action: "s3:ListBuckets", attrs: { identityType: "Root", eventType: "AwsApiCall" } }] })).outcome, "fail");
  assert.equal(runRuleOn(rootUnused, seededStore({ events: [{ ...ct, action: "x", attrs: { identityType: "Root", eventType: "AwsServiceEvent" } }] })).outcome, "pass");
});

test("cloudtrail-logging-not-tampered: StopLogging fails even when denied", () => {
  assert.equal(runRuleOn(loggingNotTampered, seededStore({ events: month })).outcome, "pass");
  const run = runRuleOn(loggingNotTampered, seededStore({ events: [{ ...ct, action: "cloudtrail:StopLogging", classes: ["destructive", "logging-tamper", "write"], outcome: "denied" }] }));
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /StopLogging.*denied/);
});
