import { createRuleContext, type Evaluation } from "../evaluate.ts";
import { grantedActions, principalsSql, type PrincipalRow } from "../iam/access-review.ts";
import type { Period } from "../period.ts";
import type { Db } from "../store/index.ts";
import type { PrincipalGrant, TabletopFacts } from "./answer.ts";
import type { Scenario } from "./scenario.ts";

/**
 * The agent principals and which of `actions` their policies grant, expanded by the same IAM
 * analysis the iam-* rules read (src/iam/access-review.ts): a stored fact, not a verdict.
 */
export function principalGrants(db: Db, period: Period, actions: readonly string[]): PrincipalGrant[] {
  const q = createRuleContext(db, period);
  const wanted = new Set(actions.map((a) => a.toLowerCase()));
  return q.all<PrincipalRow>(principalsSql()).map((p) => ({
    arn: p.arn, kind: p.kind, name: p.name, agentId: p.agent_id ?? "", environment: p.environment, account: p.account, file: p.file, locator: p.locator,
    granted: wanted.size ? grantedActions(q, p).filter((g) => wanted.has(g.action.toLowerCase())).map((g) => g.action).sort() : [],
  }));
}

/** Everything one scenario's answer reads: the evaluation's rule runs and findings and the principals' grants. */
export function tabletopFacts(db: Db, period: Period, evaluation: Evaluation, scenario: Scenario): TabletopFacts {
  return {
    rules: new Map(evaluation.rules.map((r) => [r.id, r])),
    findings: evaluation.findings,
    principals: principalGrants(db, period, scenario.iamActions),
  };
}
