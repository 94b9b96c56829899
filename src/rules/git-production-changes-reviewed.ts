import { defineRule, fail, pass, type RuleResult } from "./define.ts";

interface Row { sha: string; repo: string; subject: string; author_name: string; author_kind: string; review: string; review_evidence: string | null; committer_time: string; file: string; locator: string }

const WHERE = "c.on_production = 1 AND c.committer_time >= :start AND c.committer_time < :end";
const FROM = "commits c JOIN source_files f ON f.id = c.file_id";

export default defineRule({
  id: "git-production-changes-reviewed",
  title: "Every change to a production branch is reviewed by someone other than its author",
  rationale: "Segregation of duties in change management: an unreviewed change, including a direct push, reached production.",
  severity: "high",
  sources: ["git"],
  evaluate(ctx) {
    const size = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM ${FROM} WHERE ${WHERE}`)!.n;
    const population = {
      description: "Commits that landed on a production branch (first-parent history) in the period",
      query: `SELECT … FROM commits WHERE ${WHERE.replace("c.", "")}`,
      size,
    };
    const rows = ctx.all<Row>(
      `SELECT c.sha, c.repo, c.subject, c.author_name, c.author_kind, c.review, c.review_evidence, c.committer_time, f.path AS file, c.locator
       FROM ${FROM} WHERE ${WHERE} AND c.review <> 'reviewed' ORDER BY c.committer_time, c.sha`,
    );
    const results: RuleResult[] = [];
    const unknown = rows.filter((r) => r.review === "unknown");
    for (const r of rows.filter((r) => r.review === "unreviewed")) {
      results.push(
        fail(`${r.repo}@${r.sha.slice(0, 12)}`, `"${r.subject}" by ${r.author_name} (${r.author_kind}) reached production unreviewed: ${r.review_evidence}.`, [
          { ref: `commit:${r.sha}`, file: r.file, locator: r.locator },
        ], r.committer_time),
      );
    }
    if (unknown.length) {
      results.push({
        outcome: "no-evidence",
        subject: "pull requests",
        message: `${unknown.length} of ${size} production changes came through a pull request whose approval is not recorded in git; add a pull-request export to test them.`,
        evidence: unknown.slice(0, 20).map((r) => ({ ref: `commit:${r.sha}`, file: r.file, locator: r.locator })),
      });
    }
    if (results.length === 0) results.push(pass("production branches", `All ${size} production changes were independently reviewed.`));
    return { population, results };
  },
});
