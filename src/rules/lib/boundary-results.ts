import { eventRef, fail, pass, type RuleResult, type TestedItem } from "../define.ts";
import { boundaryItem, judge, toolRef, type JudgedAction } from "./boundary.ts";

export interface BoundaryRow extends JudgedAction {
  event_id: number; event_key: string; file: string; locator: string; time: string; action: string; what: string;
}

/**
 * Items and results of a boundary test: every action is an item with its verdict; each violation
 * is one failing result, except a missing boundary, which is one result per tool (every action of
 * that tool is an exception for the same reason, and one finding per action would bury the rest).
 */
export function boundaryResults(rows: BoundaryRow[], describe: (r: BoundaryRow) => string, passMessage: string): { items: TestedItem[]; results: RuleResult[] } {
  const items: TestedItem[] = [];
  const results: RuleResult[] = [];
  const unbounded = new Map<string, BoundaryRow[]>();
  for (const r of rows) {
    const violations = judge(r);
    items.push(boundaryItem(r.event_key, r, violations, eventRef(r)));
    for (const v of violations) {
      if (v.kind === "no-boundary") {
        const name = r.tool ?? r.agent_product ?? "unattributed agent";
        unbounded.set(name, [...(unbounded.get(name) ?? []), r]);
        continue;
      }
      results.push(fail(`${r.tool} ${r.action}`, `${describe(r)}: ${v.text}.`, [eventRef(r), ...toolRef(r)], r.time));
    }
  }
  for (const [name, group] of [...unbounded].sort(([a], [b]) => a.localeCompare(b))) {
    const first = group[0]!;
    const text = judge(first)[0]!.text;
    results.push(fail(name, `${group.length} action${group.length === 1 ? "" : "s"} could not be tested against a boundary: ${text}. The first: ${describe(first)}.`,
      [eventRef(first), ...toolRef(first)], first.time));
  }
  if (results.length === 0) results.push(pass("all agents", passMessage));
  return { items, results };
}
