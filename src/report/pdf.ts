import type { ReportModel } from "./model.ts";
import { createDocument, FONT, PAGE, contentWidth, heading, tocEntries, type Doc, type PdfFonts } from "./pdf-layout.ts";
import { agentActivitySection } from "./sections/agent-activity.ts";
import { agentPostureSection } from "./sections/agent-posture.ts";
import { loggingCoverageSection } from "./sections/logging-coverage.ts";
import { timelineSection } from "./sections/timeline.ts";
import { changeSummarySection } from "./sections/change-summary.ts";
import { contentsPages, drawContents } from "./sections/contents.ts";
import { controlTestsSection } from "./sections/control-tests.ts";
import { coverPage } from "./sections/cover.ts";
import { evidenceInventorySection } from "./sections/evidence-inventory.ts";
import { notInScopeSection } from "./sections/not-in-scope.ts";
import { executiveSummarySection } from "./sections/executive-summary.ts";
import { cloudtrailIamSection } from "./sections/cloudtrail-iam.ts";
import { gitChangesSection } from "./sections/git-changes.ts";
import { reconciliationSection } from "./sections/reconciliation.ts";
import { scopeMethodSection } from "./sections/scope-method.ts";

export interface PdfOptions {
  /** Embedded fonts (fonts.ts loadPdfFonts); without them text is limited to Latin (Helvetica). */
  fonts?: PdfFonts;
}

/** Starts a numbered top-level section on a new page; it becomes a contents entry and a bookmark. */
function section(doc: Doc, title: string): void {
  doc.addPage();
  heading(doc, title);
}

/** The body after the cover and the contents. Sections from other areas add one call line each. */
function body(doc: Doc, model: ReportModel): void {
  section(doc, "1. Executive summary");
  executiveSummarySection(doc, model);
  section(doc, "2. Scope and method");
  scopeMethodSection(doc, model);
  section(doc, "3. Controls, tests and results");
  controlTestsSection(doc, model);
  section(doc, "4. AI agent activity");
  agentActivitySection(doc, model);
  agentPostureSection(doc, model);
  loggingCoverageSection(doc, model);
  timelineSection(doc, model);
  section(doc, "5. Change management");
  changeSummarySection(doc, model);
  gitChangesSection(doc, model);
  // Sections from other areas go here, one call line each: `xSection(doc, model);` (src/report/sections/x.ts).
  cloudtrailIamSection(doc, model);
  section(doc, "Appendix A. Evidence inventory");
  evidenceInventorySection(doc, model);
  reconciliationSection(doc, model);
  section(doc, "Appendix B. Criteria not in scope");
  notInScopeSection(doc, model);
}

/** Header and footer on every page but the cover: organisation, period, build id and "page x of y". */
function furniture(doc: Doc, model: ReportModel): void {
  const range = doc.bufferedPageRange();
  const { meta } = model;
  for (let i = 1; i < range.count; i++) {
    doc.switchToPage(i);
    const margins = doc.page.margins;
    // Drawing in the margins must not trigger pdfkit's automatic page break.
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    doc.font(FONT.regular).fontSize(7.5).fillColor("#777");
    const head = `${meta.organisation} · ${meta.title} · ${meta.period}`.replace(/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/g, "");
    doc.text(head, margins.left, PAGE.headerY, { width: contentWidth(doc), lineBreak: false, ellipsis: true, height: 10 });
    doc.text(`Build ${meta.buildId} · page ${i + 1} of ${range.count}`, margins.left, doc.page.height - 32, { width: contentWidth(doc), align: "right", lineBreak: false });
    doc.page.margins = margins;
  }
}

function draw(model: ReportModel, options: PdfOptions, reservedContents: number): { done: Promise<Buffer>; neededContents: number } {
  const { meta } = model;
  const { doc, done } = createDocument({
    title: `${meta.title}: ${meta.organisation}, ${meta.period}`,
    author: meta.preparedBy ?? meta.organisation,
    subject: `SOC 2 / ISO 27001 evidence for ${meta.period}, build ${meta.buildId}`,
    creator: `evidence ${meta.toolVersion}`,
    date: meta.generatedAt,
    fonts: options.fonts,
  });
  coverPage(doc, model);
  const firstContentsPage = doc.bufferedPageRange().count;
  for (let i = 0; i < reservedContents; i++) doc.addPage();
  body(doc, model);
  const entries = tocEntries(doc);
  const neededContents = contentsPages(doc, entries);
  if (neededContents <= reservedContents) {
    drawContents(doc, entries, firstContentsPage);
    furniture(doc, model);
  }
  doc.end();
  return { done, neededContents };
}

/**
 * Renders the auditor-facing PDF. Pure: the model in, bytes out; no clock, no file system.
 * The contents come before the body but list its page numbers, so pages are reserved for them;
 * when the body turns out to need more contents pages, the document is drawn again.
 */
export async function renderPdf(model: ReportModel, options: PdfOptions = {}): Promise<Buffer> {
  let reserved = 1;
  for (;;) {
    const { done, neededContents } = draw(model, options, reserved);
    if (neededContents <= reserved) return done;
    await done;
    reserved = neededContents;
  }
}
