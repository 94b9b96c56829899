import { defineRule, fail, pass } from "./define.ts";

interface Row { sha: string; repo: string; subject: string; agent_product: string | null; ai_signal: string | null; review_evidence: string | null; committer_time: string; file: string; locator: string }

const WHERE = "c.on_production = 1 AND c.author_kind = 'agent' AND c.committer_time >= :start AND c.committer_time < :end";
const FROM = "commits c JOIN source_files f ON f.id = c.file_id";

export default defineRule({
  id: "git-ai-changes-independently-reviewed",
  title: "AI-authored changes reach production only after independent human review",
  rationale: "Auditors now ask which production changes an AI agent wrote; those must pass the same review as human changes, and the person who ran the agent is not an independent reviewer.",
  severity: "high",
  sources: ["git"],
  evaluate(ctx) {
    const size = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM ${FROM} WHERE ${WHERE}`)!.n;
    const population = { description: "AI-authored commits on production branches in the period", query: `SELECT … FROM commits WHERE ${WHERE.replaceAll("c.", "")}`, size };
    const rows = ctx.all<Row>(
      `SELECT c.sha, c.repo, c.subject, c.agent_product, c.ai_signal, c.review_evidence, c.committer_time, f.path AS file, c.locator
       FROM ${FROM} WHERE ${WHERE} AND c.review = 'unreviewed' ORDER BY c.committer_time, c.sha`,
    );
    if (rows.length === 0) return { population, results: [pass("AI-authored changes", `No AI-authored production change among ${size} lacked independent review.`)] };
    return {
      population,
      results: rows.map((r) =>
        fail(`${r.repo}@${r.sha.slice(0, 12)}`, `AI-authored (${r.agent_product}, signal: ${r.ai_signal}) change "${r.subject}" reached production without independent review: ${r.review_evidence}.`, [
          { ref: `commit:${r.sha}`, file: r.file, locator: r.locator },
        ], r.committer_time),
      ),
    };
  },
});
