import { test } from "node:test";
import assert from "node:assert/strict";
import type { ControlStatus } from "../../src/evaluate.ts";
import { runGate, type GateInput } from "../../src/check/gate.ts";
import { gateOptions } from "../../src/check/options.ts";
import { checkReachable } from "../../src/commands/check.ts";
import { UsageError } from "../../src/errors.ts";
import { Config } from "../../src/config.ts";
import type { StoredBuild, StoredFinding, StoredResults } from "../../src/history.ts";

const THRESHOLDS = Config.parse({ organisation: { name: "t" } }).thresholds;

const finding = (id: string, over: Partial<StoredFinding> = {}): StoredFinding => ({
  id, ruleId: "rule-a", severity: "high", controlIds: ["A.5.37"], message: `finding ${id}`, state: "open", ...over,
});

function build(statuses: Record<string, ControlStatus>, findings: StoredFinding[], extra: Partial<StoredResults> = {}, period = "2026-10"): StoredBuild {
  const controls = Object.entries(statuses).map(([id, status]) => ({ id, framework: id.startsWith("CC") ? "soc2" : "iso27001", status, findings: 0, coverage: { rules: 2, sufficient: 2 } }));
  const cov = (list: typeof controls) => {
    const tested = list.filter((c) => ["effective", "exceptions", "deficient"].includes(c.status)).length;
    return { tested, inScope: list.length, ratio: list.length ? tested / list.length : 0 };
  };
  return {
    buildId: `b-${Math.random().toString(16).slice(2, 8)}`, period, periodStart: "", periodEnd: "", createdSeq: 1,
    results: {
      coverage: { overall: cov(controls), byFramework: { iso27001: cov(controls.filter((c) => c.framework === "iso27001")), soc2: cov(controls.filter((c) => c.framework === "soc2")) } },
      controls, findings, acceptances: [], ...extra,
    },
  };
}

const gate = (current: StoredBuild, baseline: StoredBuild | null, flags = {}, lastDay = "2026-10-31", thresholds = THRESHOLDS) =>
  runGate({ current, baseline: baseline ? { source: "baseline.json", build: baseline } : null, options: gateOptions(thresholds, flags), lastDay } satisfies GateInput);

const BASE = build({ "CC6.1": "deficient", "A.5.37": "effective", "A.8.9": "exceptions" }, [finding("f1", { controlIds: ["CC6.1"], severity: "medium" })]);

test("the same results pass against themselves", () => {
  const r = gate(BASE, BASE);
  assert.equal(r.passed, true, JSON.stringify(r.failures));
  assert.deepEqual(r.controls.map((c) => [c.id, c.recurringFindings, c.failed]), [["CC6.1", 1, false], ["A.5.37", 0, false], ["A.8.9", 0, false]]);
});

test("a control moving to a worse status fails and names the control and both statuses; exceptions is not worse than effective", () => {
  const now = build({ "CC6.1": "deficient", "A.5.37": "deficient", "A.8.9": "effective" }, [finding("f1", { controlIds: ["CC6.1"], severity: "medium" }), finding("f2", { severity: "low" })]);
  const r = gate(now, BASE);
  assert.equal(r.passed, false);
  assert.deepEqual(r.failures.map((f) => [f.kind, f.controls]), [["status-drop", ["A.5.37"]]]);
  assert.match(r.failures[0]!.message, /^A\.5\.37 dropped from effective to deficient/);
  const row = r.controls.find((c) => c.id === "A.5.37")!;
  assert.deepEqual([row.baselineStatus, row.status, row.newFindings, row.failed], ["effective", "deficient", 1, true]);
  const accepted = build({ "CC6.1": "deficient", "A.5.37": "exceptions", "A.8.9": "exceptions" }, BASE.results.findings);
  assert.equal(gate(accepted, BASE).passed, true, "effective -> exceptions is an accepted risk, not a drop");
});

test("coverage under the minimum (overall or per framework) and a drop beyond the tolerance fail", () => {
  const now = build({ "CC6.1": "deficient", "A.5.37": "not-tested", "A.8.9": "exceptions" }, BASE.results.findings);
  const r = gate(now, BASE, { minCoverage: ["0.8", "iso27001=0.6"] });
  assert.deepEqual(r.failures.map((f) => [f.kind, f.controls]), [
    ["coverage-minimum", []], ["coverage-minimum", ["A.5.37"]], ["coverage-drop", ["A.5.37"]], ["coverage-drop", ["A.5.37"]], ["status-drop", ["A.5.37"]],
  ]);
  assert.match(r.failures[0]!.message, /^coverage 66\.7% \(2\/3 controls\) is under the minimum 80\.0%$/);
  assert.match(r.failures[1]!.message, /^iso27001 coverage 50\.0% \(1\/2 controls\) is under the minimum 60\.0%$/);
  assert.match(r.failures[2]!.message, /^coverage dropped -33\.3 points against the baseline \(100\.0% → 66\.7%; tolerance 0\.0\): A\.5\.37 no longer tested$/);
  const tolerant = gate(now, BASE, { minCoverage: ["50%"], coverageTolerance: 0.5 });
  assert.deepEqual(tolerant.failures.map((f) => f.kind), ["status-drop"], "within the tolerance, only the status drop remains");
  assert.throws(() => gate(now, BASE, { minCoverage: ["1.5"] }), /invalid --min-coverage "1.5"/);
  // Losing the evidence of a deficient control is not a fix: the coverage drop reports it.
  const hidden = gate(build({ "CC6.1": "not-tested", "A.5.37": "effective", "A.8.9": "exceptions" }, []), BASE, { minCoverage: ["0"] });
  assert.deepEqual(hidden.failures.map((f) => [f.kind, f.controls]), [["coverage-drop", ["CC6.1"]], ["coverage-drop", ["CC6.1"]]]);
});

test("new open findings at or above the fail level fail; accepted or lower ones do not; reopened ones count", () => {
  const now = build({ "CC6.1": "deficient", "A.5.37": "effective", "A.8.9": "deficient" }, [
    finding("f1", { controlIds: ["CC6.1"], severity: "medium" }),
    finding("new-high", { controlIds: ["CC6.1"] }),
    finding("new-low", { severity: "low" }),
    finding("new-accepted", { state: "accepted", severity: "critical", acceptance: { id: "RA-1", status: "active", expires: "2027-06-01" } }),
  ]);
  const r = gate(now, BASE, { failOn: ["high"] });
  assert.deepEqual(r.failures.filter((f) => f.kind === "new-finding").map((f) => f.message), ["new high finding in CC6.1 (rule-a): finding new-high"]);
  assert.deepEqual(gate(now, BASE, { failOn: ["low"] }).failures.filter((f) => f.kind === "new-finding").length, 2);
  assert.equal(gate(now, BASE, { failOn: ["none"], maxNewFindings: 2 }).passed, false, "status drop of A.8.9 still fails");
  const limit = gate(now, BASE, { failOn: ["none"], maxNewFindings: 1 }).failures.find((f) => f.kind === "new-findings-limit");
  assert.match(limit!.message, /^2 new open findings, more than the maximum 1/);

  const before = build({ "A.5.37": "exceptions" }, [finding("x", { state: "accepted", acceptance: { id: "RA-9", status: "active", expires: "2026-10-30" } })]);
  const after = build({ "A.5.37": "deficient" }, [finding("x", { acceptance: { id: "RA-9", status: "expired", expires: "2026-10-30" } })], {
    acceptances: [{ id: "RA-9", status: "expired", expires: "2026-10-30", findings: 1 }],
  });
  const reopened = gate(after, before);
  assert.deepEqual(reopened.failures.map((f) => f.kind), ["status-drop", "new-finding", "acceptance-expired"]);
  assert.match(reopened.failures[1]!.message, /^reopened high finding \(accepted in the baseline under RA-9\)/);
  assert.match(reopened.failures[2]!.message, /^risk acceptance RA-9 expired on 2026-10-30, before the period's last day 2026-10-31: its 1 finding in A\.5\.37 is open again/);
});

test("fail-on statuses fail whatever the baseline; no baseline makes every open finding new", () => {
  const r = gate(BASE, null, { failOn: ["deficient"] });
  assert.deepEqual(r.failures.map((f) => [f.kind, f.controls]), [["status-fail-on", ["CC6.1"]]]);
  assert.equal(r.baseline, null);
  const noBaseline = gate(BASE, null, { failOn: ["medium"] });
  assert.deepEqual(noBaseline.failures.map((f) => f.kind), ["new-finding"]);
  assert.equal(noBaseline.findings.new.length, 1);
  assert.match(noBaseline.notes[0]!, /No baseline/);
});

test("an acceptance expiring within the window warns, or fails when configured; one that covers nothing is ignored", () => {
  const acceptances = [
    { id: "RA-soon", status: "active", expires: "2026-11-15", findings: 1 },
    { id: "RA-later", status: "active", expires: "2027-03-01", findings: 1 },
    { id: "RA-idle", status: "expired", expires: "2026-09-01", findings: 0 },
  ];
  const now = build({ "A.5.37": "exceptions" }, [finding("a", { state: "accepted", acceptance: { id: "RA-soon", status: "active", expires: "2026-11-15" } })], { acceptances });
  const warn = gate(now, now);
  assert.equal(warn.passed, true);
  assert.deepEqual(warn.warnings.map((w) => w.message), [
    "risk acceptance RA-soon expires on 2026-11-15, 15 days after the period's last day (window 30 days); it covers 1 finding in A.5.37",
  ]);
  const strict = gate(now, now, {}, "2026-10-31", { ...THRESHOLDS, acceptanceExpiring: "fail" });
  assert.deepEqual([strict.passed, strict.failures.map((f) => f.kind)], [false, ["acceptance-expiring"]]);
  assert.equal(gate(now, now, {}, "2026-10-31", { ...THRESHOLDS, acceptanceWarningDays: 10 }).warnings.length, 0);
});

test("a control in the baseline that this build no longer evaluates fails", () => {
  const now = build({ "CC6.1": "deficient", "A.5.37": "effective" }, BASE.results.findings);
  const r = gate(now, BASE, { minCoverage: ["0"], coverageTolerance: 1 });
  assert.deepEqual(r.failures.map((f) => [f.kind, f.controls]), [["control-removed", ["A.8.9"]]]);
});

test("a minimum above the share of automated controls is refused as a configuration error naming the reachable maximum", () => {
  // 1 of 4 controls is manual: at most 75% overall, and 50% for SOC 2 (1 of its 2 controls).
  const b = build({ "CC6.1": "effective", "CC7.2": "manual", "A.5.1": "deficient", "A.8.9": "not-tested" }, []);
  const options = (flags: object) => gateOptions(THRESHOLDS, flags);
  assert.doesNotThrow(() => checkReachable(options({ minCoverage: ["0.75"] }), b));
  assert.throws(
    () => checkReachable(options({ minCoverage: ["0.8"] }), b),
    (e: unknown) => e instanceof UsageError && /overall minimum 80\.0%.*1 of 4 controls are manual.*at most 75\.0%/.test(e.message),
  );
  assert.throws(
    () => checkReachable(options({ minCoverage: ["soc2=0.6"] }), b),
    (e: unknown) => e instanceof UsageError && /soc2 minimum 60\.0%.*1 of 2 soc2 controls are manual.*at most 50\.0%/.test(e.message),
  );
  // The default sets no floor, so a catalog that is mostly manual is not refused out of the box.
  assert.doesNotThrow(() => checkReachable(options({}), build({ "CC7.2": "manual" }, [])));
});
