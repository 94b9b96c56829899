import { test } from "node:test";
import assert from "node:assert/strict";
import type { GateResult } from "../../src/check/gate.ts";
import { junitXml } from "../../src/check/junit.ts";
import { junitErrors, JUNIT_SCHEMAS } from "../helpers/check-schemas.ts";

const HOSTILE = 'drift in <settings> & "quotes" \u0001\u001b[31m\ud800 ]]>';

const RESULT: GateResult = {
  passed: false, period: "2026-10", buildId: "b", baseline: null, warnings: [], notes: [],
  failures: [
    { kind: "status-drop", level: "fail", message: `A.8.9 dropped from effective to deficient: ${HOSTILE}`, controls: ["A.8.9"] },
    { kind: "new-finding", level: "fail", message: "new high finding in A.8.9", controls: ["A.8.9"] },
    { kind: "coverage-minimum", level: "fail", message: "coverage 50.0% is under the minimum 80.0%", controls: [] },
  ],
  coverage: { overall: { current: { tested: 1, inScope: 2, ratio: 0.5 }, baseline: null, delta: null, minimum: 0.8 }, byFramework: {} },
  controls: [
    { id: "A.8.9", framework: "iso27001", title: "Configuration <management>", status: "deficient", baselineStatus: null, coverage: null, coverageDelta: null, newFindings: 1, fixedFindings: 0, recurringFindings: 0, failed: true },
    { id: "X.1", framework: "iso27001", status: "manual", reason: "Reviewed by hand", baselineStatus: null, coverage: null, coverageDelta: null, newFindings: 0, fixedFindings: 0, recurringFindings: 0, failed: false },
  ],
  findings: { new: [], fixed: [], recurring: [], newOpen: [] },
};

test("JUnit: one failure element per failing control with every reason, manual controls skipped, log text escaped", async () => {
  const xml = junitXml(RESULT, new Date("2026-11-02T08:09:10.123Z"));
  for (const schema of JUNIT_SCHEMAS) assert.deepEqual(await junitErrors(xml, schema), [], schema);
  assert.match(xml, /timestamp="2026-11-02T08:09:10"/);
  assert.match(xml, /<testcase name="A\.8\.9 Configuration &lt;management&gt;" classname="evidence\.iso27001" time="0">\n {6}<failure message="A\.8\.9 dropped[^"]*&lt;settings&gt; &amp; &quot;quotes&quot; \[U\+0001\]\[U\+001B\]\[31m\[U\+D800\] \]\]&gt;" type="status-drop">/);
  assert.equal((xml.match(/<failure /g) ?? []).length, 2, "A.8.9 and the coverage test case");
  assert.match(xml, /new high finding in A\.8\.9<\/failure>/);
  assert.match(xml, /<testcase name="X\.1" classname="evidence\.iso27001" time="0">\n {6}<skipped message="manual control: Reviewed by hand"\/>/);
  assert.match(xml, /<testcase name="coverage" classname="evidence\.gate" time="0">\n {6}<failure message="coverage 50\.0% is under the minimum 80\.0%" type="coverage-minimum">/);
  assert.match(xml, /tests="2" failures="1" errors="0" skipped="1"/);
});
