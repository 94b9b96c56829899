-- The current schema of the evidence store, generated from src/store/migrations.ts: do not edit.
-- Regenerate with `npm run schema` after adding a migration (test/store/schema.test.ts fails until then).
-- Schema version 12 (PRAGMA user_version). Tables, then indexes, triggers and views, each sorted by name.

CREATE TABLE agent_setting_rules (
  id INTEGER PRIMARY KEY,
  settings_id INTEGER NOT NULL REFERENCES agent_settings(id) ON DELETE CASCADE,
  list TEXT NOT NULL,              -- allow | ask | deny
  rule TEXT NOT NULL,              -- as written, e.g. Bash(rm -rf *)
  tool TEXT NOT NULL,
  specifier TEXT,
  destructive INTEGER NOT NULL     -- matches at least one destructive probe command
);

CREATE TABLE agent_settings (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  product TEXT NOT NULL,           -- claude-code | cursor | codex
  scope TEXT NOT NULL,             -- managed | local | shared (user or project) | user | project
  default_mode TEXT,               -- Claude defaultMode, Codex approval_policy
  sandbox TEXT,                    -- Codex sandbox_mode
  bypass_disabled INTEGER,         -- 1/0; null when the product has no such switch
  bypass_default INTEGER NOT NULL, -- the default mode runs tools without asking
  allow_count INTEGER NOT NULL,
  ask_count INTEGER NOT NULL,
  deny_count INTEGER NOT NULL,
  destructive_probes INTEGER NOT NULL,  -- destructive commands tried against the rules
  destructive_denied INTEGER NOT NULL,  -- of which a deny rule blocks
  destructive_allowed INTEGER NOT NULL, -- of which an allow rule lets run unasked
  posture TEXT NOT NULL,           -- JSON: probe verdicts and remarks
  locator TEXT NOT NULL
);

CREATE TABLE builds (
  id INTEGER PRIMARY KEY,
  build_id TEXT NOT NULL,
  period TEXT NOT NULL,
  period_start TEXT NOT NULL,
  period_end TEXT NOT NULL,
  config_sha256 TEXT NOT NULL,
  inputs_sha256 TEXT NOT NULL,
  results TEXT NOT NULL,           -- JSON: control statuses, coverage, findings
  created_seq INTEGER NOT NULL
);

CREATE TABLE changes (
  commit_id INTEGER PRIMARY KEY REFERENCES commits(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  sha TEXT NOT NULL,
  committed TEXT NOT NULL,
  subject TEXT NOT NULL,
  author TEXT,
  pr_ref TEXT,
  pr_id INTEGER REFERENCES pull_requests(id) ON DELETE SET NULL,
  pr_join TEXT NOT NULL,           -- merge-commit | message | none
  author_kind TEXT NOT NULL,       -- human | agent | bot
  agent_product TEXT,
  ai_signal TEXT,
  ai_confidence TEXT,
  launcher TEXT,                   -- the person who ran or co-authored an AI change
  review TEXT NOT NULL,            -- reviewed | unreviewed | unknown
  review_strength TEXT NOT NULL,   -- platform | trailer | merge-message | none
  review_evidence TEXT,
  reviewers TEXT,                  -- independent human approvers
  merged_by TEXT,
  approved_before_merge INTEGER,   -- null when no platform approval data
  approval_stale INTEGER,
  self_merged INTEGER,
  admin_bypass INTEGER,
  direct_push INTEGER NOT NULL,
  ai_reviewer_only INTEGER NOT NULL,
  sensitive_paths TEXT,
  signature TEXT,
  emergency TEXT,                  -- label or trailer that marked it
  exceptions TEXT NOT NULL         -- space-separated exception codes, '' when none
);

CREATE TABLE cloudtrail_integrity (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,            -- config source name
  folder TEXT NOT NULL,            -- folder verified, relative to the workspace
  inputs_sha256 TEXT NOT NULL,     -- hash of the files verified: unchanged inputs are not re-verified
  verified_at TEXT NOT NULL,
  ok INTEGER NOT NULL,
  digests INTEGER NOT NULL,
  log_files_listed INTEGER NOT NULL,
  log_files_verified INTEGER NOT NULL,
  result TEXT NOT NULL,            -- JSON: DigestVerification (altered, missing, unlisted, gaps, signatures, coverage, lake)
  UNIQUE (source, folder)
);

CREATE TABLE commits (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  repo TEXT NOT NULL,
  sha TEXT NOT NULL,
  parents TEXT NOT NULL,           -- space-separated
  author_name TEXT, author_email TEXT, author_time TEXT,
  committer_name TEXT, committer_email TEXT, committer_time TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  on_production INTEGER NOT NULL,  -- first-parent of the production branch
  author_kind TEXT NOT NULL,       -- human | agent | bot
  agent_product TEXT,
  ai_signal TEXT,                  -- which attribution signal fired
  review TEXT NOT NULL,            -- reviewed | unreviewed | unknown
  review_evidence TEXT,
  review_strength TEXT,            -- platform | trailer | merge-message | none
  files_changed INTEGER,
  locator TEXT NOT NULL, co_authors TEXT, ai_confidence TEXT, ai_scope TEXT, pr_ref TEXT, lines_added INTEGER, lines_deleted INTEGER, sensitive_paths TEXT, signature TEXT, emergency TEXT, landed_by TEXT,
  UNIQUE (repo, sha)
);

CREATE TABLE event_summaries (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  source_kind TEXT NOT NULL,       -- cloudtrail
  day TEXT NOT NULL,               -- calendar day in report.timezone (YYYY-MM-DD)
  day_start TEXT NOT NULL,         -- UTC instant that day starts: periods are whole days, so day_start in [start, end) selects them exactly
  actor TEXT,
  actor_kind TEXT NOT NULL,
  identity_type TEXT,
  role_arn TEXT,
  action TEXT NOT NULL,
  classes TEXT NOT NULL,
  outcome TEXT NOT NULL,
  account TEXT,
  region TEXT,
  environment TEXT NOT NULL,
  event_category TEXT,
  event_type TEXT,
  n INTEGER NOT NULL,              -- records summarised in this row
  first_time TEXT NOT NULL,
  last_time TEXT NOT NULL,
  locators TEXT NOT NULL           -- where they are in the file: "record 3-5,17" (JSON) or "line 4,9" (CSV)
);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  source_kind TEXT NOT NULL,
  event_key TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT,
  actor_kind TEXT NOT NULL,
  agent_id TEXT,
  agent_product TEXT,
  session_id TEXT,
  action TEXT NOT NULL,
  classes TEXT NOT NULL,           -- space-separated, sorted
  destructive INTEGER NOT NULL,
  target TEXT,
  environment TEXT NOT NULL,
  outcome TEXT NOT NULL,
  approval TEXT NOT NULL,
  approval_evidence TEXT,
  command TEXT,
  account TEXT,
  region TEXT,
  locator TEXT NOT NULL,
  attrs TEXT NOT NULL,
  UNIQUE (source_kind, event_key)
);

CREATE TABLE hook_chains (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,            -- config source name
  folder TEXT NOT NULL,            -- folder of one chain (one agent), relative to the workspace
  inputs_sha256 TEXT NOT NULL,     -- hash of the files' names, sizes and times: unchanged inputs are not re-verified
  verified_at TEXT NOT NULL,
  ok INTEGER NOT NULL,             -- 1: no broken link, restart or unlinked line
  files INTEGER NOT NULL,
  lines INTEGER NOT NULL,
  result TEXT NOT NULL,            -- JSON: ChainVerification (notes, problems with file and line)
  UNIQUE (source, folder)
);

CREATE TABLE iam_principals (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  arn TEXT NOT NULL,               -- role or user ARN; policy-file:<path> for a bare policy document
  kind TEXT NOT NULL,              -- role | user | policy-file
  name TEXT NOT NULL,
  account TEXT,
  agent_id TEXT,                   -- the configured agent identity the principal is, if any
  environment TEXT NOT NULL,       -- of its account
  trust_policy TEXT,               -- JSON: who may assume a role
  policies TEXT NOT NULL,          -- JSON: [{name, source}] in evaluation order
  unresolved TEXT,                 -- JSON: attached managed policy ARNs that could not be resolved
  locator TEXT NOT NULL
);

CREATE TABLE iam_statements (
  principal_id INTEGER NOT NULL REFERENCES iam_principals(id) ON DELETE CASCADE,
  ord INTEGER NOT NULL,            -- evaluation order within the principal
  policy TEXT NOT NULL,            -- name of the policy holding the statement
  role TEXT NOT NULL,              -- policy | boundary (a permissions boundary caps the policies)
  effect TEXT NOT NULL,            -- Allow | Deny
  actions TEXT,                    -- JSON: Action patterns as written (service:Verb*, *)
  not_actions TEXT,                -- JSON: NotAction patterns
  all_resources INTEGER NOT NULL,  -- Resource * or NotResource
  conditional INTEGER NOT NULL,    -- granted only under a Condition
  PRIMARY KEY (principal_id, ord)
) WITHOUT ROWID;

CREATE TABLE observations (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  source_kind TEXT NOT NULL,
  event_key TEXT NOT NULL,
  time TEXT NOT NULL,
  actor TEXT,
  actor_kind TEXT NOT NULL,
  agent_id TEXT,
  agent_product TEXT,
  session_id TEXT,
  action TEXT NOT NULL,
  classes TEXT NOT NULL,
  destructive INTEGER NOT NULL,
  target TEXT,
  environment TEXT NOT NULL,
  outcome TEXT NOT NULL,
  approval TEXT NOT NULL,
  approval_evidence TEXT,
  command TEXT,
  account TEXT,
  region TEXT,
  locator TEXT NOT NULL,
  attrs TEXT NOT NULL
);

CREATE TABLE pr_reviews (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,
  number INTEGER NOT NULL,
  reviewer TEXT,
  reviewer_is_bot INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,             -- APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
  submitted_at TEXT,
  commit_sha TEXT,                 -- the head the review was given on
  locator TEXT NOT NULL
);

CREATE TABLE pull_requests (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  platform TEXT NOT NULL,          -- github | gitlab
  number INTEGER NOT NULL,
  title TEXT,
  author TEXT,                     -- login
  author_is_bot INTEGER NOT NULL DEFAULT 0,
  merged_by TEXT,
  merged_at TEXT,
  merge_commit TEXT,               -- merge, squash or last rebased commit on the target branch
  squash_commit TEXT,
  head_sha TEXT,
  head_ref TEXT,
  base_ref TEXT,
  review_decision TEXT,            -- APPROVED | CHANGES_REQUESTED | REVIEW_REQUIRED (GitHub); approved/unapproved (GitLab)
  labels TEXT NOT NULL,            -- JSON array of names
  commit_authors TEXT NOT NULL,    -- JSON array of {name, email, login} of the PR's own commits
  last_commit_time TEXT,
  truncated TEXT,                  -- nested lists that hit the export's page cap
  locator TEXT NOT NULL,
  UNIQUE (file_id, platform, number)
);

CREATE TABLE purges (
  id INTEGER PRIMARY KEY,
  purged_at TEXT NOT NULL,
  before TEXT NOT NULL,            -- UTC ISO cutoff: rows older than this were deleted
  removed TEXT NOT NULL            -- JSON: rows deleted per table
);

CREATE TABLE rejects (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
  locator TEXT NOT NULL,
  reason TEXT NOT NULL,
  excerpt TEXT
);

CREATE TABLE source_files (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,            -- the config source name
  path TEXT NOT NULL,              -- relative to the workspace root
  kind TEXT NOT NULL,              -- parser family: claude-code-hooks, cloudtrail, git
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  parser TEXT NOT NULL,
  parser_version TEXT NOT NULL,
  context_hash TEXT NOT NULL,      -- hash of the config parts that shaped enrichment
  records_read INTEGER NOT NULL DEFAULT 0,
  accepted INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  redacted INTEGER NOT NULL DEFAULT 0,
  notes TEXT,                      -- JSON: parser remarks (shallow clone, truncated gzip…)
  ingested_at TEXT NOT NULL, purged_before TEXT, mtime_ms INTEGER, summarised INTEGER NOT NULL DEFAULT 0, incomplete TEXT,
  UNIQUE (source, path)
);

CREATE INDEX agent_setting_rules_settings ON agent_setting_rules(settings_id);

CREATE INDEX agent_settings_file ON agent_settings(file_id);

CREATE INDEX builds_period ON builds(period, created_seq);

CREATE INDEX builds_seq ON builds(created_seq);

CREATE INDEX changes_pr ON changes(pr_id);

CREATE INDEX changes_time ON changes(committed);

CREATE INDEX commits_landed_agent ON commits(repo, landed_by) WHERE author_kind = 'agent';

CREATE INDEX commits_time ON commits(committer_time);

CREATE INDEX event_summaries_day ON event_summaries(source_kind, day_start);

CREATE INDEX event_summaries_file ON event_summaries(file_id);

CREATE INDEX events_agent_session ON events(session_id, time) WHERE source_kind = 'agent-log';

CREATE INDEX events_file ON events(file_id);

CREATE INDEX events_kind_time ON events(source_kind, time);

CREATE INDEX iam_principals_arn ON iam_principals(arn);

CREATE INDEX iam_principals_file ON iam_principals(file_id);

CREATE INDEX observations_file ON observations(file_id);

CREATE INDEX observations_key ON observations(source_kind, event_key);

CREATE INDEX pr_reviews_number ON pr_reviews(number);

CREATE INDEX pull_requests_merge ON pull_requests(merge_commit);

CREATE INDEX pull_requests_number ON pull_requests(number);

CREATE INDEX pull_requests_squash ON pull_requests(squash_commit);

CREATE INDEX rejects_file ON rejects(file_id);

CREATE VIEW agent_actions AS
SELECT * FROM events WHERE source_kind = 'agent-log' AND action NOT LIKE 'session:%';

CREATE VIEW cloudtrail_activity AS
SELECT e.time AS time, e.time AS last_time, e.actor, e.actor_kind, json_extract(e.attrs, '$.identityType') AS identity_type,
  json_extract(e.attrs, '$.roleArn') AS role_arn, e.action, e.classes, e.destructive, e.outcome, e.account, e.region, e.environment,
  json_extract(e.attrs, '$.eventCategory') AS event_category, json_extract(e.attrs, '$.eventType') AS event_type,
  1 AS n, e.id AS event_id, e.file_id, e.locator
FROM events e WHERE e.source_kind = 'cloudtrail'
UNION ALL
SELECT s.day_start, s.last_time, s.actor, s.actor_kind, s.identity_type, s.role_arn, s.action, s.classes,
  (instr(' ' || s.classes || ' ', ' destructive ') > 0 OR instr(' ' || s.classes || ' ', ' irreversible ') > 0), s.outcome, s.account, s.region,
  s.environment, s.event_category, s.event_type, s.n, NULL, s.file_id, s.locators
FROM event_summaries s WHERE s.source_kind = 'cloudtrail';

CREATE VIEW session_modes AS
SELECT e.agent_product, e.session_id, e.time, json_extract(e.attrs, '$.permissionMode') AS mode,
  json_extract(e.attrs, '$.fromMode') AS from_mode, json_extract(e.attrs, '$.trigger') AS trigger,
  e.action, e.id AS event_id, e.file_id, e.locator
FROM events e
WHERE e.source_kind = 'agent-log' AND e.session_id IS NOT NULL AND json_extract(e.attrs, '$.permissionMode') IS NOT NULL;
