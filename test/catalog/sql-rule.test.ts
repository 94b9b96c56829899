import { test } from "node:test";
import assert from "node:assert/strict";
import { SqlRuleSpec, sqlRule } from "../../src/catalog/sql-rule.ts";
import { createRuleContext } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import { runRuleOn, seededStore } from "../helpers/rule-tester.ts";

const spec = (failing: string, population = "SELECT id FROM events WHERE source_kind = 'cloudtrail' AND time >= :start AND time < :end") =>
  SqlRuleSpec.parse({
    id: "acme-no-root", title: "No root", rationale: "r", severity: "high", sources: ["cloudtrail"],
    population: { description: "CloudTrail events", sql: population }, failing: { sql: failing },
  });
const ROOT_ROWS = `SELECT actor AS subject, 'root called ' || action AS message, time, id AS event_id FROM events
  WHERE source_kind = 'cloudtrail' AND json_extract(attrs, '$.identityType') = 'Root' AND time >= :start AND time < :end;`;
const ct = (identityType: string) => ({ sourceKind: "cloudtrail" as const, actor: `${identityType}-actor`, action: "iam:CreateUser", attrs: { identityType } });

const cases = [
  { name: "no failing row passes, counting the population", events: [ct("AssumedRole"), ct("IAMUser")], outcome: "pass", fails: 0, size: 2 },
  { name: "each failing row is a finding citing its event", events: [ct("Root"), ct("IAMUser")], outcome: "fail", fails: 1, size: 2 },
  { name: "no data of the declared source is no-evidence", events: [{}], outcome: "no-evidence", fails: 0, size: undefined },
];
for (const c of cases) {
  test(`SQL rule: ${c.name}`, () => {
    const run = runRuleOn(sqlRule(spec(ROOT_ROWS)), seededStore({ events: c.events.map((e, i) => ({ ...e, eventKey: `e${i}` })) }));
    assert.equal(run.outcome, c.outcome);
    assert.equal(run.results.filter((r) => r.outcome === "fail").length, c.fails);
    assert.equal(run.population?.size, c.size);
    if (c.fails) assert.deepEqual(run.results[0]!.evidence, [{ ref: "event:1", file: "fixture.jsonl", locator: "line 1" }]);
  });
}

test("SQL rule text must be one SELECT", () => {
  for (const sql of ["DELETE FROM events", "SELECT 1; DROP TABLE events", "PRAGMA user_version = 9", "ATTACH DATABASE 'x.db' AS x"]) {
    assert.equal(SqlRuleSpec.safeParse({ ...spec(ROOT_ROWS), failing: { sql } }).success, false, sql);
  }
  assert.ok(SqlRuleSpec.safeParse({ ...spec(ROOT_ROWS), failing: { sql: "-- comment\nWITH x AS (SELECT 1 AS subject, 'm' AS message) SELECT * FROM x" } }).success);
});

test("a write hidden behind WITH is refused at run time: that rule errors, the store is untouched", () => {
  const db = seededStore({ events: [ct("Root")] });
  const run = runRuleOn(sqlRule(spec("WITH gone AS (SELECT id FROM events) DELETE FROM events WHERE id IN (SELECT id FROM gone)")), db);
  assert.equal(run.outcome, "error");
  assert.equal((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n, 1);
  // The rule context itself refuses any statement SQLite does not report as a reader.
  const ctx = createRuleContext(db, parsePeriod("2026-10"));
  assert.throws(() => ctx.all("WITH gone AS (SELECT id FROM events) DELETE FROM events WHERE id IN (SELECT id FROM gone)"), /rules may only read/);
  assert.throws(() => ctx.get("UPDATE events SET actor = 'x'"), /rules may only read/);
  assert.equal((db.prepare("SELECT count(*) AS n FROM events WHERE actor = 'x'").get() as { n: number }).n, 0);
});

test("failing rows without subject and message columns are the rule's error", () => {
  const run = runRuleOn(sqlRule(spec("SELECT id FROM events WHERE time >= :start AND time < :end")), seededStore({ events: [ct("Root")] }));
  assert.equal(run.outcome, "error");
  assert.match(run.results[0]!.message, /must return "subject" and "message" columns/);
});
