import type { ReportModel } from "../model.ts";
import { contentWidth, FONT, keyValues, type Doc } from "../pdf-layout.ts";

/** The cover: who, which period, which frameworks, which build, and when (from the model, not the clock). */
export function coverPage(doc: Doc, model: ReportModel): void {
  const { meta } = model;
  doc.addPage();
  const x = doc.page.margins.left;
  doc.save().rect(0, 0, doc.page.width, 10).fill("#1f3a5f").restore();
  doc.font(FONT.bold).fontSize(26).fillColor("#111").text(meta.organisation, x, 200, { width: contentWidth(doc) });
  doc.font(FONT.regular).fontSize(16).fillColor("#333").text(meta.title, x, doc.y + 6, { width: contentWidth(doc) });
  doc.font(FONT.regular).fontSize(11).fillColor("#555").text(`Evidence package for ${meta.period}`, x, doc.y + 6, { width: contentWidth(doc) });
  doc.y += 30;
  keyValues(doc, [
    ["Organisation", meta.organisation],
    ["Period", `${meta.period}: ${meta.periodStart} to ${meta.periodEnd} (end exclusive), time zone ${meta.timezone}`],
    ["Frameworks", meta.frameworks.map((f) => `${f.name} (${f.version})`).join("; ")],
    ["Build id", meta.buildId],
    ["As of", `${meta.generatedAt} (the period end or --as-of: the time the evidence is stated at)`],
    ["Extraction ran", meta.run ? `${meta.run.extractedAt} on ${meta.run.host} as ${meta.run.user} (the run record; the rest of the package depends on the inputs only)` : "not recorded"],
    ["Prepared by", meta.preparedBy ?? meta.organisation],
    ["Tool", `evidence ${meta.toolVersion}`],
    ["Config SHA-256", meta.configSha256],
  ]);
  doc.font(FONT.regular).fontSize(8).fillColor("#666").text(
    "Every number in this report comes from the files listed in Appendix A; each file's SHA-256 is recorded there and in manifest.json. " +
      "Run `evidence verify <package>` to check that nothing in this package changed after it was built.",
    x, doc.page.height - doc.page.margins.bottom - 40, { width: contentWidth(doc) },
  );
}
