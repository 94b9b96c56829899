import type { ReportModel } from "../model.ts";
import { heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";
import { POPULATION_FILES } from "../populations.ts";

/** Sources, identities, environments, what counts as sufficient evidence, populations and the sampling method. */
export function scopeMethodSection(doc: Doc, model: ReportModel): void {
  const { scope } = model;
  paragraph(doc, "Sources configured for this workspace:");
  table(doc, [{ header: "Source", width: 0.25 }, { header: "Kind", width: 0.2 }, { header: "Files", width: 0.55 }], scope.sources.map((s) => [s.name, s.kind, s.files]));
  paragraph(doc, "Agent identities and how each is recognised:");
  table(
    doc,
    [{ header: "Identity", width: 0.2 }, { header: "Product", width: 0.15 }, { header: "Owner", width: 0.2 }, { header: "Signals", width: 0.45 }],
    scope.agents.map((a) => [a.id, a.product, a.owner ?? "-", a.signals || "-"]),
  );
  const prod = scope.production;
  if (!scope.productionDefined) {
    const skipped = model.evaluation.rules.filter((r) => r.production && r.outcome === "no-evidence");
    paragraph(
      doc,
      "Production is not defined: environments.production names no AWS account, working-directory path or resource pattern, so no agent action or cloud call " +
        `can be told to be in production. ${skipped.length ? `These rules were not tested for that reason: ${skipped.map((r) => r.id).join(", ")}.` : ""}`,
      { color: "#b00020" },
    );
  }
  keyValues(doc, [
    ["Production AWS accounts", prod.awsAccounts.join(", ") || "none configured"],
    ["Production branches", prod.branches.join(", ")],
    ["Production paths", prod.paths.join(", ") || "none configured"],
    ["Production resource patterns", prod.resourcePatterns.join(", ") || "none configured"],
  ]);
  heading(doc, "What counts as sufficient evidence", 3);
  paragraph(
    doc,
    "A control is tested when every automated rule mapped to it had data from all the sources it needs inside the period and ran without error. " +
      "A rule whose source has no data for the period makes the control not-tested, never effective. Controls without automated rules are manual. " +
      "Coverage is the number of tested controls (effective, with exceptions, or deficient) divided by the controls in scope.",
  );
  heading(doc, "Populations", 3);
  paragraph(
    doc,
    `Each population is the complete set of records for ${model.meta.period} (${model.meta.periodStart} ≤ time < ${model.meta.periodEnd}), ` +
      "produced by a fixed query over the evidence store and delivered as a CSV with a stable column order, sorted on stable keys.",
  );
  table(doc, [{ header: "CSV", width: 0.3 }, { header: "Population", width: 0.7 }], POPULATION_FILES.map((p) => [p.file, p.title]));
  heading(doc, "Sampling method", 3);
  const samples = model.samples;
  if (!samples) {
    paragraph(doc, "No samples were drawn for this report.");
    return;
  }
  keyValues(doc, [
    ["Seed", samples.seed],
    ["Method", samples.method],
    ["Size rule", "size = clamp(ceil(population × share), min, max), never more than the population (configurable as report.sampleSizes)"],
  ]);
  table(
    doc,
    [{ header: "Control frequency", width: 0.4 }, { header: "Min", width: 0.2, align: "right" }, { header: "Max", width: 0.2, align: "right" }, { header: "Share", width: 0.2, align: "right" }],
    Object.entries(samples.sizes).map(([f, r]) => [f, String(r.min), String(r.max), `${(r.share * 100).toFixed(0)}%`]),
  );
  paragraph(doc, "Each test is sampled from its own population: samples.csv lists every sampled item with the attribute tested, the expected and observed values, the result and the finding it raised; sampling-method.txt repeats the seed, method and positions; queries/ holds each test's query.", { size: 8.5, color: "#555" });
}
