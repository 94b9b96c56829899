import type { Period } from "../../period.ts";
import type { Db } from "../../store/index.ts";

/**
 * What the CC8.1 change-management section shows, read from the `changes` table as aggregates
 * plus the (bounded) list of exceptions: the population, the AI-authored share, the independently
 * reviewed share, how strong the review evidence is, and every exception with its commit, PR,
 * author kind and the signal behind the AI attribution.
 */
export interface GitChangesReport {
  total: number;
  repos: { repo: string; changes: number; notes: string[] }[];
  ai: { total: number; reviewed: number; byProduct: { product: string; changes: number; reviewed: number; signals: string }[] };
  human: { total: number; reviewed: number };
  bots: { total: number; reviewed: number };
  reviewed: number;
  unknown: number;
  byStrength: { strength: string; changes: number }[];
  prJoins: { join: string; changes: number }[];
  /** Signatures: checked only with verifySignatures; good = G, U, X, Y or R from `%G?`. */
  signatures: { checked: number; good: number };
  /** Changes touching the configured sensitive paths, and how many of those were independently reviewed. */
  sensitive: { total: number; reviewed: number };
  exceptions: GitChangeException[];
  /** Exceptions beyond the listed ones (changes.csv has all). */
  moreExceptions: number;
}

export interface GitChangeException {
  committed: string;
  repo: string;
  sha: string;
  prRef: string | null;
  subject: string;
  author: string;
  authorKind: string;
  agentProduct: string | null;
  signal: string | null;
  exceptions: string;
  evidence: string | null;
}

export const EXCEPTION_LIMIT = 100;

export function collectGitChanges(db: Db, period: Period): GitChangesReport | undefined {
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").get();
  if (!hasTable) return undefined;
  const p = { start: period.startIso, end: period.endIso };
  const IN = "committed >= :start AND committed < :end";
  const kinds = db
    .prepare(`SELECT author_kind AS kind, count(*) AS n, coalesce(sum(review = 'reviewed'), 0) AS reviewed, coalesce(sum(review = 'unknown'), 0) AS unknown FROM changes WHERE ${IN} GROUP BY 1`)
    .all(p) as { kind: string; n: number; reviewed: number; unknown: number }[];
  const of = (kind: string) => kinds.find((k) => k.kind === kind) ?? { n: 0, reviewed: 0, unknown: 0 };
  const total = kinds.reduce((n, k) => n + k.n, 0);
  if (total === 0) return undefined;
  const byProduct = db
    .prepare(
      `SELECT coalesce(agent_product, 'unknown') AS product, count(*) AS changes, coalesce(sum(review = 'reviewed'), 0) AS reviewed,
         group_concat(DISTINCT CASE WHEN instr(ai_signal, ' ') > 0 THEN substr(ai_signal, 1, instr(ai_signal, ' ') - 1) ELSE ai_signal END) AS signals
       FROM changes WHERE ${IN} AND author_kind = 'agent' GROUP BY 1 ORDER BY 2 DESC, 1`,
    )
    .all(p) as GitChangesReport["ai"]["byProduct"];
  const repos = db.prepare(`SELECT repo, count(*) AS changes FROM changes WHERE ${IN} GROUP BY 1 ORDER BY 1`).all(p) as { repo: string; changes: number }[];
  const notes = db.prepare("SELECT source, notes FROM source_files WHERE kind = 'git' AND notes IS NOT NULL").all() as { source: string; notes: string }[];
  const exceptionWhere = `${IN} AND exceptions <> ''`;
  const exceptions = db
    .prepare(
      `SELECT committed, repo, sha, pr_ref AS prRef, subject, coalesce(author, '') AS author, author_kind AS authorKind, agent_product AS agentProduct,
         ai_signal AS signal, exceptions, review_evidence AS evidence
       FROM changes WHERE ${exceptionWhere} ORDER BY committed, repo, sha LIMIT ${EXCEPTION_LIMIT}`,
    )
    .all(p) as GitChangeException[];
  const exceptionCount = (db.prepare(`SELECT count(*) AS n FROM changes WHERE ${exceptionWhere}`).get(p) as { n: number }).n;
  const signatures = db
    .prepare(`SELECT coalesce(sum(signature IS NOT NULL), 0) AS checked, coalesce(sum(signature IN ('G', 'U', 'X', 'Y', 'R')), 0) AS good FROM changes WHERE ${IN}`)
    .get(p) as GitChangesReport["signatures"];
  const sensitive = db
    .prepare(`SELECT count(*) AS total, coalesce(sum(review = 'reviewed'), 0) AS reviewed FROM changes WHERE ${IN} AND sensitive_paths IS NOT NULL`)
    .get(p) as GitChangesReport["sensitive"];
  const group = (column: string) => db.prepare(`SELECT ${column} AS key, count(*) AS n FROM changes WHERE ${IN} GROUP BY 1 ORDER BY 2 DESC, 1`).all(p) as { key: string; n: number }[];
  return {
    total,
    // The git ingest notes say whether history is complete (shallow clone) and how paths were read (partial clone).
    repos: repos.map((r) => ({ ...r, notes: notes.filter((n) => n.source === r.repo).flatMap((n) => JSON.parse(n.notes) as string[]) })),
    ai: { total: of("agent").n, reviewed: of("agent").reviewed, byProduct },
    human: { total: of("human").n, reviewed: of("human").reviewed },
    bots: { total: of("bot").n, reviewed: of("bot").reviewed },
    reviewed: kinds.reduce((n, k) => n + k.reviewed, 0),
    unknown: kinds.reduce((n, k) => n + k.unknown, 0),
    byStrength: group("review_strength").map((r) => ({ strength: r.key, changes: r.n })),
    prJoins: group("pr_join").map((r) => ({ join: r.key, changes: r.n })),
    signatures,
    sensitive,
    exceptions,
    moreExceptions: Math.max(0, exceptionCount - exceptions.length),
  };
}
