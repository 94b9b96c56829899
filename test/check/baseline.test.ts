import { test } from "node:test";
import assert from "node:assert/strict";
import { baselineOf, buildOfBaseline, formatBaseline, parseBaseline } from "../../src/check/baseline.ts";
import { InputError } from "../../src/errors.ts";
import { compareResults, type StoredBuild } from "../../src/history.ts";

const BUILD: StoredBuild = {
  buildId: "b1", period: "2026-10", periodStart: "2026-10-01T00:00:00.000Z", periodEnd: "2026-11-01T00:00:00.000Z", createdSeq: 3,
  results: {
    coverage: { overall: { tested: 2, inScope: 2, ratio: 1 }, byFramework: { soc2: { tested: 1, inScope: 1, ratio: 1 }, iso27001: { tested: 1, inScope: 1, ratio: 1 } } },
    controls: [
      { id: "CC8.1", framework: "soc2", status: "exceptions", findings: 1, openFindings: 0, acceptedFindings: 1, coverage: { rules: 1, sufficient: 1 } },
      { id: "A.5.37", framework: "iso27001", status: "deficient", findings: 1 },
    ],
    // An older build: no state, no acceptances list.
    findings: [
      { id: "ff", ruleId: "r2", severity: "medium", controlIds: ["CC8.1", "A.8.9"], message: "m2", state: "accepted", acceptance: { id: "RA-1", status: "active", expires: "2026-12-15" }, locations: [{ file: "x", ref: "settings:1" }] },
      { id: "aa", ruleId: "r1", severity: "high", controlIds: ["A.5.37"], subject: "s", message: "m1" },
    ],
  },
};

test("a baseline is sorted, keeps only what the gate compares, and reads back to the same comparison", () => {
  const b = baselineOf(BUILD);
  assert.deepEqual(Object.keys(b.coverage.byFramework), ["iso27001", "soc2"]);
  assert.deepEqual(b.controls.map((c) => [c.id, c.openFindings, c.acceptedFindings]), [["A.5.37", 1, 0], ["CC8.1", 0, 1]]);
  assert.deepEqual(b.findings.map((f) => [f.id, f.state, f.controlIds]), [["aa", "open", ["A.5.37"]], ["ff", "accepted", ["A.8.9", "CC8.1"]]]);
  assert.equal("locations" in b.findings[1]!, false, "locations stay out of the reviewed file");
  const text = formatBaseline(b);
  assert.equal(formatBaseline(parseBaseline(text, "b.json")), text, "round trip is byte-stable");
  const back = buildOfBaseline(parseBaseline(text, "b.json"));
  const c = compareResults(BUILD.results, back);
  assert.deepEqual([c.newFindings.length, c.fixedFindings.length, c.recurringFindings.length, c.statusChanges.length], [0, 0, 2, 0]);
});

test("a baseline that is not JSON, of another schema version or with an unknown key is an InputError naming the file", () => {
  const text = formatBaseline(baselineOf(BUILD));
  const bad = (t: string, pattern: RegExp) => assert.throws(() => parseBaseline(t, "ci/baseline.json"), (e: unknown) => e instanceof InputError && e.file === "ci/baseline.json" && pattern.test(e.message));
  bad(text.slice(0, 40), /^ci\/baseline\.json: not a valid baseline file: not JSON/);
  bad(text.replace('"schemaVersion": 1', '"schemaVersion": 2'), /^ci\/baseline\.json: schemaVersion: unsupported schema version/);
  bad(text.replace('"tool": "evidence"', '"tool": "evidence", "extra": 1'), /^ci\/baseline\.json: \(top level\): unknown key "extra"/);
});
