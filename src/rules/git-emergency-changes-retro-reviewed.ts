import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-emergency-changes-retro-reviewed",
  title: "Emergency changes are reviewed, at the latest retrospectively",
  rationale:
    "An emergency change may skip the normal approval, but it is an exception: it must be documented and reviewed after the fact by someone independent, or it is an uncontrolled change.",
  severity: "medium",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.emergency IS NOT NULL",
      description: "Production changes marked as emergencies (label or trailer)",
      failing: "ch.review <> 'reviewed'",
      failMessage: (r) => `Emergency change "${r.subject}" ${madeBy(r)} (${r.emergency}) has no independent review, before or after the merge: it needs a retrospective review. ${r.review_evidence}.`,
      passMessage: (size) => `${size} emergency change${size === 1 ? " was" : "s were"} independently reviewed, before or after the merge.`,
    }),
});
