/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many have run.
 * Append new migrations; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
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
    ingested_at TEXT NOT NULL,
    UNIQUE (source, path)
  );
  CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES source_files(id) ON DELETE CASCADE,
    locator TEXT NOT NULL,
    reason TEXT NOT NULL,
    excerpt TEXT
  );
  CREATE INDEX rejects_file ON rejects(file_id);
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
  CREATE INDEX events_kind_time ON events(source_kind, time);
  CREATE INDEX events_file ON events(file_id);
  -- Agent tool calls only: session lifecycle records (action "session:…") are context, not actions.
  CREATE VIEW agent_actions AS
    SELECT * FROM events WHERE source_kind = 'agent-log' AND action NOT LIKE 'session:%';
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
    locator TEXT NOT NULL,
    UNIQUE (repo, sha)
  );
  CREATE INDEX commits_time ON commits(committer_time);
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
  CREATE INDEX builds_period ON builds(period, created_seq);
  `,
];
