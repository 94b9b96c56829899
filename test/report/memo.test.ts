import { test } from "node:test";
import assert from "node:assert/strict";
import { loadMemoTemplates, renderMemos } from "../../src/report/memo.ts";
import { syntheticModel } from "../helpers/report-model.ts";

/** A month can hold tens of thousands of findings: memos list a readable number and count the rest. */
function a88Model(findings: number) {
  const model = syntheticModel({ controls: 2, findings });
  // Every finding maps to A.8.8 as well, as the destructive-action rules do.
  const a88 = { ...model.evaluation.controls[0]!, id: "A.8.8", framework: "iso27001", title: "Management of technical vulnerabilities" };
  model.evaluation.controls.push(a88);
  for (const [i, f] of model.evaluation.findings.entries()) {
    f.controlIds = [...f.controlIds, "A.8.8"];
    if (i % 10 === 0) f.state = "accepted";
  }
  return model;
}

test("the A.8.8 sign-off memo lists the first 50 open and accepted findings and counts the rest", () => {
  const memos = renderMemos(a88Model(1_000), loadMemoTemplates(), 365);
  const signoff = memos.find((m) => m.name === "memos/A.8.8-residual-risk-signoff")!.content;
  assert.match(signoff, /900 open finding\(s\) and 100 finding\(s\) covered by a risk acceptance/);
  assert.equal(signoff.match(/^- Open \*\*/gm)?.length, 50);
  assert.equal(signoff.match(/^- Accepted \*\*/gm)?.length, 50);
  assert.match(signoff, /… and 850 more open occurrences, listed in findings\.csv/);
  assert.match(signoff, /… and 50 more accepted occurrences, listed in findings\.csv/);
});

test("a sign-off with few findings lists them all and says nothing of more", () => {
  const memos = renderMemos(a88Model(20), loadMemoTemplates(), 365);
  const signoff = memos.find((m) => m.name === "memos/A.8.8-residual-risk-signoff")!.content;
  assert.match(signoff, /18 open finding\(s\) and 2 finding\(s\) covered/);
  assert.equal(signoff.match(/^- Open \*\*/gm)?.length, 18);
  assert.doesNotMatch(signoff, /more open/);
});

test("repeats of one finding (same rule, subject and message) are one line in the sign-off, with their count", () => {
  const model = a88Model(30);
  // Findings 1-9 are the same agent command run nine times: one id.
  for (const f of model.evaluation.findings.slice(1, 10)) Object.assign(f, { id: "repeat000001", message: "cursor ran kubectl delete pod api in production." });
  const signoff = renderMemos(model, loadMemoTemplates(), 365).find((m) => m.name === "memos/A.8.8-residual-risk-signoff")!.content;
  assert.equal(signoff.match(/repeat000001/g)?.length, 1);
  assert.match(signoff, /- Open \*\*repeat000001\*\* \((critical|high), 9 occurrences\): cursor ran kubectl/);
  assert.match(signoff, /27 open finding\(s\) and 3 finding\(s\) covered/, "the counts are of occurrences");
  assert.equal(signoff.match(/^- Open \*\*/gm)?.length, 27 - 9 + 1);
});
