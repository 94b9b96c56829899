import type { ReportModel } from "../model.ts";
import { ensureSpace, FONT, heading, paragraph, table, type Doc } from "../pdf-layout.ts";
import type { SourceFileRecord } from "../../store/index.ts";
import { count } from "./format.ts";
import { trailIntegrityParagraphs } from "./cloudtrail-iam.ts";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/** Files grouped by their folder (path up to the last "/"), in path order. */
function byFolder(files: SourceFileRecord[]): Map<string, SourceFileRecord[]> {
  const folders = new Map<string, SourceFileRecord[]>();
  for (const f of files) {
    const folder = f.path.slice(0, f.path.lastIndexOf("/") + 1);
    folders.set(folder, [...(folders.get(folder) ?? []), f]);
  }
  return folders;
}

function bySource(files: SourceFileRecord[]): Map<string, SourceFileRecord[]> {
  const groups = new Map<string, SourceFileRecord[]>();
  for (const f of files) groups.set(f.source, [...(groups.get(f.source) ?? []), f]);
  return groups;
}

/** The hash chains of `evidence hook` logs: one row per chain, then every broken link by file and line. */
function hookChainParagraphs(doc: Doc, model: ReportModel): void {
  const chains = model.hookChains ?? [];
  if (chains.length === 0) {
    paragraph(doc, "No agent log carries an evidence hook hash chain: agent logs are taken as delivered, without an integrity check of their own.");
    return;
  }
  paragraph(doc, "Logs written by evidence hook chain each line to the one before it (SHA-256) and each day's file to the previous day's; ingest re-computed every link. A broken link means a line was edited, or lines or a day's file were deleted. Lines cut from the end of the newest file leave no broken link.", { size: 8.5, color: "#555" });
  table(
    doc,
    [{ header: "Source", width: 0.2 }, { header: "Folder", width: 0.34 }, { header: "Files", width: 0.1, align: "right" }, { header: "Lines", width: 0.12, align: "right" }, { header: "Chain", width: 0.24 }],
    chains.map((c) => [c.source, c.folder, count(c.files), count(c.lines), c.problems.length ? `broken in ${count(c.problems.length)} place${c.problems.length === 1 ? "" : "s"}` : "intact"]),
  );
  for (const c of chains) {
    for (const p of c.problems) paragraph(doc, `${c.source}: ${p.message}.`, { size: 8, color: "#b00020" });
    if (c.notes.length) paragraph(doc, `${c.source}: ${c.notes.join("; ")}.`, { size: 8, color: "#555" });
  }
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
    paragraph(doc, "Days of the period (UTC) without any record from a source. For agent logs and git a quiet day is normal; for CloudTrail a missing day is a gap in the evidence. Snapshots (IAM authorization details, agent settings, pull-request exports) describe a state, not each day, and have no days to count.", {
      size: 8.5,
      color: "#555",
    });
    table(
      doc,
      [{ header: "Source", width: 0.2 }, { header: "Kind", width: 0.17 }, { header: "Days with data", width: 0.13, align: "right" }, { header: "Days without records", width: 0.5 }],
      gaps.map((g) => (g.daily ? [g.source, g.kind, `${g.daysWithData} / ${g.daysInPeriod}`, g.missing.join(", ") || "none"] : [g.source, g.kind, "snapshot", "not a daily record"])),
    );
  }

  heading(doc, "CloudTrail log-file integrity", 2);
  trailIntegrityParagraphs(doc, model);

  heading(doc, "Agent hook log chains", 2);
  hookChainParagraphs(doc, model);

  heading(doc, "Files by source", 2);
  paragraph(doc, "Grouped by source, then by folder; within a folder each row is one file: name, SHA-256, and records read / accepted / duplicate / rejected.", {
    size: 8.5,
    color: "#555",
  });
  for (const [source, files] of groups) {
    heading(doc, `${source} (${count(files.length)} file${files.length === 1 ? "" : "s"})`, 3);
    for (const [folder, inFolder] of byFolder(files)) {
      ensureSpace(doc, 40); // the folder line stays with its table's first rows
      paragraph(doc, `${folder || "(workspace root)"}  ·  ${count(inFolder.length)} file${inFolder.length === 1 ? "" : "s"}`, { size: 7, font: FONT.bold, color: "#333" });
      table(
        doc,
        [
          // At 5 pt, 0.43 of the width holds any 64-digit SHA-256 on one line and 0.41 a CloudTrail file name.
          { header: "File", width: 0.41 }, { header: "SHA-256", width: 0.43 }, { header: "Read / acc. / dup. / rej.", width: 0.16, align: "right" },
        ],
        inFolder.map((f) => [f.path.slice(folder.length), f.sha256, [f.records_read, f.accepted, f.duplicates, f.rejected].map(count).join(" / ")]),
        { size: 5, pad: 1.2 },
      );
    }
  }
}
