import PDFDocument from "pdfkit";
import type { ControlResult, Finding } from "../evaluate.ts";
import type { ReportModel } from "./model.ts";
import { agentPostureSection } from "./sections/agent-posture.ts";
import { FONT, PAGE, contentWidth, heading, keyValues, paragraph, safeText, table } from "./pdf-layout.ts";

type Doc = InstanceType<typeof PDFDocument>;

const STATUS_COLOR: Record<ControlResult["status"], string> = {
  effective: "#1b7f3b",
  exceptions: "#b7791f",
  deficient: "#c53030",
  "not-tested": "#555",
  manual: "#2b6cb0",
};
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;
const pct = (r: number) => `${(r * 100).toFixed(0)}%`;

/** Renders the auditor-facing PDF. Pure apart from pdfkit itself: no clock, no file system. */
export function renderPdf(model: ReportModel): Promise<Buffer> {
  const { meta } = model;
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
    bufferPages: true,
    autoFirstPage: false,
    lang: "en",
    displayTitle: true,
    info: {
      Title: `${meta.title}: ${meta.organisation}, ${meta.period}`,
      Author: meta.preparedBy ?? meta.organisation,
      Subject: `SOC 2 / ISO 27001 evidence for ${meta.period}`,
      Creator: `evidence ${meta.toolVersion}`,
      Producer: `evidence ${meta.toolVersion}`,
      CreationDate: new Date(meta.generatedAt),
      ModDate: new Date(meta.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

  const toc: { title: string; page: number }[] = [];
  const section = (title: string) => {
    doc.addPage();
    toc.push({ title, page: doc.bufferedPageRange().count });
    doc.outline.addItem(title);
    heading(doc, title);
  };

  cover(doc, model);
  doc.addPage(); // contents, filled in once page numbers are known
  const contentsPage = doc.bufferedPageRange().count - 1;

  section("1. Executive summary");
  executiveSummary(doc, model);
  section("2. Scope and method");
  scopeAndMethod(doc, model);
  section("3. Controls, tests and results");
  for (const control of model.evaluation.controls) controlSection(doc, model, control);
  section("4. AI agent activity");
  agentSection(doc, model);
  agentPostureSection(doc, model);
  section("5. Change management");
  changeSection(doc, model);
  section("Appendix A. Evidence inventory");
  inventory(doc, model);

  doc.switchToPage(contentsPage);
  doc.y = doc.page.margins.top;
  heading(doc, "Contents");
  table(doc, [{ header: "Section", width: 0.85 }, { header: "Page", width: 0.15, align: "right" }], toc.map((t) => [t.title, String(t.page)]));

  furniture(doc, model);
  doc.end();
  return done;
}

function cover(doc: Doc, model: ReportModel): void {
  const { meta } = model;
  doc.addPage();
  doc.moveDown(8);
  doc.font(FONT.bold).fontSize(26).fillColor("#111").text(safeText(meta.organisation), { width: contentWidth(doc) });
  doc.moveDown(0.5);
  doc.font(FONT.regular).fontSize(16).text(safeText(meta.title));
  doc.moveDown(1.5);
  keyValues(doc, [
    ["Period", `${meta.period} (${meta.periodStart.slice(0, 10)} to ${meta.periodEnd.slice(0, 10)}, end exclusive, ${meta.timezone})`],
    ["Frameworks", meta.frameworks.map((f) => `${f.name} (${f.version})`).join("; ")],
    ["Build id", meta.buildId],
    ["Generated", `${meta.generatedAt} (taken from the period end, not the clock)`],
    ["Tool", `evidence ${meta.toolVersion}`],
    ["Config SHA-256", meta.configSha256],
  ]);
}

function executiveSummary(doc: Doc, model: ReportModel): void {
  const { coverage, controls, findings } = model.evaluation;
  paragraph(
    doc,
    `Automated evidence covers ${coverage.overall.tested} of ${coverage.overall.inScope} controls in scope (${pct(coverage.overall.ratio)}). ` +
      `${findings.length} finding${findings.length === 1 ? "" : "s"} were raised.`,
  );
  table(
    doc,
    [{ header: "Framework", width: 0.5 }, { header: "Controls tested", width: 0.25, align: "right" }, { header: "Coverage", width: 0.25, align: "right" }],
    Object.entries(coverage.byFramework).map(([fw, c]) => [fw, `${c.tested} / ${c.inScope}`, pct(c.ratio)]),
  );
  const statuses = ["effective", "exceptions", "deficient", "not-tested", "manual"] as const;
  table(
    doc,
    statuses.map((s) => ({ header: s, width: 1 / statuses.length, align: "right" as const })),
    [statuses.map((s) => String(controls.filter((c) => c.status === s).length))],
  );
  heading(doc, "Top risks", 2);
  const top = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]).slice(0, 8);
  if (top.length === 0) paragraph(doc, "No findings.");
  else table(doc, [{ header: "Severity", width: 0.12 }, { header: "Controls", width: 0.18 }, { header: "Finding", width: 0.7 }], top.map((f) => [f.severity, f.controlIds.join(", "), f.message]));
}

function scopeAndMethod(doc: Doc, model: ReportModel): void {
  const { scope } = model;
  paragraph(doc, "Sources configured for this workspace:");
  table(doc, [{ header: "Source", width: 0.25 }, { header: "Kind", width: 0.2 }, { header: "Files", width: 0.55 }], scope.sources.map((s) => [s.name, s.kind, s.files]));
  paragraph(doc, "Agent identities and how each is recognised:");
  table(
    doc,
    [{ header: "Identity", width: 0.2 }, { header: "Product", width: 0.15 }, { header: "Owner", width: 0.2 }, { header: "Signals", width: 0.45 }],
    scope.agents.map((a) => [a.id, a.product, a.owner ?? "-", a.signals]),
  );
  const prod = scope.production;
  keyValues(doc, [
    ["Production AWS accounts", prod.awsAccounts.join(", ") || "none configured"],
    ["Production branches", prod.branches.join(", ")],
    ["Production paths", prod.paths.join(", ") || "none configured"],
    ["Production resource patterns", prod.resourcePatterns.join(", ") || "none configured"],
  ]);
  heading(doc, "What counts as sufficient evidence", 2);
  paragraph(
    doc,
    "A control is tested when every automated rule mapped to it had data from all the sources it needs inside the period and ran without error. " +
      "A rule whose source has no data for the period makes the control not-tested, never effective. Controls without automated rules are manual. " +
      "Coverage is the number of tested controls (effective, with exceptions, or deficient) divided by the controls in scope.",
  );
}

function findingRows(findings: Finding[]): string[][] {
  return findings.map((f) => [f.id, f.message, f.evidence.map((e) => `${e.ref} ${e.file} ${e.locator}`).join("; ")]);
}

function controlSection(doc: Doc, model: ReportModel, control: ControlResult): void {
  heading(doc, `${control.id} ${control.title}`, 2);
  doc.font(FONT.bold).fontSize(10).fillColor(STATUS_COLOR[control.status]).text(`Status: ${control.status}`);
  doc.fillColor("#222");
  paragraph(doc, control.description);
  paragraph(doc, control.reason, { color: "#444" });
  if (control.related.length) paragraph(doc, `Related: ${control.related.join(", ")}. Frequency: ${control.frequency}.`, { size: 8.5, color: "#555" });
  for (const ruleId of control.rules) {
    const run = model.evaluation.rules.find((r) => r.id === ruleId)!;
    heading(doc, `Test: ${run.title}`, 3);
    keyValues(doc, [
      ["Rule", `${run.id} (severity ${run.severity})`],
      ["Result", run.outcome],
      ["Population", run.population ? `${run.population.description}: ${run.population.size}` : "none: " + run.results[0]!.message],
      ["Query", run.population?.query ?? "-"],
    ]);
    const findings = model.evaluation.findings.filter((f) => f.ruleId === run.id);
    if (findings.length) {
      table(doc, [{ header: "Finding", width: 0.14 }, { header: "Description", width: 0.56 }, { header: "Evidence", width: 0.3 }], findingRows(findings.slice(0, 50)));
      if (findings.length > 50) paragraph(doc, `${findings.length - 50} more findings are listed in findings.csv.`);
    } else {
      paragraph(doc, run.results.map((r) => r.message).join(" "));
    }
  }
}

function agentSection(doc: Doc, model: ReportModel): void {
  if (model.agents.length === 0) {
    paragraph(doc, "No agent tool calls were recorded in the period.");
    return;
  }
  table(
    doc,
    [
      { header: "Agent product", width: 0.2 }, { header: "Actions", width: 0.1, align: "right" }, { header: "By class", width: 0.3 },
      { header: "By approval", width: 0.25 }, { header: "Destructive in prod, not human-approved", width: 0.15, align: "right" },
    ],
    model.agents.map((a) => [
      a.agentProduct,
      String(a.actions),
      Object.entries(a.byClass).map(([k, v]) => `${k} ${v}`).join(", "),
      Object.entries(a.byApproval).map(([k, v]) => `${k} ${v}`).join(", "),
      String(a.productionDestructiveUnapproved),
    ]),
  );
  heading(doc, "Destructive actions in production", 2);
  if (model.destructiveInProduction.length === 0) paragraph(doc, "None.");
  else
    table(
      doc,
      [{ header: "Time (UTC)", width: 0.16 }, { header: "Agent", width: 0.12 }, { header: "Command", width: 0.34 }, { header: "Approval", width: 0.24 }, { header: "Source", width: 0.14 }],
      model.destructiveInProduction.map((d) => [d.time, d.agentProduct, d.command ?? d.action, `${d.approval}: ${d.approvalEvidence ?? ""}`, `${d.file} ${d.locator}`]),
    );
  keyValues(doc, [
    ["CloudTrail events in period", String(model.cloud.events)],
    ["by agent identities", String(model.cloud.agentEvents)],
    ["destructive, by agent identities", String(model.cloud.agentDestructive)],
  ]);
}

function changeSection(doc: Doc, model: ReportModel): void {
  const c = model.changes;
  keyValues(doc, [
    ["Changes to production in period", String(c.total)],
    ["AI-authored", `${c.aiAuthored}${c.total ? ` (${pct(c.aiAuthored / c.total)})` : ""}`],
    ["Bot-authored", String(c.bots)],
    ["Independently reviewed", `${c.reviewed}${c.total ? ` (${pct(c.reviewed / c.total)})` : ""}`],
    ["Unreviewed", String(c.unreviewed)],
    ["Review not recorded in git", String(c.unknown)],
  ]);
  paragraph(doc, "The full population is in changes.csv.");
}

function inventory(doc: Doc, model: ReportModel): void {
  table(
    doc,
    [
      { header: "Source / file", width: 0.34 }, { header: "SHA-256", width: 0.3 }, { header: "Parser", width: 0.14 },
      { header: "Accepted", width: 0.08, align: "right" }, { header: "Dupes", width: 0.07, align: "right" }, { header: "Rejects", width: 0.07, align: "right" },
    ],
    model.sources.map((s) => [`${s.source}: ${s.path}`, s.sha256, `${s.parser} v${s.parser_version}`, String(s.accepted), String(s.duplicates), String(s.rejected)]),
    { size: 7 },
  );
  paragraph(doc, `Rejected records in total: ${model.rejects.total}. Each is listed with its file, position and reason in rejects.csv.`);
}

/** Header and footer on every page but the cover: build id and "page x of y". */
function furniture(doc: Doc, model: ReportModel): void {
  const range = doc.bufferedPageRange();
  for (let i = 1; i < range.count; i++) {
    doc.switchToPage(i);
    const margins = doc.page.margins;
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    doc.font(FONT.regular).fontSize(7.5).fillColor("#777");
    doc.text(`${safeText(model.meta.organisation)} · ${model.meta.title} · ${model.meta.period}`, margins.left, PAGE.headerY, { width: contentWidth(doc), lineBreak: false });
    doc.text(`Build ${model.meta.buildId} · page ${i + 1} of ${range.count}`, margins.left, doc.page.height - 32, { width: contentWidth(doc), align: "right", lineBreak: false });
    doc.page.margins = margins;
  }
}
