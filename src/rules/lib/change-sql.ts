import type { RuleContext, RuleEvaluation, RuleResult, TestedItem } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";

/**
 * What the git change-management rules share: the `changes` population in the period, joined
 * to the commit's source for evidence references, and one way to name a change in a finding.
 */
export const CHANGE_FROM = "changes ch JOIN commits c ON c.id = ch.commit_id JOIN source_files f ON f.id = c.file_id";
export const IN_PERIOD = "ch.committed >= :start AND ch.committed < :end";
export const CHANGE_COLUMNS = `ch.sha, ch.repo, ch.subject, ch.author, ch.author_kind, ch.agent_product, ch.ai_signal, ch.pr_ref, ch.review, ch.review_evidence,
  ch.merged_by, ch.launcher, ch.sensitive_paths, ch.emergency, ch.exceptions, ch.committed, f.path AS file, c.locator`;

export interface ChangeRow {
  sha: string; repo: string; subject: string; author: string | null; author_kind: string; agent_product: string | null; ai_signal: string | null;
  pr_ref: string | null; review: string; review_evidence: string | null; merged_by: string | null; launcher: string | null; sensitive_paths: string | null;
  emergency: string | null; exceptions: string; committed: string; file: string; locator: string;
}

export function changeRef(r: ChangeRow): EvidenceRef {
  return { ref: `commit:${r.sha}`, key: `commit:${r.sha}`, file: r.file, locator: r.locator };
}

/** `api@1a2b3c4d5e6f (#41)`: the commit and, when known, its pull request. */
export function changeSubject(r: ChangeRow): string {
  return `${r.repo}@${r.sha.slice(0, 12)}${r.pr_ref ? ` (${r.pr_ref})` : ""}`;
}

/** "by Maria <m@x> (agent: claude-code, signal …)": who made it, as the finding should say. */
export function madeBy(r: ChangeRow): string {
  const ai = r.author_kind === "agent" ? `AI-authored (${r.agent_product ?? "unknown agent"}, signal: ${r.ai_signal})${r.launcher && r.launcher !== r.author ? `, run by ${r.launcher}` : ""}` : r.author_kind;
  return `by ${r.author ?? "unknown"} (${ai})`;
}

export function changeFailure(r: ChangeRow, message: string): RuleResult {
  return { outcome: "fail", subject: changeSubject(r), message, evidence: [changeRef(r)], time: r.committed };
}

export function population(description: string, where: string, size: number) {
  return {
    description, size, attribute: "the rule's condition", expected: "not met by the change",
    query: `SELECT ${CHANGE_COLUMNS.replace(/\s+/g, " ")} FROM ${CHANGE_FROM} WHERE ${IN_PERIOD} AND (${where}) ORDER BY ch.committed, ch.sha`,
  };
}

export interface ChangeTest {
  /** SQL condition (over `ch`) selecting the population inside the period. */
  where: string;
  description: string;
  /** SQL condition for a failing change. */
  failing: string;
  failMessage: (r: ChangeRow) => string;
  passMessage: (size: number) => string;
  /** Changes of the population another rule judges instead: left out of this test, counted in its pass message. */
  excluded?: { where: string; note: (n: number) => string };
  /** Changes that cannot be judged (no platform data): reported as no-evidence, never passed. */
  unknown?: { where: string; message: (n: number, size: number) => string };
}

/** The shape every git change rule has: count the population, list the failures, report what cannot be judged. */
export function evaluateChanges(ctx: RuleContext, t: ChangeTest): RuleEvaluation {
  const where = `${IN_PERIOD} AND (${t.where})`;
  // Every change of the population with the rule's verdict on it: one pass over the population.
  const rows = ctx.all<ChangeRow & { failing: number; unknown: number; excluded: number }>(
    `SELECT ${CHANGE_COLUMNS}, coalesce((${t.failing}), 0) AS failing, ${t.unknown ? `coalesce((${t.unknown.where}), 0)` : "0"} AS unknown,
       ${t.excluded ? `coalesce((${t.excluded.where}), 0)` : "0"} AS excluded
     FROM ${CHANGE_FROM} WHERE ${where} ORDER BY ch.committed, ch.sha`,
  );
  const size = rows.length;
  const failing = rows.filter((r) => r.failing);
  const unknown = rows.filter((r) => r.unknown && !r.failing);
  const excluded = rows.filter((r) => r.excluded && !r.failing && !r.unknown);
  const judgedRows = rows.filter((r) => r.failing || !(r.unknown || r.excluded));
  const results: RuleResult[] = failing.map((r) => changeFailure(r, t.failMessage(r)));
  if (unknown.length && t.unknown) {
    results.push({ outcome: "no-evidence", subject: "pull requests", message: t.unknown.message(unknown.length, size), evidence: unknown.slice(0, 20).map(changeRef) });
  }
  // A pass describes exactly the changes it judged: those left out are counted, with the reason.
  if (results.length === 0) {
    const note = excluded.length && t.excluded ? ` ${judgedRows.length} of the ${size} changes were judged here; ${t.excluded.note(excluded.length)}.` : "";
    const judged = judgedRows.length
      ? t.passMessage(judgedRows.length)
      : `Nothing to judge in ${ctx.period.label}: no ${t.description.replace(/^./, (c) => c.toLowerCase())}.`;
    results.push({ outcome: "pass", subject: "production changes", message: `${judged}${note}`, evidence: [] });
  }
  const items: TestedItem[] = judgedRows
    .map((r) => ({ key: `${r.repo}@${r.sha}`, observed: r.exceptions || "no exception", result: r.failing ? "exception" : "pass", evidence: changeRef(r) }));
  return { population: population(t.description, t.where, size), results, items };
}
