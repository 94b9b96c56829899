import { closeSync, openSync, readSync, statSync, type Stats } from "node:fs";
import Database from "better-sqlite3";
import { UsageError } from "../errors.ts";
import type { EvidenceEvent, SummaryRecord } from "../event.ts";
import { MIGRATIONS } from "./migrations.ts";
import { createOwnerOnly } from "./permissions.ts";
import { ObservationIndex } from "./observations.ts";
import { cachedStatement } from "./statements.ts";
import { EVENT_COLUMNS, eventRow, rowKey, type EventRow } from "./event-row.ts";
import { insertAgentSettings, type AgentSettingsRecord } from "./agent-settings.ts";

export type Db = Database.Database;

export interface SourceFileRecord {
  id: number;
  source: string;
  path: string;
  kind: string;
  sha256: string;
  size: number;
  parser: string;
  parser_version: string;
  context_hash: string;
  records_read: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  redacted: number;
  notes: string | null;
  ingested_at: string;
  /** Of `accepted`, how many are kept as counts in event_summaries rather than rows (storage.cloudtrail.mode: summarise). */
  summarised?: number;
  /** Modification time when read: with the size, lets an unchanged file be skipped without hashing it. */
  mtime_ms?: number | null;
  /**
   * Null when the file (or repository) was read to its end; otherwise one line saying why reading
   * stopped early (a truncated gzip, a JSON document cut off, a file refused for its size, git
   * history that could not be read whole), so the population built from it is incomplete.
   */
  incomplete?: string | null;
}

/** `parser` of a file a source's folders hold that is not parsed for records (a CloudTrail digest, Insights or Config file). */
export const SKIPPED_PARSER = "skipped";

export interface RejectRecord {
  locator: string;
  reason: string;
  excerpt?: string | undefined;
  /** Set when this reject means the rest of the file was not read: the one-line reason the file's population is incomplete. */
  incomplete?: string | undefined;
}

export interface CommitRecord {
  repo: string;
  sha: string;
  parents: string[];
  authorName: string | null;
  authorEmail: string | null;
  authorTime: string | null;
  committerName: string | null;
  committerEmail: string | null;
  committerTime: string;
  subject: string;
  body: string;
  onProduction: boolean;
  authorKind: "human" | "agent" | "bot";
  agentProduct: string | null;
  aiSignal: string | null;
  review: "reviewed" | "unreviewed" | "unknown";
  reviewEvidence: string | null;
  reviewStrength: "platform" | "trailer" | "merge-message" | "none";
  filesChanged: number | null;
  locator: string;
  /** Added with the git ingest's co-author and trailer facts; optional so fixtures written before them still build. */
  coAuthors?: string[];
  aiConfidence?: "high" | "medium" | "low" | null;
  aiScope?: "commit" | "squash-aggregate" | null;
  prRef?: string | null;
  /** Null when not counted (file names only: lineCounts off, a partial clone, or a blob missing from the history), never 0 for unknown. */
  linesAdded?: number | null;
  linesDeleted?: number | null;
  sensitivePaths?: string[];
  signature?: string | null;
  emergency?: string | null;
  /** For a commit off the production line: the production merge that brought it in. */
  landedBy?: string | null;
}

/** A merged pull or merge request from a platform export (gh, GitHub REST, GitLab). */
export interface PullRequestRecord {
  platform: "github" | "gitlab";
  number: number;
  title: string | null;
  author: string | null;
  authorIsBot: boolean;
  mergedBy: string | null;
  mergedAt: string | null;
  mergeCommit: string | null;
  squashCommit: string | null;
  headSha: string | null;
  headRef: string | null;
  baseRef: string | null;
  reviewDecision: string | null;
  labels: string[];
  commitAuthors: { name: string | null; email: string | null; login: string | null }[];
  lastCommitTime: string | null;
  truncated: string[];
  locator: string;
}

export interface ReviewRecord {
  platform: "github" | "gitlab";
  number: number;
  reviewer: string | null;
  reviewerIsBot: boolean;
  state: string;
  submittedAt: string | null;
  commitSha: string | null;
  locator: string;
}

/** The first 16 bytes of every SQLite 3 database file (sqlite.org/fileformat.html, "The Database Header"). */
const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/**
 * Refuses a store path that names something other than an evidence store, before anything touches
 * it: opening the store chmods the file to 0600 and the lock creates `<file>.lock` beside it, and
 * SQLite would then fail on a text file, or add our tables to another program's database. Accepted:
 * a path that does not exist yet, an empty file (a run stopped before SQLite wrote the header), and
 * an SQLite file that is ours: either migrated (user_version above 0) or a single page, all that a
 * run stopped before its first migration can leave in the main file.
 */
export function assertStorePath(file: string, flag = "--db"): void {
  if (file === ":memory:") return;
  let stats: Stats;
  try {
    stats = statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw new UsageError(`${flag} ${file}: cannot be read (${(error as Error).message.split("\n")[0]})`);
  }
  const refuse = (what: string) => new UsageError(`${flag} ${file}: ${what}, not an evidence store; refusing to use it (nothing was changed). Name a new file or an existing store.`);
  if (stats.isDirectory()) throw refuse("is a folder");
  if (!stats.isFile()) throw refuse("is not a regular file");
  if (stats.size === 0) return;
  const header = Buffer.alloc(100);
  const fd = openSync(file, "r");
  let read: number;
  try {
    read = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (read < SQLITE_MAGIC.length || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) throw refuse("is not an SQLite database");
  // Header offsets 16 (page size, 1 meaning 65536) and 60 (user_version), big-endian.
  const pageSize = read >= 18 ? header.readUInt16BE(16) || 0 : 0;
  const userVersion = read >= 64 ? header.readUInt32BE(60) : 0;
  if (userVersion === 0 && stats.size > (pageSize === 1 ? 65536 : pageSize)) throw refuse("is an SQLite database of another program");
}

/**
 * Opens (creating if needed) the evidence store. The file holds redacted but still sensitive
 * audit data, so it is created owner-only (0600) before SQLite touches it.
 */
export function openStore(file: string): Db {
  if (file !== ":memory:") {
    assertStorePath(file, "store");
    createOwnerOnly(file);
  }
  const db = new Database(file);
  // WAL: readers never block the single writer, and a killed process leaves a consistent file
  // (uncommitted transactions are simply absent). NORMAL sync is durable at checkpoints, which is
  // enough for a store that can always be rebuilt from the source files it records.
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  // Wait for another process' write lock instead of failing at once.
  db.pragma("busy_timeout = 10000");
  // Bigger page cache (64 MiB) and in-memory temp tables speed up the evaluation GROUP BYs.
  db.pragma("cache_size = -65536");
  db.pragma("temp_store = MEMORY");
  // A 64 MiB WAL (16,384 pages) before it is copied back, not SQLite's 4 MiB: with the default,
  // every ingest commit of a few MB ran a checkpoint (copy and two fsyncs). Inserting 100,000 stored
  // agent actions in commits of 8,000 rows measured 19-21 us per row with the default and 14-15 us
  // with this (three alternating runs each), the final checkpoint included. Larger (or none at all
  // until the end) saved little more and lets the WAL grow with the input. Ingest also commits
  // files in batches, each file a savepoint (FileWriter, src/ingest/index.ts): one COMMIT per
  // delivery file had been the larger cost.
  db.pragma("wal_autocheckpoint = 16384");
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(`the store was written by a newer evidence (schema ${version}, this one knows ${MIGRATIONS.length})`);
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

export function findSourceFile(db: Db, source: string, relPath: string): SourceFileRecord | undefined {
  return db.prepare("SELECT * FROM source_files WHERE source = ? AND path = ?").get(source, relPath) as SourceFileRecord | undefined;
}

export function listSourceFiles(db: Db): SourceFileRecord[] {
  return db.prepare("SELECT * FROM source_files ORDER BY source, path").all() as SourceFileRecord[];
}

export interface FileHeader {
  source: string;
  path: string;
  kind: string;
  sha256: string;
  size: number;
  parser: string;
  parserVersion: string;
  contextHash: string;
  ingestedAt: string;
  /** The file's modification time (ms) when it was read, for the size + mtime pre-check. */
  mtimeMs?: number | null;
}

export interface FileCounts {
  recordsRead: number;
  /** Records taken in: stored as rows or summarised. */
  accepted: number;
  /** Of `accepted`, the records kept as counts in event_summaries. */
  summarised: number;
  duplicates: number;
  rejected: number;
  redacted: number;
  notes: string[];
  /** Why reading stopped early, or null when the file was read to its end. */
  incomplete: string | null;
}

const CONFLICT_FIELDS = ["time", "action", "account", "region"] as const;
/** Conflicting eventIDs named in a file's note; the count covers the rest. */
const MAX_LISTED_CONFLICTS = 20;

/**
 * Writes one source file's records inside a single transaction: the earlier version of the file
 * (if any) is removed and the new one inserted, so a reader sees either all of a file's records or
 * none of them. The caller streams records through `writer` and then calls `commit` or `rollback`.
 */
export class FileWriter {
  readonly fileId: number;
  readonly counts: FileCounts = { recordsRead: 0, accepted: 0, summarised: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [], incomplete: null };
  private readonly insertEvent: Database.Statement;
  private readonly insertReject: Database.Statement;
  private readonly insertCommit: Database.Statement;
  private insertPr: Database.Statement | undefined;
  private insertReview: Database.Statement | undefined;
  private insertSummary: Database.Statement | undefined;
  /** Joins records of one tool call reported by several files (src/store/observations.ts). */
  private readonly joins: ObservationIndex;
  private joined = 0;
  private readonly path: string;
  /** CloudTrail records whose eventID is already stored for a different call: where each was read. */
  private readonly conflicts: string[] = [];
  private open = true;
  /** Inside a caller's batch transaction (src/ingest/index.ts) the file is a savepoint: still all or nothing. */
  private readonly nested: boolean;

  constructor(
    private readonly db: Db,
    header: FileHeader,
  ) {
    this.nested = db.inTransaction;
    this.path = header.path;
    db.exec(this.nested ? "SAVEPOINT file_writer" : "BEGIN IMMEDIATE");
    this.joins = new ObservationIndex(db);
    this.joins.deleteFile(header.source, header.path);
    const info = cachedStatement(
      db,
      `INSERT INTO source_files (source, path, kind, sha256, size, parser, parser_version, context_hash, ingested_at, mtime_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(header.source, header.path, header.kind, header.sha256, header.size, header.parser, header.parserVersion, header.contextHash, header.ingestedAt, header.mtimeMs ?? null);
    this.fileId = Number(info.lastInsertRowid);
    this.insertEvent = cachedStatement(
      db,
      `INSERT OR IGNORE INTO events (file_id, ${EVENT_COLUMNS.join(", ")}) VALUES (?, ${EVENT_COLUMNS.map(() => "?").join(", ")})`,
    );
    this.insertReject = cachedStatement(db, "INSERT INTO rejects (file_id, locator, reason, excerpt) VALUES (?, ?, ?, ?)");
    this.insertCommit = cachedStatement(
      db,
      `INSERT OR IGNORE INTO commits (file_id, repo, sha, parents, author_name, author_email, author_time, committer_name, committer_email,
         committer_time, subject, body, on_production, author_kind, agent_product, ai_signal, review, review_evidence, review_strength, files_changed, locator,
         co_authors, ai_confidence, ai_scope, pr_ref, lines_added, lines_deleted, sensitive_paths, signature, emergency, landed_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  event(e: EvidenceEvent): void {
    this.eventRow(eventRow(e));
  }

  /** An event already in its stored form (src/store/event-row.ts), as parsing workers send them. */
  eventRow(row: EventRow): void {
    this.counts.recordsRead++;
    const info = this.insertEvent.run(this.fileId, row);
    if (info.changes === 0) {
      this.counts.duplicates++;
      // Another file (or line) already reported this agent action: fold both into one row.
      // CloudTrail too: the same eventID in two delivery files (or a delivery file and an export) is
      // one call; joining keeps it stored once and re-homes it if the file holding it is removed.
      const { sourceKind } = rowKey(row);
      if (sourceKind === "agent-log" || sourceKind === "cloudtrail") {
        // Read before the join, which adds this file's location to the stored row.
        const conflict = sourceKind === "cloudtrail" ? this.contentConflict(row) : null;
        this.joins.join(this.fileId, row);
        if (conflict) this.conflicts.push(conflict);
        else this.joined++;
      }
    } else this.counts.accepted++;
  }

  /**
   * Two CloudTrail records with one eventID are one call read twice (two delivery files, a delivery
   * file and an export) unless they disagree on what the call was. Only fields every shape carries
   * are compared, and only where both have them: an export can lack fields a delivery file has.
   */
  private contentConflict(row: EventRow): string | null {
    const { sourceKind, eventKey } = rowKey(row);
    const stored = cachedStatement(
      this.db,
      `SELECT e.time, e.action, e.account, e.region, e.locator, f.path FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.source_kind = ? AND e.event_key = ?`,
    ).get(sourceKind, eventKey) as Record<"time" | "action" | "account" | "region" | "locator" | "path", string | null> | undefined;
    if (!stored) return null;
    const differ = CONFLICT_FIELDS.filter((f) => {
      const mine = row[EVENT_COLUMNS.indexOf(f)];
      return stored[f] != null && mine != null && stored[f] !== mine;
    });
    if (!differ.length) return null;
    const here = row[EVENT_COLUMNS.indexOf("locator")] as string;
    return `eventID ${eventKey} (${differ.join(", ")} differ): kept as read at ${stored.path} ${stored.locator}, not as read at ${this.path} ${here}`;
  }

  agentSettings(s: AgentSettingsRecord): void {
    this.counts.recordsRead++;
    insertAgentSettings(this.db, this.fileId, s);
    this.counts.accepted++;
  }

  commit_(c: CommitRecord): void {
    this.counts.recordsRead++;
    const info = this.insertCommit.run(
      this.fileId, c.repo, c.sha, c.parents.join(" "), c.authorName, c.authorEmail, c.authorTime, c.committerName, c.committerEmail,
      c.committerTime, c.subject, c.body, c.onProduction ? 1 : 0, c.authorKind, c.agentProduct, c.aiSignal, c.review, c.reviewEvidence,
      c.reviewStrength, c.filesChanged, c.locator, c.coAuthors?.length ? JSON.stringify(c.coAuthors) : null, c.aiConfidence ?? null,
      c.aiScope ?? null, c.prRef ?? null, c.linesAdded ?? null, c.linesDeleted ?? null, c.sensitivePaths?.length ? c.sensitivePaths.join("\n") : null,
      c.signature ?? null, c.emergency ?? null, c.landedBy ?? null,
    );
    if (info.changes === 0) this.counts.duplicates++;
    else this.counts.accepted++;
  }

  pullRequest(p: PullRequestRecord): void {
    this.counts.recordsRead++;
    this.insertPr ??= cachedStatement(
      this.db,
      `INSERT OR IGNORE INTO pull_requests (file_id, platform, number, title, author, author_is_bot, merged_by, merged_at, merge_commit, squash_commit,
         head_sha, head_ref, base_ref, review_decision, labels, commit_authors, last_commit_time, truncated, locator)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const info = this.insertPr.run(
      this.fileId, p.platform, p.number, p.title, p.author, p.authorIsBot ? 1 : 0, p.mergedBy, p.mergedAt, p.mergeCommit, p.squashCommit, p.headSha,
      p.headRef, p.baseRef, p.reviewDecision, JSON.stringify(p.labels), JSON.stringify(p.commitAuthors), p.lastCommitTime,
      p.truncated.length ? p.truncated.join(" ") : null, p.locator,
    );
    if (info.changes === 0) this.counts.duplicates++;
    else this.counts.accepted++;
  }

  review(r: ReviewRecord): void {
    this.counts.recordsRead++;
    this.insertReview ??= cachedStatement(
      this.db,
      `INSERT INTO pr_reviews (file_id, platform, number, reviewer, reviewer_is_bot, state, submitted_at, commit_sha, locator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertReview.run(this.fileId, r.platform, r.number, r.reviewer, r.reviewerIsBot ? 1 : 0, r.state, r.submittedAt, r.commitSha, r.locator);
    this.counts.accepted++;
  }

  /** A group of records kept as a count (src/ingest/summarise.ts): each is read and accepted, none is a row. */
  summary(r: SummaryRecord): void {
    this.counts.recordsRead += r.n;
    this.counts.accepted += r.n;
    this.counts.summarised += r.n;
    this.insertSummary ??= cachedStatement(
      this.db,
      `INSERT INTO event_summaries (file_id, source_kind, day, day_start, actor, actor_kind, identity_type, role_arn, action, classes, outcome,
         account, region, environment, event_category, event_type, n, first_time, last_time, locators)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertSummary.run(
      this.fileId, r.sourceKind, r.day, r.dayStart, r.actor, r.actorKind, r.identityType, r.roleArn, r.action, r.classes, r.outcome,
      r.account, r.region, r.environment, r.eventCategory, r.eventType, r.n, r.firstTime, r.lastTime, r.locators,
    );
  }

  /** Records the summariser recognised as repeats of one already counted in this file (same eventID). */
  summarisedDuplicates(n: number): void {
    this.counts.recordsRead += n;
    this.counts.duplicates += n;
  }

  reject(r: RejectRecord): void {
    this.counts.recordsRead++;
    this.counts.rejected++;
    this.insertReject.run(this.fileId, r.locator, r.reason, r.excerpt ?? null);
    if (r.incomplete) this.incomplete(r.incomplete);
  }

  /** Marks the file's population incomplete: reading stopped early. The first reason stands. */
  incomplete(reason: string): void {
    this.counts.incomplete ??= reason;
  }

  note(text: string): void {
    this.counts.notes.push(text);
  }

  commit(): FileCounts {
    const c = this.counts;
    if (this.joined) c.notes.push(`${this.joined} record${this.joined === 1 ? "" : "s"} joined with the same agent action reported elsewhere (counted as duplicates)`);
    if (this.conflicts.length) {
      const n = this.conflicts.length;
      const listed = this.conflicts.slice(0, MAX_LISTED_CONFLICTS).join("; ");
      c.notes.push(`${n} record${n === 1 ? "" : "s"} with a duplicate eventID but different content, kept once (counted as duplicates): ${listed}${n > MAX_LISTED_CONFLICTS ? `; and ${n - MAX_LISTED_CONFLICTS} more` : ""}`);
    }
    cachedStatement(
      this.db,
      "UPDATE source_files SET records_read = ?, accepted = ?, summarised = ?, duplicates = ?, rejected = ?, redacted = ?, notes = ?, incomplete = ? WHERE id = ?",
    ).run(c.recordsRead, c.accepted, c.summarised, c.duplicates, c.rejected, c.redacted, c.notes.length ? JSON.stringify(c.notes) : null, c.incomplete, this.fileId);
    this.db.exec(this.nested ? "RELEASE file_writer" : "COMMIT");
    this.open = false;
    return c;
  }

  rollback(): void {
    if (this.open && this.db.inTransaction) this.db.exec(this.nested ? "ROLLBACK TO file_writer; RELEASE file_writer" : "ROLLBACK");
    this.open = false;
  }
}
