import { test } from "node:test";
import assert from "node:assert/strict";
import { findingsByControl, type Finding } from "../../src/evaluate.ts";
import { findingIndex } from "../../src/report/collect/rule-results.ts";
import { buildOscal } from "../../src/report/oscal.ts";
import { renderPdf } from "../../src/report/pdf.ts";
import { syntheticModel } from "../helpers/report-model.ts";

/** Counts every read of a finding's control ids. */
function countingControlIds(findings: Finding[]): { reads: number } {
  const counter = { reads: 0 };
  for (const f of findings) {
    const ids = f.controlIds;
    Object.defineProperty(f, "controlIds", { get: () => (counter.reads++, ids), enumerable: true, configurable: true });
  }
  return counter;
}

/**
 * A month holds tens of thousands of findings and the catalog 40 controls: the PDF's control pages
 * and the OSCAL findings read each finding's controls a bounded number of times, not once per
 * control (controls × findings), and list each control's findings in the findings' order.
 */
test("the control pages and OSCAL read each finding's controls a bounded number of times, not once per control", async () => {
  // 80 findings keep the PDF small (the unit suite's CPU budget) and still tell the two apart: one
  // read per control would be 40 × 80 = 3,200 reads against a bound of 160 (OSCAL) or 320 (PDF).
  const model = syntheticModel({ controls: 40, findings: 80 });
  const counter = countingControlIds(model.evaluation.findings);
  buildOscal(model);
  assert.ok(counter.reads <= 2 * 80, `OSCAL read finding controls ${counter.reads} times for 80 findings and 40 controls`);
  counter.reads = 0;
  await renderPdf(model);
  assert.ok(counter.reads <= 4 * 80, `the PDF read finding controls ${counter.reads} times for 80 findings and 40 controls`);
});

test("findingsByControl lists each control's findings in the findings' order, once each", () => {
  const f = (id: string, controlIds: string[]) => ({ id, controlIds }) as unknown as Finding;
  const findings = [f("a", ["CC6.1", "A.8.2"]), f("b", ["A.8.2"]), f("c", ["CC6.1", "CC6.1"]), f("d", [])];
  const by = findingsByControl(findings);
  assert.deepEqual([...by].map(([c, list]) => [c, list.map((x) => x.id)]), [["CC6.1", ["a", "c"]], ["A.8.2", ["a", "b"]]]);
});

test("the finding index of an evaluation is built once, however many tables and samples ask for it", () => {
  const model = syntheticModel({ controls: 3, findings: 50 });
  let reads = 0;
  for (const f of model.evaluation.findings) {
    const evidence = f.evidence;
    Object.defineProperty(f, "evidence", { get: () => (reads++, evidence), enumerable: true, configurable: true });
  }
  const first = findingIndex(model.evaluation);
  const second = findingIndex({ ...model.evaluation });
  assert.equal(reads, 50, "each finding's evidence read once");
  const f = model.evaluation.findings[7]!;
  const item = { key: "x", observed: "", result: "exception" as const, evidence: f.evidence[0]! };
  assert.equal(first(f.ruleId, item), f.id);
  assert.equal(second(f.ruleId, item), f.id);
});
