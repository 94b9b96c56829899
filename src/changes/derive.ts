import type { Config } from "../config.ts";
import type { Attribution } from "../git/attribution.ts";
import type { Db } from "../store/index.ts";
import { assessChange, type ChangeInput, type ChangePullRequest, type ChangeReview } from "./assess.ts";
import { Identities } from "./identities.ts";

/**
 * Judges production changes into the `changes` table: one row per commit on a production branch,
 * joined to its pull request (by merge or squash commit SHA, else by the `#N` / `!N` its message
 * names), the PR's reviews, the agent commits its branch brought in, and the agent session that
 * recorded its SHA. Those inputs come from different sources, so this runs when a period is built,
 * after ingest, and only for that period's commits (all of them without a period): judging is
 * evaluation, and a month is the unit, not the whole history. Commits are read in pages and each
 * join is an index lookup, so memory does not grow with history.
 */
interface CommitRow {
  id: number; repo: string; sha: string; parents: string; subject: string; body: string; author_name: string | null; author_email: string | null;
  committer_email: string | null; committer_time: string; author_kind: Attribution["authorKind"]; agent_product: string | null; ai_signal: string | null;
  ai_confidence: Attribution["confidence"]; ai_scope: Attribution["scope"]; review: "reviewed" | "unreviewed" | "unknown"; review_evidence: string | null;
  review_strength: ChangeInput["commit"]["gitReview"]["strength"]; co_authors: string | null; pr_ref: string | null; sensitive_paths: string | null;
  signature: string | null; emergency: string | null;
}
interface PrRow {
  id: number; file_id: number; platform: "github" | "gitlab"; number: number; author: string | null; author_is_bot: number; merged_by: string | null;
  merged_at: string | null; head_sha: string | null; head_ref: string | null; review_decision: string | null; labels: string; commit_authors: string;
  last_commit_time: string | null;
}

/**
 * Attribute names under which agent-log parsers store the commit SHA a session made (Claude Code
 * OTel `tool_result` `git_commit_id`, kept as given or camel-cased).
 */
export const SESSION_COMMIT_PATHS = ["$.gitCommitId", "$.git_commit_id", "$.toolParameters.git_commit_id", "$.tool_parameters.git_commit_id", "$.commitSha"];

const PR_KINDS = ["github-pull-requests", "gitlab-merge-requests"];

type Session = { recorded: string; sessionId: string | null; product: string | null; actor: string | null };

/** Sessions by the first 7 characters of the commit id they recorded (agents may record short ids). */
function sessionsByCommit(db: Db): Map<string, Session[]> {
  // OTel attribute values are strings, so `tool_parameters` may hold JSON text rather than an object.
  const nested = ["$.tool_parameters", "$.toolParameters"].map((p) => `CASE WHEN json_valid(json_extract(attrs, '${p}')) THEN json_extract(json_extract(attrs, '${p}'), '$.git_commit_id') END`);
  const sha = `coalesce(${[...SESSION_COMMIT_PATHS.map((p) => `json_extract(attrs, '${p}')`), ...nested].join(", ")})`;
  // The LIKE keeps SQLite from parsing the JSON of every tool call that cannot hold a commit id.
  const rows = db
    .prepare(`SELECT ${sha} AS sha, session_id, agent_product, actor FROM events WHERE source_kind = 'agent-log' AND attrs LIKE '%ommit%' AND ${sha} IS NOT NULL ORDER BY time`)
    .all() as { sha: unknown; session_id: string | null; agent_product: string | null; actor: string | null }[];
  const out = new Map<string, Session[]>();
  for (const r of rows) {
    if (typeof r.sha !== "string" || !/^[0-9a-f]{7,64}$/i.test(r.sha)) continue;
    const recorded = r.sha.toLowerCase();
    const key = recorded.slice(0, 7);
    out.set(key, [...(out.get(key) ?? []), { recorded, sessionId: r.session_id, product: r.agent_product, actor: r.actor }]);
  }
  return out;
}

/** Production commits, in rowid pages; the body is fetched only where a review-platform footer may be. */
const COMMIT_COLUMNS = `id, repo, sha, parents, subject, author_name, author_email, committer_email, committer_time, author_kind, agent_product, ai_signal,
  ai_confidence, ai_scope, review, review_evidence, review_strength, co_authors, pr_ref, sensitive_paths, signature, emergency,
  CASE WHEN instr(body, 'Reviewed-on:') OR instr(body, 'Differential Revision:') THEN body ELSE '' END AS body`;

export function deriveChanges(db: Db, config: Config, period?: { startIso: string; endIso: string }): number {
  const cm = config.changeManagement;
  const policy = { identities: new Identities(cm.identities), emergencyLabels: cm.emergencyLabels, aiReviewers: new Set(cm.aiReviewers.map((l) => l.toLowerCase())) };
  const gitSources = config.sources.filter((s) => s.kind === "git").map((s) => s.name);
  // Which git repository each PR export belongs to (a `#N` only means something inside one repository).
  const repoOfPrSource = new Map(
    config.sources.filter((s) => PR_KINDS.includes(s.kind)).map((s) => [s.name, s.gitSource ?? (gitSources.length === 1 ? gitSources[0]! : null)]),
  );
  const prFiles = db.prepare(`SELECT id, source FROM source_files WHERE kind IN (${PR_KINDS.map(() => "?").join(", ")})`).all(...PR_KINDS) as { id: number; source: string }[];
  const filesOfRepo = new Map<string, number[]>();
  for (const f of prFiles) {
    const repo = repoOfPrSource.get(f.source);
    if (repo) filesOfRepo.set(repo, [...(filesOfRepo.get(repo) ?? []), f.id]);
  }
  const sessions = sessionsByCommit(db);
  const anyPrs = db.prepare("SELECT 1 FROM pull_requests LIMIT 1").get() !== undefined;

  const byMerge = db.prepare("SELECT * FROM pull_requests WHERE (merge_commit = ? OR squash_commit = ?) AND merged_at IS NOT NULL ORDER BY id LIMIT 1");
  const byNumber = db.prepare("SELECT * FROM pull_requests WHERE number = ? AND platform = ? AND file_id IN (SELECT value FROM json_each(?)) ORDER BY merged_at IS NULL, id LIMIT 1");
  const reviewsOf = db.prepare(
    "SELECT reviewer, reviewer_is_bot, state, submitted_at, commit_sha FROM pr_reviews WHERE number = ? AND platform = ? AND file_id IN (SELECT value FROM json_each(?)) ORDER BY submitted_at, id",
  );
  // The first AI-attributed commit a merge brought in (landed_by is set while streaming the log).
  const branchAgent = db.prepare(
    `SELECT sha, author_name, author_email, agent_product, ai_signal, ai_confidence, ai_scope FROM commits
     WHERE repo = ? AND landed_by = ? AND author_kind = 'agent' ORDER BY committer_time, id LIMIT 1`,
  );
  const insert = db.prepare(`INSERT INTO changes (commit_id, repo, sha, committed, subject, author, pr_ref, pr_id, pr_join, author_kind, agent_product,
      ai_signal, ai_confidence, launcher, review, review_strength, review_evidence, reviewers, merged_by, approved_before_merge, approval_stale,
      self_merged, admin_bypass, direct_push, ai_reviewer_only, sensitive_paths, signature, emergency, exceptions)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const bool = (b: boolean | null) => (b === null ? null : b ? 1 : 0);

  const rowOf = (c: CommitRow): unknown[] => {
    const files = JSON.stringify(filesOfRepo.get(c.repo) ?? []);
    let prRow = anyPrs ? (byMerge.get(c.sha, c.sha) as PrRow | undefined) : undefined;
    let join: ChangePullRequest["join"] = "merge-commit";
    if (anyPrs && !prRow && c.pr_ref) {
      prRow = byNumber.get(Number(c.pr_ref.slice(1)), c.pr_ref.startsWith("!") ? "gitlab" : "github", files) as PrRow | undefined;
      join = "message";
    }
    // Reviews may sit in another file of the same export (REST pulls and reviews fetched apart).
    const reviewFiles = prRow ? JSON.stringify([...new Set([...(filesOfRepo.get(c.repo) ?? []), prRow.file_id])]) : files;
    const agentRow = c.parents.includes(" ")
      ? (branchAgent.get(c.repo, c.sha) as
          { sha: string; author_name: string | null; author_email: string | null; agent_product: string | null; ai_signal: string | null; ai_confidence: Attribution["confidence"]; ai_scope: Attribution["scope"] } | undefined)
      : undefined;
    const input: ChangeInput = {
      commit: {
        sha: c.sha, subject: c.subject, body: c.body, authorName: c.author_name, authorEmail: c.author_email, committerEmail: c.committer_email,
        coAuthors: c.co_authors ? (JSON.parse(c.co_authors) as string[]) : [],
        attribution: { authorKind: c.author_kind, agentProduct: c.agent_product, signal: c.ai_signal, confidence: c.ai_confidence, scope: c.ai_scope },
        gitReview: { review: c.review, evidence: c.review_evidence, strength: c.review_strength },
        prRef: c.pr_ref, sensitivePaths: c.sensitive_paths ? c.sensitive_paths.split("\n") : [], signature: c.signature, emergency: c.emergency,
      },
      pr: prRow
        ? {
            platform: prRow.platform, number: prRow.number, join, author: prRow.author, authorIsBot: prRow.author_is_bot === 1, mergedBy: prRow.merged_by,
            mergedAt: prRow.merged_at, headSha: prRow.head_sha, headRef: prRow.head_ref, reviewDecision: prRow.review_decision,
            labels: JSON.parse(prRow.labels) as string[], commitAuthors: JSON.parse(prRow.commit_authors) as ChangePullRequest["commitAuthors"],
            lastCommitTime: prRow.last_commit_time,
          }
        : null,
      reviews: prRow
        ? (reviewsOf.all(prRow.number, prRow.platform, reviewFiles) as { reviewer: string | null; reviewer_is_bot: number; state: string; submitted_at: string | null; commit_sha: string | null }[]).map(
            (r): ChangeReview => ({ reviewer: r.reviewer, reviewerIsBot: r.reviewer_is_bot === 1, state: r.state, submittedAt: r.submitted_at, commitSha: r.commit_sha }),
          )
        : [],
      branchAgent: agentRow
        ? { sha: agentRow.sha, authorName: agentRow.author_name, authorEmail: agentRow.author_email, attribution: { authorKind: "agent", agentProduct: agentRow.agent_product, signal: agentRow.ai_signal, confidence: agentRow.ai_confidence, scope: agentRow.ai_scope } }
        : null,
      session: sessions.get(c.sha.slice(0, 7))?.find((x) => c.sha.startsWith(x.recorded)) ?? null,
      exportCovers: (filesOfRepo.get(c.repo) ?? []).length > 0,
    };
    const v = assessChange(input, policy);
    return [
      c.id, c.repo, c.sha, c.committer_time, c.subject, c.author_email ? `${c.author_name ?? ""} <${c.author_email}>` : c.author_name, v.prRef,
      prRow?.id ?? null, v.prJoin, v.authorKind, v.agentProduct, v.aiSignal, v.aiConfidence, v.launcher, v.review, v.reviewStrength, v.reviewEvidence,
      v.reviewers, v.mergedBy, bool(v.approvedBeforeMerge), bool(v.approvalStale), bool(v.selfMerged), bool(v.adminBypass), v.directPush ? 1 : 0,
      v.aiReviewerOnly ? 1 : 0, c.sensitive_paths, c.signature, v.emergency, v.exceptions.join(" "),
    ];
  };

  let n = 0;
  db.transaction(() => {
    const range = { start: period?.startIso ?? "", end: period?.endIso ?? "\uffff" };
    db.prepare("DELETE FROM changes WHERE committed >= :start AND committed < :end").run(range);
    // Keyset pages rather than iterate(): better-sqlite3 cannot run the inserts while a read is open.
    const page = db.prepare(
      `SELECT ${COMMIT_COLUMNS} FROM commits WHERE committer_time >= :start AND committer_time < :end AND on_production = 1 AND id > :after ORDER BY id LIMIT 2000`,
    );
    for (let rows = page.all({ ...range, after: 0 }) as CommitRow[]; rows.length; rows = page.all({ ...range, after: rows[rows.length - 1]!.id }) as CommitRow[]) {
      for (const c of rows) insert.run(...rowOf(c));
      n += rows.length;
    }
  })();
  return n;
}
