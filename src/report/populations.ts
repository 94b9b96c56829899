/**
 * The full populations handed to the auditor, one CSV each. Each is a SQL query over the store,
 * streamed row by row to the file (never held in memory). Columns are fixed and ordered; rows are
 * sorted on stable keys so reruns are byte-identical.
 */
export interface PopulationSpec {
  file: string;
  title: string;
  columns: string[];
  sql: string;
}

const EVENT_COLUMNS = `e.time, e.agent_product, e.agent_id, e.session_id, e.action, e.classes, e.command, e.target, e.environment,
  e.outcome, e.approval, e.approval_evidence, f.path, e.locator, e.event_key`;
const EVENT_HEADERS = ["time", "agent_product", "agent_id", "session_id", "action", "classes", "command", "target", "environment", "outcome", "approval", "approval_evidence", "source_file", "locator", "event_key"];

export const POPULATIONS: PopulationSpec[] = [
  {
    file: "agent-actions.csv",
    title: "Agent tool calls",
    columns: EVENT_HEADERS,
    sql: `SELECT ${EVENT_COLUMNS} FROM agent_actions e JOIN source_files f ON f.id = e.file_id
          WHERE e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`,
  },
  {
    file: "destructive-actions.csv",
    title: "Destructive or irreversible agent tool calls",
    columns: EVENT_HEADERS,
    sql: `SELECT ${EVENT_COLUMNS} FROM agent_actions e JOIN source_files f ON f.id = e.file_id
          WHERE e.destructive = 1 AND e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`,
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
    title: "Changes to production branches",
    columns: ["committed", "repo", "sha", "subject", "author", "author_kind", "agent_product", "ai_signal", "review", "review_strength", "review_evidence", "parents", "source", "locator"],
    sql: `SELECT c.committer_time, c.repo, c.sha, c.subject, c.author_name || ' <' || c.author_email || '>', c.author_kind, c.agent_product, c.ai_signal,
            c.review, c.review_strength, c.review_evidence, c.parents, f.path, c.locator
          FROM commits c JOIN source_files f ON f.id = c.file_id
          WHERE c.on_production = 1 AND c.committer_time >= :start AND c.committer_time < :end ORDER BY c.committer_time, c.repo, c.sha`,
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
