import type { ReportModel } from "../model.ts";
import { horizontalBars } from "../pdf-charts.ts";
import { heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";
import { pct, plural, STATUS_COLOR, STATUSES } from "./format.ts";

/** Coverage per framework, control status counts, the coverage chart, top risks and the change since the last period. */
export function executiveSummarySection(doc: Doc, model: ReportModel): void {
  const { coverage, controls, findings, rules } = model.evaluation;
  paragraph(
    doc,
    `Automated evidence covers ${coverage.overall.tested} of ${coverage.overall.inScope} controls in scope (${pct(coverage.overall.ratio)}) for ${model.meta.period}` +
      `${coverage.overall.rules ? `; counted per control, ${coverage.overall.rules.sufficient} of ${coverage.overall.rules.mapped} rule mappings had evidence` : ""}. ` +
      "Manual controls count in the denominator: the package holds no automated evidence for them. " +
      `${plural(findings.length, "finding")} ${findings.length === 1 ? "was" : "were"} raised by ${plural(rules.length, "automated test")}.`,
  );
  table(
    doc,
    [{ header: "Framework", width: 0.5 }, { header: "Controls tested", width: 0.25, align: "right" }, { header: "Coverage", width: 0.25, align: "right" }],
    Object.entries(coverage.byFramework).map(([fw, c]) => [model.meta.frameworks.find((f) => f.id === fw)?.name ?? fw, `${c.tested} / ${c.inScope}`, pct(c.ratio)]),
  );
  table(
    doc,
    STATUSES.map((s) => ({ header: `Controls ${s}`, width: 1 / STATUSES.length, align: "right" as const })),
    [STATUSES.map((s) => String(controls.filter((c) => c.status === s).length))],
  );

  // Coverage by control: the share of a control's automated tests that produced a result, coloured by status.
  horizontalBars(doc, {
    title: "Coverage by control",
    series: STATUSES.map((s) => ({ name: s, color: STATUS_COLOR[s] })),
    max: 1,
    labelWidth: 150,
    // Each control's own coverage as the evaluation decided it: rules with evidence out of rules mapped.
    // A manual control has no automated test: an empty bar, never a full one.
    data: controls.map((c) => {
      const share = c.coverage.rules ? c.coverage.sufficient / c.coverage.rules : 0;
      return {
        label: `${c.id} ${c.title}`,
        values: STATUSES.map((s) => (s === c.status ? share : 0)),
        note: c.status === "manual" ? "manual: not tested by this tool (evidence to attach)" : `${c.status}: ${c.coverage.sufficient}/${c.coverage.rules} tests with evidence, ${plural(c.findings, "finding")}`,
      };
    }),
  });

  heading(doc, "Top risks", 2);
  const top = model.topRisks ?? [];
  if (findings.length === 0) paragraph(doc, "No findings in this period.");
  else {
    paragraph(doc, "Open risks first, then accepted ones; findings about the same record from several rules are one risk.", { size: 8.5, color: "#555" });
    table(
      doc,
      [{ header: "Severity", width: 0.1 }, { header: "Controls", width: 0.14 }, { header: "Risk", width: 0.48 }, { header: "State", width: 0.1 }, { header: "Findings", width: 0.18 }],
      top.map((r) => [r.severity, r.controls.join(", "), r.message, r.state, r.findingIds.join(", ")]),
    );
  }
  const ungoverned = model.package?.inventory.filter((a) => a.inInventory === false) ?? [];
  if (ungoverned.length) paragraph(doc, `Agentic tools seen but not in the inventory: ${ungoverned.map((a) => a.product).join(", ")} (see section on AI agent activity).`);

  heading(doc, "Change from the previous period", 2);
  const cmp = model.package?.previous;
  if (!cmp?.previous) {
    paragraph(doc, "No earlier build of the previous period is recorded in this evidence store, so there is nothing to compare with.");
    return;
  }
  const before = cmp.coverage.previous;
  keyValues(doc, [
    ["Compared with", `build ${cmp.previous.buildId} for ${cmp.previous.period}`],
    ["Coverage", `${before ? `${before.tested}/${before.inScope} (${pct(before.ratio)})` : "unknown"} then, ${coverage.overall.tested}/${coverage.overall.inScope} (${pct(coverage.overall.ratio)}) now`],
    ["New findings", String(cmp.newFindings.length)],
    ["Fixed findings (gone since then)", String(cmp.fixedFindings.length)],
    ["Recurring findings", String(cmp.recurringFindings.length)],
    ["Controls whose status changed", cmp.statusChanges.length ? cmp.statusChanges.map((c) => `${c.control}: ${c.from} → ${c.to}`).join("; ") : "none"],
  ]);
  const listed = [...cmp.newFindings.map((f) => ["new", f.severity, f.message, f.id]), ...cmp.fixedFindings.map((f) => ["fixed", f.severity, f.message, f.id])];
  if (listed.length)
    table(doc, [{ header: "Change", width: 0.1 }, { header: "Severity", width: 0.1 }, { header: "Finding", width: 0.66 }, { header: "Id", width: 0.14 }], listed.slice(0, 30));
}
