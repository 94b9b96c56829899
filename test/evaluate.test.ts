import { test } from "node:test";
import assert from "node:assert/strict";
import type { Catalog, CatalogControl } from "../src/catalog/index.ts";
import { evaluate } from "../src/evaluate.ts";
import { parsePeriod } from "../src/period.ts";
import { defineRule, fail, pass, type Rule } from "../src/rules/define.ts";
import { loadRegisterTexts } from "./helpers/registers.ts";
import { seededStore } from "./helpers/rule-tester.ts";

const rule = (id: string, evaluate: Rule["evaluate"], sources: Rule["sources"] = ["agent-log"]): Rule =>
  defineRule({ id, title: id, rationale: "r", severity: "high", sources, frequency: "continuous", evaluate });
const population = { description: "d", query: "q", size: 1 };
const RULES = new Map<string, Rule>(
  [
    rule("passes", () => ({ population, results: [pass("all", "ok")] })),
    rule("fails", () => ({ population, results: [fail("prod-api", "deleted prod-api", [{ ref: "event:1", file: "f", locator: "line 1" }])] })),
    rule("crashes", () => {
      throw new Error("boom");
    }),
    rule("needs-git", () => ({ population, results: [pass("all", "ok")] }), ["git"]),
    rule("not-applicable", () => ({ population, results: [{ outcome: "not-applicable", subject: "x", message: "nothing", evidence: [] }] })),
  ].map((r) => [r.id, r]),
);

function catalogOf(controls: { id: string; rules: string[]; framework?: string }[]): Catalog {
  const list: CatalogControl[] = controls.map((c) => ({
    id: c.id, title: c.id, description: "d", frequency: "continuous", rules: c.rules, framework: c.framework ?? "soc2", frameworkName: "SOC 2", related: [], origin: "package",
    ...(c.rules.length ? {} : { manualReason: "by hand" }),
  }));
  const controlsByRule = new Map<string, string[]>();
  for (const c of list) for (const r of c.rules) controlsByRule.set(r, [...(controlsByRule.get(r) ?? []), c.id]);
  return { frameworks: [], controls: list, controlsByRule, allControlIds: new Set(list.map((c) => c.id)), outOfScope: [] };
}

const acceptance = (expires: string, extra = "") => loadRegisterTexts({
  riskAcceptances: `acceptances:\n  - { id: RA-1, controls: [C-FAIL], resources: ["prod-*"], scope: s, risk: r, justification: j, owner: o@x, approver: a@x, approved: 2026-10-02, expires: ${expires}${extra} }\n`,
}).riskAcceptances!;

const CONTROLS = [
  { id: "C-OK", rules: ["passes"] },
  { id: "C-FAIL", rules: ["fails", "passes"] },
  { id: "C-CRASH", rules: ["crashes", "passes"] },
  { id: "C-NOGIT", rules: ["needs-git"] },
  { id: "C-NA", rules: ["not-applicable"] },
  { id: "C-MANUAL", rules: [] },
  { id: "I-OK", rules: ["passes", "not-applicable"], framework: "iso27001" },
];
const db = seededStore({ events: [{}] });
const statusOf = (e: ReturnType<typeof evaluate>) => Object.fromEntries(e.controls.map((c) => [c.id, c.status]));

test("control status from rule outcomes, with a crashing rule contained to itself", () => {
  const e = evaluate(db, catalogOf(CONTROLS), RULES, parsePeriod("2026-10"), { correlate: false });
  assert.deepEqual(statusOf(e), {
    "C-OK": "effective", "C-FAIL": "deficient", "C-CRASH": "not-tested", "C-NOGIT": "not-tested", "C-NA": "not-tested", "C-MANUAL": "manual", "I-OK": "effective",
  });
  const crash = e.rules.find((r) => r.id === "crashes")!;
  assert.equal(crash.outcome, "error");
  assert.equal(crash.error, "boom");
  assert.equal(e.rules.find((r) => r.id === "passes")!.outcome, "pass", "the other rules still ran");
  assert.match(e.controls.find((c) => c.id === "C-NOGIT")!.reason, /needs-git \(no-evidence: no git data\)/);
  assert.deepEqual(e.controls.find((c) => c.id === "C-CRASH")!.coverage, { rules: 2, sufficient: 1 });
});

test("coverage counts effective, exceptions and deficient controls, per framework and overall", () => {
  const e = evaluate(db, catalogOf(CONTROLS), RULES, parsePeriod("2026-10"), { correlate: false });
  assert.deepEqual(e.coverage.overall, { tested: 3, inScope: 7, ratio: 3 / 7, rules: { sufficient: 7, mapped: 9 } });
  assert.deepEqual(e.coverage.byFramework.soc2, { tested: 2, inScope: 6, ratio: 2 / 6, rules: { sufficient: 5, mapped: 7 } });
  assert.deepEqual(e.coverage.byFramework.iso27001, { tested: 1, inScope: 1, ratio: 1, rules: { sufficient: 2, mapped: 2 } });
});

test("a finding covered by an acceptance in force makes the control `exceptions`", () => {
  const e = evaluate(db, catalogOf(CONTROLS), RULES, parsePeriod("2026-10"), { correlate: false, acceptances: acceptance("2026-12-15") });
  const control = e.controls.find((c) => c.id === "C-FAIL")!;
  assert.equal(control.status, "exceptions");
  assert.match(control.reason, /1 finding accepted under RA-1 \(expires 2026-12-15\)/);
  assert.deepEqual([control.openFindings, control.acceptedFindings], [0, 1]);
  const f = e.findings[0]!;
  assert.equal(f.state, "accepted");
  assert.deepEqual([f.acceptance?.id, f.acceptance?.status], ["RA-1", "active"]);
  assert.deepEqual(e.acceptances.map((a) => [a.id, a.status, a.findings]), [["RA-1", "active", 1]]);
  assert.equal(e.coverage.overall.tested, 3, "exceptions still count as tested");
});

test("moving the period past the expiry re-opens the finding", () => {
  const e = evaluate(db, catalogOf(CONTROLS), RULES, parsePeriod("2026-Q4"), { correlate: false, acceptances: acceptance("2026-12-15") });
  const control = e.controls.find((c) => c.id === "C-FAIL")!;
  assert.equal(control.status, "deficient");
  assert.match(control.reason, /Acceptance RA-1 is expired \(expired 2026-12-15\)/);
  assert.deepEqual([e.findings[0]!.state, e.findings[0]!.acceptance?.status], ["open", "expired"]);
});

test("a revoked acceptance, or one whose resources do not match, accepts nothing", () => {
  for (const extra of [", status: revoked", ""]) {
    const rows = extra ? acceptance("2026-12-15", extra) : acceptance("2026-12-15").map((r) => ({ ...r, value: { ...r.value, resources: ["staging-*"] } }));
    const e = evaluate(db, catalogOf(CONTROLS), RULES, parsePeriod("2026-10"), { correlate: false, acceptances: rows });
    assert.equal(statusOf(e)["C-FAIL"], "deficient");
  }
});

test("an accepted finding neither hides a rule that could not be tested nor changes coverage", () => {
  const mixed = catalogOf([{ id: "C-MIX", rules: ["fails", "needs-git"] }, { id: "C-ONE", rules: ["fails"] }]);
  const acceptances = loadRegisterTexts({
    riskAcceptances: "acceptances:\n  - { id: RA-2, controls: [C-MIX, C-ONE], scope: s, risk: r, justification: j, owner: o@x, approver: a@x, approved: 2026-10-02, expires: 2026-12-01 }\n",
  }).riskAcceptances!;
  const without = evaluate(db, mixed, RULES, parsePeriod("2026-10"), { correlate: false });
  const accepted = evaluate(db, mixed, RULES, parsePeriod("2026-10"), { correlate: false, acceptances });
  assert.deepEqual([statusOf(without)["C-MIX"], statusOf(accepted)["C-MIX"]], ["deficient", "exceptions"]);
  assert.match(accepted.controls[0]!.reason, /1 of 2 rules could not be tested: needs-git/);
  assert.deepEqual(accepted.coverage, without.coverage, "accepting a risk changes a finding's state, never whether its control was tested");
  assert.deepEqual([accepted.coverage.overall.tested, accepted.coverage.overall.inScope], [1, 2], "C-MIX lacks git evidence; C-ONE is tested with or without the acceptance");
});

test("a source's daily coverage is read in one scan of the period, not one per day", () => {
  // The days query reads every record of the period; run per day, a month of CloudTrail was read 31 times.
  const store = seededStore({ events: [{ time: "2026-10-03T08:00:00.000Z" }, { time: "2026-10-20T08:00:00.000Z" }] });
  const prepare = store.prepare.bind(store);
  let dayScans = 0;
  store.prepare = ((sql: string) => {
    if (/SELECT DISTINCT substr\(time, 1, 10\)/.test(sql)) dayScans++;
    return prepare(sql);
  }) as typeof store.prepare;
  const empty = rule("quiet", () => ({ population: { description: "Nothing", query: "q", size: 0 }, results: [pass("all", "nothing happened")] }));
  const e = evaluate(store, catalogOf([{ id: "C-QUIET", rules: ["quiet"] }]), new Map([["quiet", empty]]), parsePeriod("2026-10"), { correlate: false });
  const run = e.rules.find((r) => r.id === "quiet")!;
  assert.equal(run.outcome, "no-evidence");
  assert.match(run.results[0]!.message, /agent-log records cover 2 of the 31 days/);
  assert.equal(dayScans, 1);
  store.close();
});
