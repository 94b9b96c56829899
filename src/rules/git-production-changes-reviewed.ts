import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { all, wasWere } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-production-changes-reviewed",
  title: "Every change to a production branch is reviewed by someone other than its author",
  rationale:
    "Segregation of duties in change management: a change reached production without an approval from a person other than its author, committer, co-authors and, for AI changes, the person who ran the agent. An AI reviewer's approval does not count.",
  severity: "high",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "1 = 1",
      description: "Changes that landed on a production branch (first-parent history) in the period",
      failing: "ch.review = 'unreviewed'",
      failMessage: (r) => `"${r.subject}" ${madeBy(r)} reached production without independent review: ${r.review_evidence}.`,
      passMessage: (size) => `${all(size, "production change")} ${wasWere(size)} reviewed by someone other than their author.`,
      unknown: {
        where: "ch.review = 'unknown'",
        message: (n, size) => `${n} of ${size} production changes came through a pull request whose approval is not recorded in git; add a pull-request export to test them.`,
      },
    }),
});
