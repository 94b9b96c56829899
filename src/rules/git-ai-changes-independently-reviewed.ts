import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { all, wasWere } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-ai-changes-independently-reviewed",
  title: "AI-authored changes reach production only after independent human review",
  rationale:
    "Auditors now ask which production changes an AI agent wrote; those must pass the same review as human changes, and the person who ran or co-authored with the agent is not an independent reviewer.",
  severity: "high",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.author_kind = 'agent'",
      description: "AI-authored or AI-assisted changes that landed on a production branch in the period",
      failing: "ch.review = 'unreviewed'",
      failMessage: (r) => `"${r.subject}" ${madeBy(r)} reached production without independent human review: ${r.review_evidence}.`,
      passMessage: (size) => `${all(size, "AI-authored production change")} ${wasWere(size)} approved by a person independent of the change.`,
      unknown: {
        where: "ch.review = 'unknown'",
        message: (n, size) => `${n} of ${size} AI-authored production changes came through a pull request whose approval is not recorded in git.`,
      },
    }),
});
