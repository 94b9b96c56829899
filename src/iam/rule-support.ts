import type { EvidenceRef, RuleContext, RuleEvaluation, RuleResult } from "../rules/define.ts";
import { reviewAgentPrincipals, type PrincipalAccess } from "./access-review.ts";

/** What the IAM rules share: the agent principals' reviews, their evidence refs and the no-data case. */
export function principalRef(a: PrincipalAccess): EvidenceRef {
  return { ref: `iam:${a.principal.arn}`, file: a.principal.file, locator: a.principal.locator };
}

export function label(a: PrincipalAccess): string {
  return `${a.principal.kind} ${a.principal.name} (agent identity ${a.principal.agent_id}, ${a.principal.environment} account ${a.principal.account ?? "unknown"})`;
}

export function sample(actions: string[], n = 6): string {
  return actions.length <= n ? actions.join(", ") : `${actions.slice(0, n).join(", ")} and ${actions.length - n} more`;
}

/**
 * Runs `judge` over every agent principal the IAM inputs hold; without any, the rule has no
 * evidence (an `iam` source with the account's authorization details is needed).
 */
export function overAgentPrincipals(
  ctx: RuleContext,
  description: string,
  judge: (a: PrincipalAccess) => RuleResult,
): RuleEvaluation {
  const reviews = reviewAgentPrincipals(ctx);
  const population = { description, query: "SELECT … FROM iam_principals WHERE agent_id IS NOT NULL, with its iam_statements (action patterns expanded per src/iam/policy.ts)", size: reviews.length };
  if (reviews.length === 0) {
    return {
      population,
      results: [{ outcome: "no-evidence", subject: "agent identities", message: "No IAM principal matches a configured agent identity: add an iam source with `aws iam get-account-authorization-details` output.", evidence: [] }],
    };
  }
  return { population, results: reviews.map(judge) };
}
