import type Database from "better-sqlite3";
import type { EvidenceEvent } from "../event.ts";
import { mergeObservations, type Observation } from "./merge.ts";
import { cachedStatement } from "./statements.ts";
import { EVENT_COLUMNS, eventRow, rowKey, type EventRow } from "./event-row.ts";

/**
 * Keeps the `events` row of a tool call that several files report equal to the merge of their
 * observations (src/store/merge.ts), inside the caller's transaction.
 *
 * Invariant: a key with no `observations` rows has exactly one contributor, whose record is the
 * `events` row itself (the fast path: one INSERT per event). The first time a second record of the
 * key arrives, the existing row is copied into `observations` next to the new one and from then on
 * the `events` row is derived from them. Deleting a file (re-ingest or vanished input) removes its
 * observations and recomputes every key it shared, so a file's contribution is replaced exactly.
 */
const COLUMN_LIST = EVENT_COLUMNS.join(", ");
const PLACEHOLDERS = EVENT_COLUMNS.map(() => "?").join(", ");

interface StoredEvent {
  id: number;
  file_id: number;
  path: string;
  source_kind: string;
  event_key: string;
  time: string;
  actor: string | null;
  actor_kind: string;
  agent_id: string | null;
  agent_product: string | null;
  session_id: string | null;
  action: string;
  classes: string;
  target: string | null;
  environment: string;
  outcome: string;
  approval: string;
  approval_evidence: string | null;
  command: string | null;
  account: string | null;
  region: string | null;
  locator: string;
  attrs: string;
}

export function rowToEvent(r: StoredEvent): EvidenceEvent {
  return {
    sourceKind: r.source_kind as EvidenceEvent["sourceKind"],
    eventKey: r.event_key,
    time: r.time,
    actor: r.actor,
    actorKind: r.actor_kind as EvidenceEvent["actorKind"],
    agentId: r.agent_id,
    agentProduct: r.agent_product,
    sessionId: r.session_id,
    action: r.action,
    classes: r.classes ? r.classes.split(" ") : [],
    target: r.target,
    environment: r.environment as EvidenceEvent["environment"],
    outcome: r.outcome as EvidenceEvent["outcome"],
    approval: r.approval as EvidenceEvent["approval"],
    approvalEvidence: r.approval_evidence,
    command: r.command,
    account: r.account,
    region: r.region,
    locator: r.locator,
    attrs: JSON.parse(r.attrs) as Record<string, unknown>,
  };
}

export class ObservationIndex {
  private readonly stmts: Record<"hasObs" | "copyRow" | "insertObs" | "keyObs" | "upsert" | "deleteEvent" | "fileId" | "deleteFile" | "markFile", Database.Statement>;

  constructor(private readonly db: Database.Database) {
    // Each time, not once per connection: made inside a file's transaction, a rollback undoes it.
    db.exec("CREATE TEMP TABLE IF NOT EXISTS affected_keys (source_kind TEXT NOT NULL, event_key TEXT NOT NULL, PRIMARY KEY (source_kind, event_key))");
    const prepare = (sql: string) => cachedStatement(db, sql);
    this.stmts = {
      hasObs: prepare("SELECT 1 FROM observations WHERE source_kind = ? AND event_key = ? LIMIT 1"),
      copyRow: prepare(`INSERT INTO observations (file_id, ${COLUMN_LIST}) SELECT file_id, ${COLUMN_LIST} FROM events WHERE source_kind = ? AND event_key = ?`),
      insertObs: prepare(`INSERT INTO observations (file_id, ${COLUMN_LIST}) VALUES (?, ${PLACEHOLDERS})`),
      keyObs: prepare(
        `SELECT o.*, f.path FROM observations o JOIN source_files f ON f.id = o.file_id WHERE o.source_kind = ? AND o.event_key = ? ORDER BY o.id`,
      ),
      upsert: prepare(
        `INSERT INTO events (file_id, ${COLUMN_LIST}) VALUES (?, ${PLACEHOLDERS})
         ON CONFLICT (source_kind, event_key) DO UPDATE SET file_id = excluded.file_id, ${EVENT_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}`,
      ),
      deleteEvent: prepare("DELETE FROM events WHERE source_kind = ? AND event_key = ?"),
      fileId: prepare("SELECT id FROM source_files WHERE source = ? AND path = ?"),
      deleteFile: prepare("DELETE FROM source_files WHERE id = ?"),
      markFile: prepare("INSERT OR IGNORE INTO affected_keys SELECT DISTINCT source_kind, event_key FROM observations WHERE file_id = ?"),
    };
  }

  /** Records a second (or later) report of a key already in `events` (a row, src/store/event-row.ts) and re-derives the row. */
  join(fileId: number, row: EventRow): void {
    const { sourceKind, eventKey } = rowKey(row);
    if (!this.stmts.hasObs.get(sourceKind, eventKey)) this.stmts.copyRow.run(sourceKind, eventKey);
    this.stmts.insertObs.run(fileId, row);
    this.recompute(sourceKind, eventKey);
  }

  /**
   * Deletes a source file with everything it contributed (rows cascade), then recomputes the keys
   * it shared with other files from their remaining observations. Run inside a transaction.
   */
  deleteFile(source: string, relPath: string): void {
    const row = this.stmts.fileId.get(source, relPath) as { id: number } | undefined;
    if (!row) return;
    this.db.exec("DELETE FROM affected_keys");
    this.stmts.markFile.run(row.id);
    this.stmts.deleteFile.run(row.id);
    // Paged by rowid: better-sqlite3 cannot write while an iterator is open on the same connection.
    const page = cachedStatement(this.db, "SELECT rowid, source_kind, event_key FROM affected_keys WHERE rowid > ? ORDER BY rowid LIMIT 500");
    let last = 0;
    for (;;) {
      const keys = page.all(last) as { rowid: number; source_kind: string; event_key: string }[];
      if (keys.length === 0) break;
      for (const k of keys) this.recompute(k.source_kind, k.event_key);
      last = keys[keys.length - 1]!.rowid;
    }
    this.db.exec("DELETE FROM affected_keys");
  }

  private recompute(sourceKind: string, eventKey: string): void {
    const rows = this.stmts.keyObs.all(sourceKind, eventKey) as StoredEvent[];
    if (rows.length === 0) {
      this.stmts.deleteEvent.run(sourceKind, eventKey);
      return;
    }
    const observations: Observation[] = rows.map((r) => ({ event: rowToEvent(r), fileId: r.file_id, path: r.path }));
    const { event, fileId } = mergeObservations(observations);
    this.stmts.upsert.run(fileId, eventRow(event));
  }
}
