import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { plural } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-changes-not-self-merged",
  title: "No one merges their own change, or their agent's, without another person's approval",
  rationale:
    "A person who merges their own change, or the change their agent made, with no independent approval decides alone what reaches production: segregation of duties fails. Merging after someone else approved is ordinary practice.",
  severity: "medium",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.merged_by IS NOT NULL",
      description: "Production changes merged through a pull request whose merger is recorded",
      failing: "ch.self_merged = 1 AND ch.review <> 'reviewed'",
      failMessage: (r) => `"${r.subject}" ${madeBy(r)} was merged by @${r.merged_by}, who is on its author side; review: ${r.review_evidence}.`,
      passMessage: (size) => `None of the ${plural(size, "merged pull request")} was merged by its author side without independent approval.`,
    }),
});
