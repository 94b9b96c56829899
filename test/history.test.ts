import { test } from "node:test";
import assert from "node:assert/strict";
import { compareResults, compareWithPrevious, coverageTrend, latestBuild, previousBuild, type StoredResults } from "../src/history.ts";
import { parsePeriod } from "../src/period.ts";
import type { Db } from "../src/store/index.ts";
import { seededStore } from "./helpers/rule-tester.ts";

const finding = (id: string, state: "open" | "accepted" = "open") => ({ id, ruleId: "r", severity: "high", controlIds: ["CC8.1"], message: `m ${id}`, state });
function results(ratio: number, findings: ReturnType<typeof finding>[], status: "effective" | "deficient" = "deficient"): StoredResults {
  const tested = Math.round(ratio * 9);
  return {
    coverage: { overall: { tested, inScope: 9, ratio: tested / 9 }, byFramework: {} },
    controls: [{ id: "CC8.1", framework: "soc2", status, findings: findings.length }],
    findings,
  };
}

let seq = 0;
function store(db: Db, label: string, r: StoredResults, buildId = `b-${label}-${++seq}`): void {
  const p = parsePeriod(label);
  db.prepare("INSERT INTO builds (build_id, period, period_start, period_end, config_sha256, inputs_sha256, results, created_seq) VALUES (?, ?, ?, ?, 'c', 'i', ?, ?)")
    .run(buildId, label, p.startIso, p.endIso, JSON.stringify(r), ++seq);
}

test("new, fixed and recurring findings, status changes and the coverage delta", () => {
  const before = { buildId: "b1", period: "2026-09", periodStart: "", periodEnd: "", createdSeq: 1, results: results(6 / 9, [finding("a"), finding("b")], "deficient") };
  const c = compareResults(results(7 / 9, [finding("b", "accepted"), finding("c")], "effective"), before);
  assert.deepEqual(c.previous, { buildId: "b1", period: "2026-09" });
  assert.deepEqual(c.newFindings.map((f) => f.id), ["c"]);
  assert.deepEqual(c.fixedFindings.map((f) => f.id), ["a"]);
  assert.deepEqual(c.recurringFindings.map((f) => [f.id, f.state]), [["b", "accepted"]]);
  assert.deepEqual(c.statusChanges, [{ control: "CC8.1", from: "deficient", to: "effective" }]);
  assert.ok(Math.abs(c.coverage.delta! - 1 / 9) < 1e-9);
  const first = compareResults(results(1, [finding("a")]), undefined);
  assert.deepEqual([first.previous, first.newFindings.length, first.coverage.delta], [null, 0, null], "nothing to compare with is not 'all new'");
});

test("the previous build is the previous calendar period's latest, else the latest that ended before", () => {
  const db = seededStore({});
  store(db, "2026-08", results(0.5, []));
  store(db, "2026-09", results(0.6, [finding("a")]), "sep-old");
  store(db, "2026-09", results(0.7, [finding("a")]), "sep-new");
  store(db, "2026-10", results(0.8, []));
  assert.equal(previousBuild(db, parsePeriod("2026-10"))?.buildId, "sep-new");
  assert.equal(latestBuild(db, "2026-09")?.buildId, "sep-new");
  // A range has no calendar predecessor: the latest build that ended by its start.
  assert.equal(previousBuild(db, parsePeriod("2026-11-01..2026-11-15"))?.period, "2026-10");
  assert.equal(previousBuild(db, parsePeriod("2026-08")), undefined);
  const c = compareWithPrevious(db, parsePeriod("2026-10"), results(0.8, [finding("z")]));
  assert.deepEqual([c.newFindings.map((f) => f.id), c.fixedFindings.map((f) => f.id)], [["z"], ["a"]]);
});

test("the coverage trend takes the latest build per period of the same kind, oldest first", () => {
  const db = seededStore({});
  store(db, "2026-08", results(4 / 9, [finding("a")]));
  store(db, "2026-09", results(5 / 9, [finding("a"), finding("b", "accepted")]));
  store(db, "2026-09", results(6 / 9, [finding("a", "accepted")]));
  store(db, "2026-Q3", results(1, []));
  store(db, "2026-10", results(7 / 9, []));
  store(db, "2026-11", results(8 / 9, []));
  const trend = coverageTrend(db, parsePeriod("2026-10"));
  assert.deepEqual(trend.map((t) => [t.period, t.coverage.tested, t.openFindings, t.acceptedFindings]), [["2026-08", 4, 1, 0], ["2026-09", 6, 0, 1], ["2026-10", 7, 0, 0]]);
  assert.deepEqual(coverageTrend(db, parsePeriod("2026-Q4")).map((t) => t.period), ["2026-Q3"]);
});
