import type { Evaluation, Finding } from "../../evaluate.ts";
import type { TopRisk } from "../model.ts";

const RANK: Record<string, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * The executive summary's top risks. Findings about the same record (one DeleteStack flagged by
 * two rules) or, without evidence, the same subject are one risk; open risks come before accepted
 * ones, then by severity. Accepted findings stay visible, marked as accepted.
 */
export function topRisks(evaluation: Evaluation, limit: number): TopRisk[] {
  const groups = new Map<string, Finding[]>();
  for (const f of evaluation.findings) {
    const first = f.evidence[0];
    const key = first ? `${first.file}\n${first.locator}` : `subject\n${f.subject}`;
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  }
  const risks = [...groups.values()].map((list): TopRisk => {
    const sorted = [...list].sort((a, b) => RANK[a.severity]! - RANK[b.severity]! || a.ruleId.localeCompare(b.ruleId) || a.id.localeCompare(b.id));
    return {
      severity: sorted[0]!.severity,
      controls: [...new Set(sorted.flatMap((f) => f.controlIds))].sort(),
      message: sorted[0]!.message,
      findingIds: [...new Set(sorted.map((f) => f.id))],
      rules: [...new Set(sorted.map((f) => f.ruleId))],
      state: sorted.some((f) => f.state === "open") ? "open" : "accepted",
    };
  });
  return risks
    .sort((a, b) => Number(a.state === "accepted") - Number(b.state === "accepted") || RANK[a.severity]! - RANK[b.severity]! || a.rules[0]!.localeCompare(b.rules[0]!) || a.findingIds[0]!.localeCompare(b.findingIds[0]!))
    .slice(0, limit);
}
