import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding, RuleRun } from "../../src/evaluate.ts";
import type { Outcome, RuleResult } from "../../src/rules/define.ts";
import { answerScenario, type PrincipalGrant, type TabletopFacts } from "../../src/tabletop/answer.ts";
import { tabletopMarkdown } from "../../src/tabletop/markdown.ts";
import { loadScenarios, type Scenario } from "../../src/tabletop/scenario.ts";

/** The answer is a pure function of rule runs, findings and grants: each case builds them as plain data. */
const SCENARIO: Scenario = {
  id: "delete-stack",
  title: "An agent deletes a stack",
  summary: "A constructed case.",
  source: { name: "test", url: "https://example.com/" },
  terms: ["DeleteStack"],
  iamActions: ["cloudformation:DeleteStack"],
  steps: [
    { id: "identities", question: "Who could?", kind: "prevent", iam: true, evidence: [{ rule: "iam-rule", scope: "granted", why: "grants" }] },
    { id: "ask-first", question: "Asked first?", kind: "prevent", evidence: [{ rule: "ask-rule", scope: "action", why: "asks" }, { rule: "gate-rule", scope: "any", why: "gates" }] },
    { id: "logged", question: "Logged?", kind: "detect", evidence: [{ rule: "log-rule", scope: "any", why: "logs" }] },
    { id: "noticed", question: "Noticed?", kind: "notice", evidence: [{ rule: "notice-rule", scope: "action", why: "fires" }] },
  ],
};

const result = (outcome: Outcome, subject: string, message: string): RuleResult => ({ outcome, subject, message, evidence: [{ ref: `event:${subject}`, file: "logs/a.jsonl", locator: "line 3" }] });

function run(id: string, outcome: Outcome, results: RuleResult[] = [result(outcome, "s", `${id} ${outcome}`)]): RuleRun {
  return {
    id, title: id, rationale: "", severity: "high", sources: [], registers: [], frequency: null, controlIds: [], production: false, outcome,
    population: { description: `${id} population`, query: "", size: results.length }, results, items: null, missingSources: outcome === "no-evidence" ? ["agent-log"] : [], missingRegisters: [], incomplete: [],
  };
}

const principal = (granted: string[], environment = "production"): PrincipalGrant => ({
  arn: "arn:aws:iam::111122223333:role/agent", kind: "role", name: "agent", agentId: "kiro", environment, account: "111122223333", file: "iam/auth.json", locator: "RoleDetailList[0]", granted,
});

function facts(runs: RuleRun[], principals: PrincipalGrant[]): TabletopFacts {
  const findings: Finding[] = runs.flatMap((r) =>
    r.results.filter((x) => x.outcome === "fail").map((x, i) => ({ id: `f-${r.id}-${i}`, ruleId: r.id, controlIds: [], severity: "high" as const, subject: x.subject, message: x.message, evidence: x.evidence, state: "open" as const })),
  );
  return { rules: new Map(runs.map((r) => [r.id, r])), findings, principals };
}

const verdicts = (f: TabletopFacts) => Object.fromEntries(answerScenario(SCENARIO, f).steps.map((s) => [s.id, s.verdict]));

test("every safeguard holding: stopped for prevention, detected for logging and noticing", () => {
  const f = facts([
    run("iam-rule", "pass", [result("pass", "arn:aws:iam::111122223333:role/agent", "no destructive rights")]),
    run("ask-rule", "pass", [result("pass", "claude-code Bash", "ran DeleteStack after a person confirmed")]),
    run("gate-rule", "pass"),
    run("log-rule", "pass"),
    run("notice-rule", "pass", [result("pass", "x", "a read-only call")]),
  ], [principal([])]);
  assert.deepEqual(verdicts(f), { identities: "stopped", "ask-first": "stopped", logged: "detected", noticed: "detected" });
});

test("a failing result about the action, a granted principal or a broken log: not stopped, citing the finding and the record", () => {
  const f = facts([
    run("iam-rule", "fail", [result("fail", "arn:aws:iam::111122223333:role/agent", "holds destructive rights")]),
    run("ask-rule", "fail", [result("fail", "claude-code Bash", "ran aws cloudformation DeleteStack without a person's confirmation")]),
    run("gate-rule", "pass"),
    run("log-rule", "fail"),
    run("notice-rule", "fail", [result("fail", "kiro", "called cloudformation:DeleteStack")]),
  ], [principal(["cloudformation:DeleteStack"])]);
  const answer = answerScenario(SCENARIO, f);
  assert.deepEqual(verdicts(f), { identities: "not stopped", "ask-first": "not stopped", logged: "not stopped", noticed: "detected" });
  const ask = answer.steps.find((s) => s.id === "ask-first")!;
  assert.equal(ask.readings[0]!.citations[0]!.finding, "f-ask-rule-0");
  assert.deepEqual(ask.readings[0]!.citations[0]!.evidence, ["logs/a.jsonl line 3"]);
  const who = answer.steps.find((s) => s.id === "identities")!;
  assert.match(who.readings[0]!.citations[0]!.text, /role agent \(agent identity kiro, production account 111122223333\) is granted cloudformation:DeleteStack/);
  assert.deepEqual(who.readings[0]!.citations[0]!.evidence, ["iam/auth.json RoleDetailList[0]"]);
});

test("absent evidence is unknown, never a guess: no IAM principals, a rule without data, a rule not in the catalog, nothing about the action", () => {
  const f = facts([
    run("ask-rule", "fail", [result("fail", "cursor Shell", "ran rm -rf /srv/prod")]),
    run("gate-rule", "no-evidence"),
    run("log-rule", "error"),
  ], []);
  const answer = answerScenario(SCENARIO, f);
  assert.deepEqual(verdicts(f), { identities: "unknown", "ask-first": "unknown", logged: "unknown", noticed: "unknown" });
  const readings = answer.steps.flatMap((s) => s.readings.map((r) => `${r.source}: ${r.state}`));
  assert.deepEqual(readings, [
    "IAM grants: unknown", "rule iam-rule: unknown", "rule ask-rule: unexercised", "rule gate-rule: unknown", "rule log-rule: unknown", "rule notice-rule: unknown",
  ]);
  assert.match(answer.steps[0]!.readings[1]!.summary, /iam-rule did not run: it is not in the workspace's catalog/);
});

test("a grant outside production, or a failure about another action, does not count against this action", () => {
  const f = facts([
    run("iam-rule", "pass", [result("pass", "arn:aws:iam::111122223333:role/agent", "no destructive rights in production")]),
    run("ask-rule", "fail", [result("fail", "cursor Shell", "ran rm -rf /srv/prod"), result("pass", "claude-code Bash", "DeleteStack confirmed by a person")]),
    run("gate-rule", "pass"),
    run("log-rule", "pass"),
    run("notice-rule", "pass"),
  ], [principal(["cloudformation:DeleteStack"], "non-production")]);
  assert.deepEqual(verdicts(f), { identities: "stopped", "ask-first": "stopped", logged: "detected", noticed: "detected" });
});

test("a safeguard holding where the evidence looks is unknown when the scenario names a path the evidence cannot see", () => {
  const withGap: Scenario = { ...SCENARIO, steps: [{ ...SCENARIO.steps[0]!, uncovered: "a person's own credentials" }] };
  const answer = answerScenario(withGap, facts([run("iam-rule", "pass")], [principal([])]));
  assert.equal(answer.steps[0]!.verdict, "unknown");
  assert.match(answer.steps[0]!.reason, /holding on the paths it covers, but not on every path: a person's own credentials/);
});

test("the shipped scenarios validate, include the three required ones and ask the five questions each", () => {
  const scenarios = loadScenarios();
  assert.deepEqual(scenarios.map((s) => s.id), ["delete-production-stack", "drop-production-database", "force-push-production-branch"]);
  for (const s of scenarios) assert.deepEqual(s.steps.map((q) => q.id), ["identities", "ask-first", "logged", "review", "noticed"], s.id);
  assert.throws(() => loadScenarios({ scenarios: [{ ...scenarios[0], extra: 1 }] }), /Unrecognized key/);
});

test("the Markdown page escapes log text and is the same bytes for the same answer", () => {
  const f = facts([run("ask-rule", "fail", [result("fail", "a|b", "DeleteStack [link](http://x) `code`")])], []);
  const meta = { organisation: "Acme", period: "2026-10", periodStart: "2026-10-01T00:00:00.000Z", periodEnd: "2026-11-01T00:00:00.000Z", timezone: "UTC", buildId: "b", generatedAt: "2026-11-01T00:00:00.000Z", toolVersion: "0", findings: 1 };
  const md = tabletopMarkdown(answerScenario(SCENARIO, f), meta);
  assert.equal(md, tabletopMarkdown(answerScenario(SCENARIO, f), meta));
  assert.match(md, /a\\\|b: DeleteStack \\\[link\\\]\(http:\/\/x\) \\`code\\`/);
  assert.match(md, /^\| 2\. Asked first\? \| not stopped \|$/m);
});
