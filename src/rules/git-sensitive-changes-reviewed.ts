import { evaluateChanges, madeBy } from "./lib/change-sql.ts";
import { all, wasWere } from "../text/plural.ts";
import { defineRule } from "./define.ts";

export default defineRule({
  id: "git-sensitive-changes-reviewed",
  title: "Changes to infrastructure, CI, auth, IAM, migrations and agent configuration are independently reviewed",
  rationale:
    "Configuration management (ISO 27001 A.8.9): a change to the paths that define infrastructure, pipelines, access or agent permissions alters the control environment itself and needs an independent approval.",
  severity: "high",
  sources: ["git"],
  frequency: "per-occurrence",
  evaluate: (ctx) =>
    evaluateChanges(ctx, {
      where: "ch.sensitive_paths IS NOT NULL",
      description: "Production changes touching the configured sensitive paths",
      failing: "ch.review = 'unreviewed'",
      failMessage: (r) => `"${r.subject}" ${madeBy(r)} changed ${r.sensitive_paths!.split("\n").join(", ")} without independent review: ${r.review_evidence}.`,
      passMessage: (size) => `${all(size, "change")} to sensitive paths ${wasWere(size)} independently reviewed.`,
      unknown: {
        where: "ch.review = 'unknown'",
        message: (n, size) => `${n} of ${size} changes to sensitive paths came through a pull request whose approval is not recorded in git.`,
      },
    }),
});
