import type { ReportModel } from "../model.ts";
import { paragraph, table, type Doc } from "../pdf-layout.ts";

/** Appendix B: the criteria this package does not cover, each with why, so the auditor sees the boundary of the evidence. */
export function notInScopeSection(doc: Doc, model: ReportModel): void {
  const rows = model.evaluation.notInScope ?? [];
  paragraph(
    doc,
    rows.length
      ? `These ${rows.length} criteria are outside this tool's subject (agentic AI tools acting on code and cloud). The package holds no evidence for them; they need evidence from elsewhere.`
      : "The catalog lists no criteria as outside the tool's subject.",
  );
  if (rows.length) {
    table(
      doc,
      [{ header: "Criterion", width: 0.1 }, { header: "Framework", width: 0.2 }, { header: "Title", width: 0.3 }, { header: "Why not in scope", width: 0.4 }],
      rows.map((r) => [r.id, r.framework, r.title, r.reason]),
      { size: 7.5 },
    );
  }
}
