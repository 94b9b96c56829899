import type { TimelineRow } from "./collect/timeline.ts";
import { renderCsv } from "./csv.ts";

const COLUMNS = ["finding_id", "rule", "step", "role", "time", "file", "locator", "ref", "summary", "link_rule", "confidence", "conflict"];

/** timeline.csv: one row per chain link, findings by id, links in chain order (the collector's order). */
export function timelineCsv(rows: readonly TimelineRow[]): string {
  return renderCsv(COLUMNS, rows.map((r) => [r.findingId, r.ruleId, r.step, r.role, r.time, r.file, r.locator, r.key, r.summary, r.linkRule, r.confidence, r.conflict]));
}
