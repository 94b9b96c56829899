import { label, overAgentPrincipals, principalRef, sample } from "./lib/iam-principals.ts";
import { defineRule, fail, pass } from "./define.ts";

export default defineRule({
  id: "iam-agent-destructive-rights-absent",
  title: "Agent identities in production hold no destructive or irreversible permissions",
  rationale:
    "An agent that can delete stacks, terminate instances or stop logging will, sooner or later, do it; the destructive-call list is applied to what the agent is granted, not only to what it did.",
  severity: "high",
  sources: ["cloudtrail"],
  production: true,
  frequency: "quarterly",
  evaluate(ctx) {
    return overAgentPrincipals(ctx, "IAM principals attributed to agent identities", (a) => {
      const held = a.destructive.map((g) => g.action);
      if (a.principal.environment !== "production" || held.length === 0) {
        return pass(a.principal.arn, `${label(a)} holds no destructive permission in production.`, [principalRef(a)]);
      }
      const used = a.destructive.filter((g) => g.status === "used").map((g) => g.action);
      return fail(
        a.principal.arn,
        `${label(a)} holds ${held.length} destructive or irreversible permissions (${sample(held)}); it used ${used.length ? sample(used) : "none of them"} in ${ctx.period.label}.`,
        [principalRef(a)],
      );
    });
  },
});
