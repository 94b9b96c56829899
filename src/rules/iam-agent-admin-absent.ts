import { label, overAgentPrincipals, principalRef } from "./lib/iam-principals.ts";
import { defineRule, fail, pass } from "./define.ts";

export default defineRule({
  id: "iam-agent-admin-absent",
  title: "No agent identity holds administrator access (*:* or equivalent)",
  rationale: "An agent with administrator rights can do anything in the account, including granting itself more and erasing the trail; least privilege starts by never giving it that.",
  severity: "critical",
  sources: ["cloudtrail"],
  frequency: "quarterly",
  evaluate(ctx) {
    return overAgentPrincipals(ctx, "IAM principals attributed to agent identities", (a) =>
      a.admin
        ? fail(a.principal.arn, `${label(a)} holds administrator access: ${a.grantedCount} actions including every IAM permissions-management action, on all resources.`, [principalRef(a)])
        : pass(a.principal.arn, `${label(a)} is not an administrator (${a.grantedCount} actions granted).`, [principalRef(a)]),
    );
  },
});
