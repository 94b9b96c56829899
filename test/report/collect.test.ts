import { test } from "node:test";
import assert from "node:assert/strict";
import { chainFor } from "../../src/correlate.ts";
import type { Evaluation, Finding } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import { collectPackageData } from "../../src/report/collect/package-data.ts";
import { topRisks } from "../../src/report/collect/top-risks.ts";
import { seededStore } from "../helpers/rule-tester.ts";

const finding = (over: Partial<Finding>): Finding => ({
  id: "f", ruleId: "r", controlIds: ["CC6.1"], severity: "high", subject: "s", message: "m", evidence: [], state: "open", ...over,
});
const evaluation = (findings: Finding[]) => ({ rules: [], controls: [], findings, acceptances: [], outOfScope: [], coverage: { overall: { tested: 0, inScope: 0, ratio: 0 }, byFramework: {} } }) as Evaluation;

test("top risks: one record flagged by two rules is one risk; accepted risks are marked and come after open ones", () => {
  const deleteStack = { ref: "event:7", file: "ct.json.gz", locator: "record 3" };
  const risks = topRisks(evaluation([
    finding({ id: "a1", ruleId: "cloudtrail-agent-destructive-calls-approved", severity: "critical", controlIds: ["CC6.1"], evidence: [deleteStack] }),
    finding({ id: "a2", ruleId: "agent-boundary", severity: "high", controlIds: ["A.8.9"], evidence: [deleteStack] }),
    finding({ id: "b1", ruleId: "other", severity: "critical", subject: "x", state: "accepted" }),
    finding({ id: "c1", ruleId: "third", severity: "medium", subject: "y" }),
  ]), 10);
  assert.deepEqual(risks.map((r) => [r.findingIds.join("+"), r.state, r.severity]), [["a1+a2", "open", "critical"], ["c1", "open", "medium"], ["b1", "accepted", "critical"]]);
  assert.deepEqual(risks[0]!.controls, ["A.8.9", "CC6.1"]);
});

const call = {
  sourceKind: "agent-log" as const, eventKey: "call", time: "2026-10-14T09:12:00.000Z", agentProduct: "claude-code", agentId: "claude-code", sessionId: "s1",
  action: "Bash", command: "aws cloudformation delete-stack --stack-name prod-api", classes: ["destructive", "execute"], environment: "production" as const,
};
const cloud = {
  sourceKind: "cloudtrail" as const, eventKey: "ct", time: "2026-10-14T09:12:20.000Z", actorKind: "agent" as const, agentId: "ops", agentProduct: "claude-code",
  action: "cloudformation:DeleteStack", target: "prod-api", classes: ["destructive", "write"], command: null, environment: "production" as const,
};

test("the weekly trend counts an agent's tool call and the CloudTrail call it caused once", () => {
  const db = seededStore({ events: [call, cloud, { ...cloud, eventKey: "ct2", time: "2026-10-20T10:00:00.000Z", target: "other" }] });
  const data = collectPackageData(db, parsePeriod("2026-10"), evaluation([]));
  const total = data.weekly.reduce((n, w) => n + w.agentLog + w.cloud, 0);
  assert.equal(total, 2, "the delete-stack pair is one action; the uncorrelated cloud call is another");
  assert.equal(data.weekly.reduce((n, w) => n + w.correlated, 0), 1);
  assert.ok(data.weeklyDeduplicated);
});

test("a cloud call attributed to another agent product than the tool call it is correlated to is flagged as a conflict", () => {
  const db = seededStore({ events: [call, { ...cloud, agentProduct: "cursor", attrs: { attribution: { signal: "userAgent", confidence: "high" } } }] });
  const chain = chainFor(db, [{ ref: "event:1", file: "fixture.jsonl", locator: "line 1" }]);
  const conflict = chain.find((l) => l.conflict);
  assert.ok(conflict, JSON.stringify(chain));
  assert.match(conflict.conflict!, /CloudTrail attributes cloudformation:DeleteStack to cursor \(by userAgent\), but the tool call it is correlated to is claude-code's: either claude-code acted with cursor's identity, or the correlation is wrong/);
  const agreeing = chainFor(seededStore({ events: [call, cloud] }), [{ ref: "event:1", file: "fixture.jsonl", locator: "line 1" }]);
  assert.ok(agreeing.some((l) => l.role === "cloud-event") && !agreeing.some((l) => l.conflict), "no conflict when both name the same product");
});

test("compensating controls come from controls/compensating.json, and only effective ones are listed", async () => {
  const { collectCompensating } = await import("../../src/report/collect/compensating.ts");
  const control = (id: string, status: string) => ({ id, title: `${id} title`, status, reason: `${id} reason` });
  const e = { ...evaluation([]), controls: [control("CC6.1", "deficient"), control("CC7.2", "effective"), control("CC8.1", "deficient"), control("CC7.1", "effective")] } as unknown as Evaluation;
  const comp = collectCompensating(e);
  assert.deepEqual(comp["CC6.1"]!.map((c) => c.id), ["CC7.2"], "CC8.1 can compensate CC6.1 but was not effective; CC7.1 was effective but cannot compensate it");
  assert.match(comp["CC6.1"]![0]!.why, /monitored/);
  assert.deepEqual(comp["CC7.2"], [], "nothing compensates a failure of log integrity in the data");
});
