import { label, overAgentPrincipals, principalRef } from "./lib/iam-principals.ts";
import { suggestedPolicyFile } from "../iam/suggested-policy.ts";
import limits from "../iam/least-privilege.json" with { type: "json" };
import { defineRule, fail, pass } from "./define.ts";

export default defineRule({
  id: "iam-agent-unused-permissions-removed",
  title: "Agent identities hold no large set of permissions they never use",
  rationale:
    "Granted against used, per period: permissions an agent never exercises are pure exposure. Unused is claimed only for actions the period's logs would have shown (never for permission-only actions or unlogged data events); the package carries a least-privilege policy built from the actions actually used.",
  severity: "medium",
  sources: ["cloudtrail"],
  frequency: "quarterly",
  evaluate(ctx) {
    return overAgentPrincipals(ctx, "IAM principals attributed to agent identities", (a) => {
      const { used, unused } = a.counts;
      const judged = used + unused;
      const coverage = `logs cover ${a.coverage.categories.join("/") || "nothing"} events in ${a.coverage.regions.join(", ") || "no region"}`;
      if (unused < limits.minUnused || judged === 0 || unused / judged <= limits.maxUnusedShare) {
        return pass(a.principal.arn, `${label(a)} used ${used} of ${judged} judgeable granted actions in ${ctx.period.label} (${coverage}).`, [principalRef(a)]);
      }
      return fail(
        a.principal.arn,
        `${label(a)} never used ${unused} of ${judged} granted actions in ${ctx.period.label} (${Math.round((100 * unused) / judged)}%; ${coverage}; ` +
          `${a.counts["never-logged"]} permission-only and ${a.counts["not-covered"]} unlogged data-event actions not judged). Suggested least-privilege policy: ${suggestedPolicyFile(a)}.`,
        [principalRef(a)],
      );
    });
  },
});
