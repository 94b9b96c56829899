import type { ReportModel } from "../model.ts";
import { heading, paragraph, table, type Doc } from "../pdf-layout.ts";
import type { SourceFileRecord } from "../../store/index.ts";
import { count } from "./format.ts";
import { trailIntegrityParagraphs } from "./cloudtrail-iam.ts";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** The longest folder prefix (ending in "/") shared by every path; "" when they share none. */
export function commonFolder(paths: string[]): string {
  if (paths.length < 2) return "";
  let prefix = paths[0]!.slice(0, paths[0]!.lastIndexOf("/") + 1);
  for (const p of paths) while (prefix && !p.startsWith(prefix)) prefix = prefix.slice(0, prefix.slice(0, -1).lastIndexOf("/") + 1);
  return prefix;
}

function bySource(files: SourceFileRecord[]): Map<string, SourceFileRecord[]> {
  const groups = new Map<string, SourceFileRecord[]>();
  for (const f of files) groups.set(f.source, [...(groups.get(f.source) ?? []), f]);
  return groups;
}

/**
 * Appendix A: every source file with its SHA-256 and counts, grouped by source with a summary per
 * source first; then the coverage gaps and the CloudTrail log-file integrity results.
 */
export function evidenceInventorySection(doc: Doc, model: ReportModel): void {
  const groups = bySource(model.sources);
  paragraph(
    doc,
    `${count(model.sources.length)} source files were read. Each is identified by its SHA-256; the same list is in evidence-inventory.csv, ` +
      `and the rejected records (${count(model.rejects.total)} in total) with file, position and reason are in rejects.csv.`,
  );
  heading(doc, "Summary by source", 2);
  table(
    doc,
    [
      { header: "Source", width: 0.2 }, { header: "Kind", width: 0.17 }, { header: "Files", width: 0.08, align: "right" }, { header: "Size", width: 0.1, align: "right" },
      { header: "Records read", width: 0.11, align: "right" }, { header: "Accepted", width: 0.1, align: "right" }, { header: "Duplicates", width: 0.1, align: "right" },
      { header: "Rejected", width: 0.07, align: "right" }, { header: "Redacted", width: 0.07, align: "right" },
    ],
    [...groups].map(([source, files]) => {
      const sum = (k: "records_read" | "accepted" | "duplicates" | "rejected" | "redacted" | "size") => files.reduce((n, f) => n + (f[k] ?? 0), 0);
      return [
        source, [...new Set(files.map((f) => f.kind))].join(", "), count(files.length), bytes(sum("size")), count(sum("records_read")), count(sum("accepted")),
        count(sum("duplicates")), count(sum("rejected")), count(sum("redacted")),
      ];
    }),
  );

  heading(doc, "Gaps in coverage", 2);
  const gaps = model.package?.gaps ?? [];
  if (gaps.length === 0) paragraph(doc, "No per-day coverage data.");
  else {
    paragraph(doc, "Days of the period (UTC) without any record from a source. For agent logs and git a quiet day is normal; for CloudTrail a missing day is a gap in the evidence.", {
      size: 8.5,
      color: "#555",
    });
    table(
      doc,
      [{ header: "Source", width: 0.2 }, { header: "Kind", width: 0.17 }, { header: "Days with data", width: 0.13, align: "right" }, { header: "Days without records", width: 0.5 }],
      gaps.map((g) => [g.source, g.kind, `${g.daysWithData} / ${g.daysInPeriod}`, g.missing.join(", ") || "none"]),
    );
  }

  heading(doc, "CloudTrail log-file integrity", 2);
  trailIntegrityParagraphs(doc, model);

  heading(doc, "Files by source", 2);
  for (const [source, files] of groups) {
    // The folder all of a source's files share is printed once, so each row fits on one line.
    const prefix = commonFolder(files.map((f) => f.path));
    heading(doc, `${source} (${count(files.length)} files${prefix ? `, paths under ${prefix}` : ""})`, 3);
    table(
      doc,
      [
        // 0.5 of the width holds 64 hex digits at 6 pt on one line, whatever the digits.
        { header: "File", width: 0.33 }, { header: "SHA-256", width: 0.5 }, { header: "Read / accepted / dup. / rejected", width: 0.17, align: "right" },
      ],
      files.map((f) => [f.path.slice(prefix.length), f.sha256, [f.records_read, f.accepted, f.duplicates, f.rejected].map(count).join(" / ")]),
      { size: 6, pad: 1.5 },
    );
  }
}
