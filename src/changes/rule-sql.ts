import type { EvidenceRef, RuleContext, RuleEvaluation, RuleResult } from "../rules/define.ts";

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
  return { ref: `commit:${r.sha}`, file: r.file, locator: r.locator };
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
  return { description, query: `SELECT … FROM changes WHERE committed in period AND ${where.replaceAll("ch.", "")}`, size };
}

export interface ChangeTest {
  /** SQL condition (over `ch`) selecting the population inside the period. */
  where: string;
  description: string;
  /** SQL condition for a failing change. */
  failing: string;
  failMessage: (r: ChangeRow) => string;
  passMessage: (size: number) => string;
  /** Changes that cannot be judged (no platform data): reported as no-evidence, never passed. */
  unknown?: { where: string; message: (n: number, size: number) => string };
}

/** The shape every git change rule has: count the population, list the failures, report what cannot be judged. */
export function evaluateChanges(ctx: RuleContext, t: ChangeTest): RuleEvaluation {
  const where = `${IN_PERIOD} AND (${t.where})`;
  const size = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM changes ch WHERE ${where}`)!.n;
  const rows = ctx.all<ChangeRow>(`SELECT ${CHANGE_COLUMNS} FROM ${CHANGE_FROM} WHERE ${where} AND (${t.failing}) ORDER BY ch.committed, ch.sha`);
  const results: RuleResult[] = rows.map((r) => changeFailure(r, t.failMessage(r)));
  if (t.unknown) {
    const unknown = ctx.all<ChangeRow>(`SELECT ${CHANGE_COLUMNS} FROM ${CHANGE_FROM} WHERE ${where} AND (${t.unknown.where}) ORDER BY ch.committed, ch.sha`);
    if (unknown.length) {
      results.push({ outcome: "no-evidence", subject: "pull requests", message: t.unknown.message(unknown.length, size), evidence: unknown.slice(0, 20).map(changeRef) });
    }
  }
  if (results.length === 0) results.push({ outcome: "pass", subject: "production changes", message: t.passMessage(size), evidence: [] });
  return { population: population(t.description, t.where, size), results };
}
