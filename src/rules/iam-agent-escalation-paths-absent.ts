import { label, overAgentPrincipals, principalRef, sample } from "./lib/iam-principals.ts";
import { defineRule, fail, pass } from "./define.ts";

export default defineRule({
  id: "iam-agent-escalation-paths-absent",
  title: "Agent identities hold no privilege-escalation path",
  rationale:
    "Combinations such as iam:PassRole with cloudformation:CreateStack or lambda:CreateFunction let an identity act with a more privileged role (Cloudsplaining's privilege-escalation checks); an agent holding one is effectively more powerful than its policy reads.",
  severity: "high",
  sources: ["cloudtrail"],
  frequency: "quarterly",
  evaluate(ctx) {
    return overAgentPrincipals(ctx, "IAM principals attributed to agent identities", (a) =>
      a.escalationPaths.length
        ? fail(
            a.principal.arn,
            `${label(a)} holds ${a.escalationPaths.length} privilege-escalation path${a.escalationPaths.length === 1 ? "" : "s"}: ${sample(a.escalationPaths.map((p) => `${p.id} (${p.actions.join(" + ")})`), 4)}.`,
            [principalRef(a)],
          )
        : pass(a.principal.arn, `${label(a)} holds no known privilege-escalation combination.`, [principalRef(a)]),
    );
  },
});
