import type { Evaluation, RuleRun } from "../../evaluate.ts";
import type { TestedItem } from "../../rules/define.ts";

/** A rule's run in this evaluation, if the rule is in scope. */
export function ruleRun(evaluation: Evaluation, ruleId: string): RuleRun | undefined {
  return evaluation.rules.find((r) => r.id === ruleId);
}

export type FindingOfItem = (ruleId: string, item: TestedItem) => string | null;

/** Per findings list (an evaluation's, shared by the copies of a model), its index. */
const indexes = new WeakMap<readonly object[], FindingOfItem>();

/**
 * Which finding a rule's failing item became: the one of that rule citing the item's evidence,
 * else the one about the item's key. Indexed once per evaluation (a month: tens of thousands of
 * findings), however many tables and samples ask it: the findings are final once evaluated.
 */
export function findingIndex(evaluation: Evaluation): FindingOfItem {
  const known = indexes.get(evaluation.findings);
  if (known) return known;
  const byRef = new Map<string, string>();
  const bySubject = new Map<string, string>();
  for (const f of evaluation.findings) {
    for (const e of f.evidence) if (!byRef.has(`${f.ruleId} ${e.ref}`)) byRef.set(`${f.ruleId} ${e.ref}`, f.id);
    if (!bySubject.has(`${f.ruleId} ${f.subject}`)) bySubject.set(`${f.ruleId} ${f.subject}`, f.id);
  }
  const index: FindingOfItem = (ruleId, item) => (item.evidence ? byRef.get(`${ruleId} ${item.evidence.ref}`) : undefined) ?? bySubject.get(`${ruleId} ${item.key}`) ?? null;
  indexes.set(evaluation.findings, index);
  return index;
}
