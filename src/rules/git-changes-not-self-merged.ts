import { evaluateChanges, madeBy } from "../changes/rule-sql.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-changes-not-self-merged",
  title: "Pull requests are merged by someone other than their author",
  rationale:
    "A person who merges their own change, or the change their agent made, decides alone what reaches production; together with a missing or self-given approval it defeats segregation of duties.",
  severity: "medium",
  sources: ["git"],
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.merged_by IS NOT NULL",
      description: "Production changes merged through a pull request whose merger is recorded",
      failing: "ch.self_merged = 1",
      failMessage: (r) => `"${r.subject}" ${madeBy(r)} was merged by @${r.merged_by}, who is on its author side; review: ${r.review_evidence}.`,
      passMessage: (size) => `None of the ${size} merged pull requests was merged by its author side.`,
    }),
});
