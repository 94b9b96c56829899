import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { all } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-production-no-direct-push",
  title: "Production branches change only through reviewed merges, without bypassing protection",
  rationale:
    "Undocumented direct pushes to main and merges that override a required review (admin bypass) are the commonest CC8.1 findings; each must be found and explained.",
  severity: "high",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "1 = 1",
      description: "Changes that landed on a production branch in the period",
      failing: "ch.direct_push = 1 OR ch.admin_bypass = 1",
      failMessage: (r) =>
        r.exceptions.includes("direct-push")
          ? `"${r.subject}" ${madeBy(r)} was pushed straight to the production branch: no pull request or review platform names it.`
          : `"${r.subject}" ${madeBy(r)} was merged while the platform still required review (admin bypass or protection changed): ${r.review_evidence}.`,
      passMessage: (size) => `${all(size, "production change")} came through a pull request or review platform without bypass.`,
    }),
});
