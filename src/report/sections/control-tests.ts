import { findingsByControl, type ControlResult, type Finding } from "../../evaluate.ts";
import { stableEvidence } from "../findings-csv.ts";
import type { ReportModel } from "../model.ts";
import { FONT, heading, keyValues, lineHeight, paragraph, table, type Doc } from "../pdf-layout.ts";
import { count, plural, STATUS_COLOR } from "./format.ts";

/** Findings listed per test in the PDF; findings.csv always has all of them. */
const FINDINGS_SHOWN = 100;

/** The risk acceptance that decided a finding's state: in force (accepted) or expired/pending (still open). */
function acceptanceOf(f: Finding): string {
  const a = f.acceptance;
  if (!a) return f.state === "accepted" ? "accepted" : "none: open";
  return `${a.id} (${a.status}): owner ${a.owner}, approved by ${a.approver} on ${a.approved}, expires ${a.expires}; ${a.file} ${a.locator}`;
}

function evidenceOf(f: Finding): string {
  // Event keys can be long tokens holding timestamps (session ids, hook event names): the PDF cites an
  // event by its file and line, which is as stable; findings.csv carries the key as well.
  return f.evidence.map((e) => (e.key?.startsWith("event:") ? `${e.file} ${e.locator}` : stableEvidence(e))).join("; ") || "-";
}

/** Per test of the control, the seeded sample of its population with the test's result on each item. */
function sampleBlock(doc: Doc, model: ReportModel, control: ControlResult): void {
  heading(doc, "Samples and their results", 3);
  const tests = model.samples?.tests.filter((t) => t.control === control.id) ?? [];
  if (tests.length === 0) {
    paragraph(doc, "No automated test for this control: the evidence is examined by hand.");
    return;
  }
  for (const t of tests) {
    if (t.items.length === 0) {
      paragraph(doc, `${t.rule}: no sample: ${t.noSample ?? "the population is empty"}.`, { size: 8.5 });
      continue;
    }
    paragraph(
      doc,
      `${t.rule}: ${t.sampleSize} of ${plural(t.populationSize, "item")} (seed "${model.samples!.seed}", method in section 2); attribute tested: ${t.attribute}; expected: ${t.expected}; query in queries/${t.rule}.sql.`,
      { size: 8.5 },
    );
    table(
      doc,
      [{ header: "#", width: 0.06, align: "right" }, { header: "Item", width: 0.3 }, { header: "Observed", width: 0.36 }, { header: "Result", width: 0.28 }],
      t.items.map((i) => [String(i.position), i.key, i.observed, i.result === "pass" ? "pass" : `exception (finding ${i.findingId ?? "?"})`]),
      { size: 7 },
    );
  }
}

function resultLines(results: ReportModel["evaluation"]["rules"][number]["results"]): string {
  const failing = results.filter((r) => r.outcome === "fail").length;
  const others = results.filter((r) => r.outcome !== "fail").map((r) => `${r.outcome}: ${r.message}`);
  return [...others, ...(failing ? [`fail: ${plural(failing, "exception")} (below)`] : [])].join("\n");
}

function oneControl(doc: Doc, model: ReportModel, control: ControlResult, ofControl: ReadonlyMap<string, readonly Finding[]>): void {
  heading(doc, `${control.id} ${control.title}`, 2);
  doc.font(FONT.bold).fontSize(10).fillColor(STATUS_COLOR[control.status]).text(`Status: ${control.status}`, doc.page.margins.left, doc.y, { lineBreak: false });
  doc.y += lineHeight(10) + 2;
  paragraph(doc, `Control (paraphrased): ${control.description}`);
  paragraph(doc, control.reason, { color: "#444" });
  paragraph(doc, `${control.frameworkName}. Frequency: ${control.frequency}.${control.related.length ? ` Related controls: ${control.related.join(", ")}.` : ""}`, {
    size: 8.5,
    color: "#555",
  });
  heading(doc, "Tests performed", 3);
  if (control.rules.length === 0) {
    paragraph(doc, `Manual control: ${control.manualReason ?? control.reason}`);
    if (control.attach?.length) paragraph(doc, `Evidence to attach: ${control.attach.join("; ")}.`);
  } else {
    paragraph(doc, `Automated tests with evidence: ${control.coverage.sufficient} of ${control.coverage.rules}.`, { size: 8.5, color: "#555" });
  }
  for (const ruleId of control.rules) {
    const run = model.evaluation.rules.find((r) => r.id === ruleId);
    if (!run) continue;
    keyValues(doc, [
      ["Test", `${run.title} (rule ${run.id}, severity ${run.severity})`],
      ["Why", run.rationale],
      ["Result", run.outcome + (run.error ? `: ${run.error}` : "") + (run.incomplete.length ? ` (population may be incomplete: ${run.incomplete.join("; ")})` : "")],
      ["Population", run.population ? `${run.population.description}: ${count(run.population.size)}` : `none: ${run.results[0]?.message ?? "no data"}`],
      // The full query is a file of the package: the page refers to it rather than printing it.
      ["Query", run.population ? `queries/${run.id}.sql (the complete query, run with :start = ${model.meta.periodStart} and :end = ${model.meta.periodEnd})` : "-"],
      // Each result with its own outcome: a rule that passes one subject and fails another reads as both.
      ["Results", resultLines(run.results)],
    ]);
  }
  sampleBlock(doc, model, control);

  heading(doc, "Exceptions and risk acceptances", 3);
  const findings = ofControl.get(control.id) ?? [];
  if (findings.length === 0) {
    paragraph(doc, "No exceptions.");
    return;
  }
  table(
    doc,
    [{ header: "Finding", width: 0.12 }, { header: "Exception", width: 0.38 }, { header: "Evidence (file, record)", width: 0.32 }, { header: "Risk acceptance", width: 0.18 }],
    findings.slice(0, FINDINGS_SHOWN).map((f) => [`${f.id}\n${f.severity}, ${f.state}`, `${f.message}${f.conflicts ? `\nCONFLICT: ${f.conflicts.join("; ")}` : ""}`, evidenceOf(f), acceptanceOf(f)]),
    { size: 7.5 },
  );
  if (findings.length > FINDINGS_SHOWN) paragraph(doc, `${count(findings.length - FINDINGS_SHOWN)} more exceptions for ${control.id} are listed in findings.csv.`);
}

/** Section IV style: per control, the paraphrase, tests, population, sample, results and exceptions. */
export function controlTestsSection(doc: Doc, model: ReportModel): void {
  paragraph(
    doc,
    "For each control: our paraphrase of it (the framework texts are copyrighted), the tests performed, the population with its size and query, " +
      "the seeded sample, the results, and the exceptions with any risk acceptance. Evidence references name the event, the source file and the record in it.",
  );
  const ofControl = findingsByControl(model.evaluation.findings);
  for (const control of model.evaluation.controls) oneControl(doc, model, control, ofControl);
}
