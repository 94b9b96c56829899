import type { Finding } from "../evaluate.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import { renderCsv } from "./csv.ts";
import type { ReportModel } from "./model.ts";

/** `open`, `accepted`, or why an acceptance no longer covers it (`acceptance expired`, `acceptance pending`, `acceptance revoked`). */
export function findingState(f: Finding): string {
  if (f.state === "accepted") return "accepted";
  return f.acceptance && f.acceptance.status !== "active" ? `acceptance ${f.acceptance.status}` : "open";
}

/** An evidence reference that means the same thing in any store: the file and record, and the record's own key (event key, commit SHA). */
export function stableEvidence(e: EvidenceRef): string {
  return `${e.file} ${e.locator}${e.key ? ` (${e.key})` : e.ref.startsWith("event:") ? "" : ` (${e.ref})`}`;
}

export const FINDING_COLUMNS = ["finding_id", "rule", "severity", "controls", "state", "acceptance_id", "first_seen_period", "subject", "message", "time", "evidence", "conflicts"];

export function findingsCsv(model: ReportModel): string {
  return renderCsv(
    FINDING_COLUMNS,
    model.evaluation.findings.map((f) => [
      f.id, f.ruleId, f.severity, f.controlIds.join(" "), findingState(f), f.acceptance?.id ?? "", model.firstSeen?.[f.id] ?? model.meta.period, f.subject, f.message,
      f.time ?? "", f.evidence.map(stableEvidence).join("; "), (f.conflicts ?? []).join("; "),
    ]),
  );
}
