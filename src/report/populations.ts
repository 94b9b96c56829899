/**
 * The full populations handed to the auditor, one CSV each. Each is a SQL query over the store,
 * streamed row by row to the file (never held in memory). Columns are fixed and ordered; rows are
 * sorted on stable keys so reruns are byte-identical.
 */
export interface PopulationSpec {
  file: string;
  title: string;
  columns: string[];
  /** May select one more column per subset, after `columns`: 1 for the rows that belong to that subset. */
  sql: string;
  /**
   * Populations that are this one's rows filtered, in the same order: written in the same pass, so
   * the store is read once for both (a month's agent actions are the largest population).
   */
  subsets?: { file: string; title: string }[];
}

const EVENT_COLUMNS = `e.time, e.agent_product, e.agent_id, e.session_id, e.action, e.classes, e.command, e.target, e.environment,
  e.outcome, e.approval, e.approval_evidence, f.path, e.locator, e.event_key`;
const EVENT_HEADERS = ["time", "agent_product", "agent_id", "session_id", "action", "classes", "command", "target", "environment", "outcome", "approval", "approval_evidence", "source_file", "locator", "event_key"];

export const POPULATIONS: PopulationSpec[] = [
  {
    file: "agent-actions.csv",
    title: "Agent tool calls",
    columns: EVENT_HEADERS,
    sql: `SELECT ${EVENT_COLUMNS}, e.destructive = 1 FROM agent_actions e JOIN source_files f ON f.id = e.file_id
          WHERE e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`,
    subsets: [{ file: "destructive-actions.csv", title: "Destructive or irreversible agent tool calls" }],
  },
  {
    file: "cloud-events-agents.csv",
    title: "CloudTrail events by agent identities",
    columns: ["time", "agent_id", "actor", "action", "classes", "target", "account", "region", "environment", "outcome", "attribution", "source_file", "locator", "event_id"],
    sql: `SELECT e.time, e.agent_id, e.actor, e.action, e.classes, e.target, e.account, e.region, e.environment, e.outcome,
            json_extract(e.attrs, '$.attribution.signal') || '/' || json_extract(e.attrs, '$.attribution.confidence'), f.path, e.locator, e.event_key
          FROM events e JOIN source_files f ON f.id = e.file_id
          WHERE e.source_kind = 'cloudtrail' AND e.actor_kind = 'agent' AND e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`,
  },
  {
    file: "changes.csv",
    title: "Changes to production branches, with review verdicts and AI attribution",
    columns: [
      "committed", "repo", "sha", "pr", "pr_join", "subject", "author", "author_kind", "agent_product", "ai_signal", "ai_confidence", "launcher",
      "review", "review_strength", "review_evidence", "reviewers", "merged_by", "approved_before_merge", "approval_stale", "self_merged", "admin_bypass",
      "direct_push", "ai_reviewer_only", "sensitive_paths", "signature", "emergency", "exceptions", "parents", "files_changed", "lines_added",
      "lines_deleted", "source", "locator",
    ],
    sql: `SELECT ch.committed, ch.repo, ch.sha, ch.pr_ref, ch.pr_join, ch.subject, ch.author, ch.author_kind, ch.agent_product, ch.ai_signal, ch.ai_confidence,
            ch.launcher, ch.review, ch.review_strength, ch.review_evidence, ch.reviewers, ch.merged_by, ch.approved_before_merge, ch.approval_stale,
            ch.self_merged, ch.admin_bypass, ch.direct_push, ch.ai_reviewer_only, replace(ch.sensitive_paths, char(10), ' '), ch.signature, ch.emergency,
            ch.exceptions, c.parents, c.files_changed, c.lines_added, c.lines_deleted, f.path, c.locator
          FROM changes ch JOIN commits c ON c.id = ch.commit_id JOIN source_files f ON f.id = c.file_id
          WHERE ch.committed >= :start AND ch.committed < :end ORDER BY ch.committed, ch.repo, ch.sha`,
  },
  {
    file: "evidence-inventory.csv",
    title: "Evidence inventory: every source file",
    columns: ["source", "path", "kind", "sha256", "size", "parser", "parser_version", "records_read", "accepted", "duplicates", "rejected", "redacted", "notes"],
    sql: `SELECT source, path, kind, sha256, size, parser, parser_version, records_read, accepted, duplicates, rejected, redacted, notes
          FROM source_files ORDER BY source, path`,
  },
  {
    file: "rejects.csv",
    title: "Rejected records",
    columns: ["source", "path", "locator", "reason", "excerpt"],
    sql: `SELECT f.source, f.path, r.locator, r.reason, r.excerpt FROM rejects r JOIN source_files f ON f.id = r.file_id ORDER BY f.source, f.path, r.id`,
  },
];

/** Every population CSV in the order the package lists them, subsets after the population they filter. */
export const POPULATION_FILES: { file: string; title: string }[] = POPULATIONS.flatMap((p) => [{ file: p.file, title: p.title }, ...(p.subsets ?? [])]);
