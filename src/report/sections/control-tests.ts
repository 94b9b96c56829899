import type { ControlResult, Finding } from "../../evaluate.ts";
import type { ReportModel } from "../model.ts";
import { FONT, heading, keyValues, lineHeight, paragraph, table, type Doc } from "../pdf-layout.ts";
import type { ControlSample } from "../samples.ts";
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
  return f.evidence.map((e) => `${e.ref} (${e.file} ${e.locator})`).join("; ") || "-";
}

/** The columns that identify a sampled item at a glance; samples.csv has every column. */
const ITEM_COLUMNS = ["time", "committed", "agent_id", "agent_product", "author", "action", "subject", "command", "target", "environment", "outcome", "approval", "review", "sha", "source_file", "source", "locator"];

/** A sampled row in one line: its identifying non-empty columns as `name: value`. */
function itemSummary(values: Record<string, unknown>): string {
  return ITEM_COLUMNS.filter((k) => values[k] !== null && values[k] !== undefined && values[k] !== "")
    .map((k) => `${k}: ${typeof values[k] === "string" ? values[k] : JSON.stringify(values[k])}`)
    .join(" · ");
}

function sampleBlock(doc: Doc, sample: ControlSample | undefined, seed: string | undefined): void {
  heading(doc, "Sample", 3);
  if (!sample || seed === undefined) {
    paragraph(doc, "No automated population for this control: the sample is selected by hand.");
    return;
  }
  keyValues(doc, [
    ["Population", `${sample.populationTitle} (${sample.population}): ${count(sample.populationSize)} rows`],
    ["Query", `${sample.query}  [start=${sample.parameters.start}, end=${sample.parameters.end}]`],
    ["Sample", `${sample.sampleSize} item${sample.sampleSize === 1 ? "" : "s"} for a ${sample.frequency} control, seed "${seed}" (method in section 2)`],
  ]);
  if (sample.items.length)
    table(doc, [{ header: "Row", width: 0.08, align: "right" }, { header: "Sampled item", width: 0.92 }], sample.items.map((i) => [String(i.row), itemSummary(i.values)]), { size: 7 });
}

function oneControl(doc: Doc, model: ReportModel, control: ControlResult): void {
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
  if (control.rules.length === 0) paragraph(doc, `Manual control: ${control.manualReason ?? control.reason}`);
  for (const ruleId of control.rules) {
    const run = model.evaluation.rules.find((r) => r.id === ruleId);
    if (!run) continue;
    keyValues(doc, [
      ["Test", `${run.title} (rule ${run.id}, severity ${run.severity})`],
      ["Why", run.rationale],
      ["Result", run.outcome + (run.error ? `: ${run.error}` : "")],
      ["Population", run.population ? `${run.population.description}: ${count(run.population.size)}` : `none: ${run.results[0]?.message ?? "no data"}`],
      ["Query or parameters", run.population?.query ?? "-"],
      ["Results", run.results.filter((r) => r.outcome !== "fail").map((r) => r.message).join(" ") || `${plural(run.results.length, "exception")} (below)`],
    ]);
  }
  sampleBlock(doc, model.samples?.controls.find((s) => s.control === control.id), model.samples?.seed);

  heading(doc, "Exceptions and risk acceptances", 3);
  const findings = model.evaluation.findings.filter((f) => f.controlIds.includes(control.id));
  if (findings.length === 0) {
    paragraph(doc, "No exceptions.");
    return;
  }
  table(
    doc,
    [{ header: "Finding", width: 0.12 }, { header: "Exception", width: 0.38 }, { header: "Evidence (event, file, record)", width: 0.32 }, { header: "Risk acceptance", width: 0.18 }],
    findings.slice(0, FINDINGS_SHOWN).map((f) => [`${f.id}\n${f.severity}, ${f.state}`, f.message, evidenceOf(f), acceptanceOf(f)]),
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
  for (const control of model.evaluation.controls) oneControl(doc, model, control);
}
