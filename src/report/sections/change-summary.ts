import type { ReportModel } from "../model.ts";
import { heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";
import { count, pct } from "./format.ts";

/** AI-authored versus human changes, review independence, and the list of production changes. */
export function changeSummarySection(doc: Doc, model: ReportModel): void {
  const c = model.changes;
  keyValues(doc, [
    ["Changes to production in period", count(c.total)],
    ["AI-authored", `${count(c.aiAuthored)}${c.total ? ` (${pct(c.aiAuthored / c.total)})` : ""}`],
    ["Bot-authored", count(c.bots)],
    ["Human-authored", count(c.total - c.aiAuthored - c.bots)],
    ["Independently reviewed", `${count(c.reviewed)}${c.total ? ` (${pct(c.reviewed / c.total)})` : ""}`],
    ["Unreviewed", count(c.unreviewed)],
    ["Review not recorded", count(c.unknown)],
  ]);
  const detail = model.package?.changeDetail;
  if (detail) {
    heading(doc, "AI-authored versus human changes", 2);
    table(
      doc,
      [
        { header: "Author", width: 0.28 }, { header: "Changes", width: 0.18, align: "right" }, { header: "Reviewed", width: 0.18, align: "right" },
        { header: "Unreviewed", width: 0.18, align: "right" }, { header: "Unknown", width: 0.18, align: "right" },
      ],
      detail.byAuthor.map((r) => [r.authorKind, count(r.total), count(r.reviewed), count(r.unreviewed), count(r.unknown)]),
    );
    heading(doc, "Review independence", 2);
    table(doc, [{ header: "Measure", width: 0.8 }, { header: "Changes", width: 0.2, align: "right" }], detail.independence.map((i) => [i.label, count(i.count)]));
    if (detail.exceptions.length) {
      paragraph(doc, "Changes with change-management exceptions:");
      table(
        doc,
        [{ header: "Committed", width: 0.16 }, { header: "Commit", width: 0.12 }, { header: "Subject", width: 0.36 }, { header: "Author", width: 0.16 }, { header: "Exceptions", width: 0.2 }],
        detail.exceptions.map((e) => [e.committed, e.sha.slice(0, 12), e.subject, e.author, e.exceptions]),
        { size: 7.5 },
      );
    }
  }
  const list = model.package?.changeList;
  if (list && list.total) {
    heading(doc, "Production changes in the period", 2);
    table(
      doc,
      [{ header: "Committed", width: 0.16 }, { header: "Commit", width: 0.1 }, { header: "Subject", width: 0.4 }, { header: "Author", width: 0.16 }, { header: "Kind", width: 0.08 }, { header: "Review", width: 0.1 }],
      list.rows.map((r) => [r.committed, r.sha.slice(0, 10), r.subject, r.author, r.authorKind, r.review]),
      { size: 7.5 },
    );
    if (list.total > list.rows.length) paragraph(doc, `${count(list.total - list.rows.length)} more changes are listed in changes.csv.`);
  }
  paragraph(doc, "The full population, with review evidence per change, is in changes.csv.");
}
