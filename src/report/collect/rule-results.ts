import type { Evaluation, RuleRun } from "../../evaluate.ts";
import type { TestedItem } from "../../rules/define.ts";

/** A rule's run in this evaluation, if the rule is in scope. */
export function ruleRun(evaluation: Evaluation, ruleId: string): RuleRun | undefined {
  return evaluation.rules.find((r) => r.id === ruleId);
}

/** The finding a failing item of a rule became: the one citing the item's evidence, else the one about the item's key. */
export function findingOfItem(evaluation: Evaluation, ruleId: string, item: TestedItem): string | null {
  const own = evaluation.findings.filter((f) => f.ruleId === ruleId);
  const ref = item.evidence?.ref;
  return (ref ? own.find((f) => f.evidence.some((e) => e.ref === ref)) : undefined)?.id ?? own.find((f) => f.subject === item.key)?.id ?? null;
}
