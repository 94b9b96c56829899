import type { ReportModel } from "../model.ts";
import { heading, paragraph, table, type Doc } from "../pdf-layout.ts";
import { reconciliationGap } from "../collect/reconciliation.ts";
import { count } from "./format.ts";

/** Appendix A, after the inventory: records read = stored + summarised + duplicates + rejected, per source. */
export function reconciliationSection(doc: Doc, model: ReportModel): void {
  const rows = model.reconciliation;
  if (!rows?.length) return;
  heading(doc, "Reconciliation of records", 2);
  const summarised = rows.reduce((n, r) => n + r.summarised, 0);
  const purged = rows.reduce((n, r) => n + r.purgedFiles, 0);
  paragraph(
    doc,
    "Every record read from the files above is accounted for: stored as a row, summarised into a count, recognised as a duplicate of one already stored, or rejected (rejects.csv). " +
      (summarised
        ? `${count(summarised)} CloudTrail calls that no test reads one by one were kept as counts per principal, action and day, each with the file and record numbers that hold it ` +
          "(storage.cloudtrail in the configuration; calls by agent identities, destructive, tampering and privilege-changing calls, errors, root and AssumeRole calls are always rows). "
        : "") +
      "Populations that count every call (such as all CloudTrail events) include the summarised ones. Summarised and rejected counts are checked against the store itself." +
      (purged ? ` ${count(purged)} files thinned by evidence purge are left out: their counts predate the purge.` : ""),
  );
  table(
    doc,
    [
      { header: "Source", width: 0.2 }, { header: "Files", width: 0.07, align: "right" }, { header: "Read", width: 0.11, align: "right" },
      { header: "Stored", width: 0.11, align: "right" }, { header: "Summarised", width: 0.12, align: "right" }, { header: "Duplicates", width: 0.11, align: "right" },
      { header: "Rejected", width: 0.1, align: "right" }, { header: "Adds up", width: 0.18 },
    ],
    rows.map((r) => {
      const gap = reconciliationGap(r);
      // Over a read that stopped early the numbers add up only over what was read: never "exactly".
      const verdict = gap !== 0 ? `NO: off by ${count(gap)}` : r.incompleteFiles ? `over what was read only: ${r.incompleteFiles} file${r.incompleteFiles === 1 ? "" : "s"} stopped early` : "yes, exactly";
      return [r.source, count(r.files), count(r.read), count(r.stored), count(r.summarised), count(r.duplicates), count(r.rejected), verdict];
    }),
  );
}
