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
  // Git and pull requests: per-commit facts git alone gives, pull-request exports with
  // their reviews, and `changes`, one row per production change with the review verdict, rebuilt
  // after every ingest from commits, exports, agent sessions and the changeManagement config.
  `
  ALTER TABLE commits ADD COLUMN co_authors TEXT;         -- JSON array of "Name <email>" from Co-authored-by
  ALTER TABLE commits ADD COLUMN ai_confidence TEXT;      -- high | medium | low
  ALTER TABLE commits ADD COLUMN ai_scope TEXT;           -- commit | squash-aggregate
  ALTER TABLE commits ADD COLUMN pr_ref TEXT;             -- "#12" (GitHub) or "!12" (GitLab) named in the message
  ALTER TABLE commits ADD COLUMN lines_added INTEGER;     -- null when only file names were read
  ALTER TABLE commits ADD COLUMN lines_deleted INTEGER;
  ALTER TABLE commits ADD COLUMN sensitive_paths TEXT;    -- newline-separated changed paths matching changeManagement.sensitivePaths
  ALTER TABLE commits ADD COLUMN signature TEXT;          -- %G? letter when verified, null when not checked
  ALTER TABLE commits ADD COLUMN emergency TEXT;          -- the trailer that marked an emergency change
  CREATE INDEX commits_production ON commits(on_production, committer_time);
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
  CREATE INDEX pull_requests_merge ON pull_requests(merge_commit);
  CREATE INDEX pull_requests_number ON pull_requests(number);
  CREATE INDEX pull_requests_squash ON pull_requests(squash_commit);
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
  CREATE INDEX pr_reviews_number ON pr_reviews(number);
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
  CREATE INDEX changes_time ON changes(committed);
  CREATE INDEX changes_pr ON changes(pr_id);
  `,
  // Agent logs. `observations` keeps each file's own record of a tool call once a
  // second file (hooks, OTel, transcript) reports the same call: the `events` row is then derived
  // from them (src/store/merge.ts), and re-reading or deleting one file recomputes it from the rest.
  // Settings files are configuration evidence: their rules and the posture they add up to.
  `
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
  CREATE INDEX observations_key ON observations(source_kind, event_key);
  CREATE INDEX observations_file ON observations(file_id);
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
  CREATE INDEX agent_settings_file ON agent_settings(file_id);
  CREATE TABLE agent_setting_rules (
    id INTEGER PRIMARY KEY,
    settings_id INTEGER NOT NULL REFERENCES agent_settings(id) ON DELETE CASCADE,
    list TEXT NOT NULL,              -- allow | ask | deny
    rule TEXT NOT NULL,              -- as written, e.g. Bash(rm -rf *)
    tool TEXT NOT NULL,
    specifier TEXT,
    destructive INTEGER NOT NULL     -- matches at least one destructive probe command
  );
  CREATE INDEX agent_setting_rules_settings ON agent_setting_rules(settings_id);
  -- The permission mode in force per agent session and its changes: every agent record that names
  -- a mode (attrs.permissionMode; mode changes also carry attrs.fromMode and attrs.trigger).
  CREATE VIEW session_modes AS
    SELECT e.agent_product, e.session_id, e.time, json_extract(e.attrs, '$.permissionMode') AS mode,
      json_extract(e.attrs, '$.fromMode') AS from_mode, json_extract(e.attrs, '$.trigger') AS trigger,
      e.action, e.id AS event_id, e.file_id, e.locator
    FROM events e
    WHERE e.source_kind = 'agent-log' AND e.session_id IS NOT NULL AND json_extract(e.attrs, '$.permissionMode') IS NOT NULL;
  `,
  // CloudTrail and IAM: principals from IAM dumps or policy files with the concrete
  // actions their policies grant (wildcards and NotAction expanded), and the result of the offline
  // digest verification of each CloudTrail source, for the inventory and the CC7.2 rule.
  `
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
  CREATE INDEX iam_principals_arn ON iam_principals(arn);
  CREATE INDEX iam_principals_file ON iam_principals(file_id);
  CREATE TABLE iam_grants (
    principal_id INTEGER NOT NULL REFERENCES iam_principals(id) ON DELETE CASCADE,
    action TEXT NOT NULL,            -- service:Action as AWS spells it
    access_level TEXT NOT NULL,      -- List | Read | Write | Permissions management | Tagging
    resource_scope TEXT NOT NULL,    -- all | limited
    conditional INTEGER NOT NULL,    -- granted only under a Condition
    via TEXT NOT NULL,               -- policy names, newline-separated
    PRIMARY KEY (principal_id, action)
  ) WITHOUT ROWID;
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
  `,
  // Purge: `evidence purge --before DATE` deletes raw rows older than DATE and keeps
  // builds. Each purge is recorded, and the files it emptied or thinned carry the cutoff, so their
  // counts in the inventory are read against what was removed on purpose.
  `
  CREATE TABLE purges (
    id INTEGER PRIMARY KEY,
    purged_at TEXT NOT NULL,
    before TEXT NOT NULL,            -- UTC ISO cutoff: rows older than this were deleted
    removed TEXT NOT NULL            -- JSON: rows deleted per table
  );
  ALTER TABLE source_files ADD COLUMN purged_before TEXT;
  `,
  // Git: the production merge that landed each branch commit (found while streaming),
  // indexed for the AI-authored ones so a merge finds the agent commits it brought in. The
  // (on_production, time) index goes: nothing reads by it, and every commit insert paid for it.
  `
  ALTER TABLE commits ADD COLUMN landed_by TEXT;
  CREATE INDEX commits_landed_agent ON commits(repo, landed_by) WHERE author_kind = 'agent';
  DROP INDEX commits_production;
  `,
  // Scale (README, "What the store keeps"). High-volume CloudTrail calls no rule needs one by one are kept as counts per
  // principal x action x day (and the other dimensions rules group by) with the file and record
  // numbers that hold them (src/ingest/summarise.ts); per file, records read = stored + summarised
  // + duplicates + rejected, with summarised counted inside accepted. mtime_ms lets an unchanged
  // file be recognised from its size and modification time without reading it (the SHA-256 stays
  // the authority whenever they differ).
  `
  ALTER TABLE source_files ADD COLUMN mtime_ms INTEGER;
  ALTER TABLE source_files ADD COLUMN summarised INTEGER NOT NULL DEFAULT 0;
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
  CREATE INDEX event_summaries_day ON event_summaries(source_kind, day_start);
  CREATE INDEX event_summaries_file ON event_summaries(file_id);
  -- Every CloudTrail call, stored or summarised, with its count (1 for a row): what counts a whole
  -- population (all calls in the period, used actions per principal, coverage per account) reads.
  -- A summary's time is the start of its day, so time in [start, end) selects whole days exactly.
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
  `,
  // Scale: correlation looks agent sessions up by id within a time window; on a month of
  // agent actions the (source_kind, time) index scanned two days of every session's records per
  // finding (23 s of a month build for 500 chains). Partial: CloudTrail rows do not pay for it.
  `
  CREATE INDEX events_agent_session ON events(session_id, time) WHERE source_kind = 'agent-log';
  `,
  // The latest build (rebuild check, controls, baseline) is found by created_seq; without an index
  // every lookup read the whole builds table, whose results hold each build's findings (0.57 s on
  // the bench month's store, 79,000 findings per build).
  `
  CREATE INDEX builds_seq ON builds(created_seq);
  `,
  // Completeness (an auditor's completeness test of system-generated information): a population
  // read from a source that stopped early is marked so. NULL: the file or repository was read to
  // its end; otherwise a one-line reason (truncated gzip, JSON cut off, file refused for its size
  // or expansion ratio, git history that could not be read whole).
  `
  ALTER TABLE source_files ADD COLUMN incomplete TEXT;
  `,
  // IAM grants by pattern: expanding every wildcard into one row per action and principal made an
  // administrator role cost ~17,000 rows (150 admin roles: 3.3M rows, 2.6 GB). Statements are
  // stored as written and expanded one principal at a time when rules read them. Files ingested
  // into iam_grants are re-read (the iam parser's version changed), so nothing is carried over.
  `
  DROP TABLE iam_grants;
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
  `,
  // Hash chains of `evidence hook` logs (issue: tamper-evident agent logging): one row per source
  // folder, verified at ingest like cloudtrail_integrity, read by the inventory and the CC7.2 rule.
  `
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
  `,
];
