import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { plural } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-approvals-precede-merge",
  title: "Approvals are given before the merge, on the code that was merged",
  rationale:
    "Authorisation must precede implementation: an approval given after the merge is a retrospective sign-off, and one given before later commits (a stale approval, or a force-push after review) did not cover the code that shipped.",
  severity: "medium",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.approved_before_merge IS NOT NULL",
      description: "Production changes merged through a pull request with an independent platform approval",
      // An emergency reviewed after the merge is judged by git-emergency-changes-retro-reviewed instead.
      failing: "(ch.approved_before_merge = 0 AND ch.emergency IS NULL) OR ch.approval_stale = 1",
      failMessage: (r) =>
        `"${r.subject}" ${madeBy(r)}: ${r.exceptions.includes("approved-after-merge") ? "approved only after it was merged" : "commits were pushed after the last approval"} (${r.review_evidence}).`,
      excluded: {
        where: "ch.emergency IS NOT NULL AND ch.approved_before_merge = 0",
        note: (n) => `${plural(n, "emergency change")} approved after the merge ${n === 1 ? "is" : "are"} judged by git-emergency-changes-retro-reviewed`,
      },
      passMessage: (n) => `${n === 1 ? "The 1 approval was" : `All ${n} approvals were`} given before the merge, on the final code.`,
    }),
});
