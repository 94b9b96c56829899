import { test } from "node:test";
import assert from "node:assert/strict";
import { createRuleContext, runRule } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import rule from "../../src/rules/agent-destructive-actions-human-approved.ts";
import { everyDayOfOctober, runRuleOn, seededStore } from "../helpers/rule-tester.ts";

const month = everyDayOfOctober("agent-log");

const destructiveProd = { classes: ["destructive", "execute"], environment: "production" as const, command: "terraform destroy" };

const cases = [
  { name: "human-approved destructive production action passes", events: [{ ...destructiveProd, approval: "human" as const }], outcome: "pass", fails: 0 },
  { name: "denied destructive action passes", events: [{ ...destructiveProd, approval: "denied" as const, outcome: "denied" as const }], outcome: "pass", fails: 0 },
  { name: "destructive action outside production passes", events: [...month, { ...destructiveProd, environment: "non-production" as const }], outcome: "pass", fails: 0 },
  { name: "an empty population over logs with missing days is not tested, never a pass", events: [{ ...destructiveProd, environment: "non-production" as const }], outcome: "no-evidence", fails: 0 },
  { name: "policy-approved destructive production action fails", events: [{ ...destructiveProd, approval: "policy" as const }], outcome: "fail", fails: 1 },
  { name: "unknown approval fails", events: [{ ...destructiveProd, approval: "unknown" as const }, { ...destructiveProd, approval: "policy" as const }], outcome: "fail", fails: 2 },
  { name: "actions outside the period are not counted", events: [...month, { ...destructiveProd, approval: "policy" as const, time: "2026-09-30T23:59:59.000Z" }], outcome: "pass", fails: 0 },
  { name: "no agent data in the period is no-evidence", events: [], outcome: "no-evidence", fails: 0 },
];

for (const c of cases) {
  test(c.name, () => {
    const run = runRuleOn(rule, seededStore({ events: c.events.map((e, i) => ({ ...e, eventKey: e.eventKey ?? `e${i}` })) }));
    assert.equal(run.outcome, c.outcome);
    assert.equal(run.results.filter((r) => r.outcome === "fail").length, c.fails);
  });
}

test("a failure cites the source file and line", () => {
  const run = runRuleOn(rule, seededStore({ events: [{ ...destructiveProd, approval: "policy", locator: "lines 5, 6" }] }));
  assert.deepEqual(run.results[0]!.evidence, [{ ref: "event:1", key: "event:agent-log:k0", file: "fixture.jsonl", locator: "lines 5, 6" }]);
  assert.match(run.results[0]!.message, /terraform destroy/);
});

test("a rule about production is not tested while environments.production is undefined, even over an empty population", () => {
  const db = seededStore({ events: [...month, { ...destructiveProd, environment: "non-production", approval: "policy" }] });
  const run = runRule(rule, createRuleContext(db, parsePeriod("2026-10"), false), []);
  assert.equal(run.outcome, "no-evidence");
  assert.match(run.results[0]!.message, /environments\.production/);
});
