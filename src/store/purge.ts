import type { Db } from "./index.ts";
import purgeTables from "./purge-tables.json" with { type: "json" };

/**
 * Retention: deletes raw records older than a cutoff while keeping what past builds concluded
 * (the `builds` table) and the provenance of every file (`source_files`, with the cutoff noted on
 * the files it touched). Rejects hold excerpts of raw lines, so those of files left without any
 * record go too. So do the messages of findings in builds whose period began before the cutoff:
 * a message quotes the records it is about (a command, a commit subject), which is raw content; the
 * finding's id, rule, severity, controls and state stay, so period comparisons still work.
 * Afterwards the file is rewritten (VACUUM) and the WAL truncated: SQLite otherwise keeps deleted
 * rows in free pages, where they can still be read.
 */
export interface PurgeResult {
  before: string;
  /** Rows deleted (or, in a dry run, that would be) per table. */
  removed: Record<string, number>;
  /** Source files that lost rows. */
  files: number;
  /** Findings stored by builds whose message and subject were removed (period before the cutoff) or redacted. */
  scrubbedFindings: number;
  dryRun: boolean;
}

interface TableSpec {
  table: string;
  time: string;
}

const TABLES: readonly TableSpec[] = purgeTables.tables;
const NAME = /^[a-z_]+$/;

/** Tables with a `file_id` column: what a source file's records are spread over. */
function fileTables(db: Db): string[] {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
  return tables
    .map((t) => t.name)
    .filter((name) => NAME.test(name) && (db.prepare(`SELECT name FROM pragma_table_info('${name}')`).all() as { name: string }[]).some((c) => c.name === "file_id"));
}

/** What a purged finding's message reads. */
export const PURGED_MESSAGE = "(message removed by purge: it quoted records older than the cutoff)";

interface StoredFindingText {
  message?: string;
  subject?: string;
}

/**
 * Findings of builds whose period began before `before` lose their message and subject; in the
 * others, `redact` (the current secret patterns) is applied to both, so a secret pattern added
 * since a build also reaches what it stored. Returns how many findings were changed.
 */
function scrubBuilds(db: Db, before: string, redact: ((text: string) => string) | undefined): number {
  let changed = 0;
  const update = db.prepare("UPDATE builds SET results = ? WHERE id = ?");
  for (const b of db.prepare("SELECT id, period_start, results FROM builds ORDER BY id").all() as { id: number; period_start: string; results: string }[]) {
    const results = JSON.parse(b.results) as { findings?: StoredFindingText[] };
    let dirty = false;
    for (const f of results.findings ?? []) {
      const old = JSON.stringify([f.message, f.subject]);
      if (b.period_start < before) {
        if (f.message !== undefined) f.message = PURGED_MESSAGE;
        delete f.subject;
      } else if (redact) {
        if (typeof f.message === "string") f.message = redact(f.message);
        if (typeof f.subject === "string") f.subject = redact(f.subject);
      }
      if (JSON.stringify([f.message, f.subject]) !== old) {
        changed++;
        dirty = true;
      }
    }
    if (dirty) update.run(JSON.stringify(results), b.id);
  }
  return changed;
}

export function purgeBefore(db: Db, before: string, options: { now: Date; dryRun: boolean; redact?: (text: string) => string }): PurgeResult {
  const removed: Record<string, number> = {};
  const touched = new Set<number>();
  let scrubbed = 0;
  const withFile = new Set(fileTables(db));
  const run = db.transaction(() => {
    for (const { table, time } of TABLES) {
      if (!NAME.test(table) || !NAME.test(time)) throw new Error(`purge-tables.json: bad name ${table}.${time}`);
      if (withFile.has(table)) {
        for (const r of db.prepare(`SELECT DISTINCT file_id AS id FROM ${table} WHERE ${time} < ?`).all(before) as { id: number }[]) touched.add(r.id);
      }
      removed[table] = db.prepare(`DELETE FROM ${table} WHERE ${time} < ?`).run(before).changes;
    }
    // Files left with no record at all: their rejects (raw excerpts) go as well.
    const others = [...withFile].filter((t) => t !== "rejects");
    const emptied = [...touched].filter((id) => others.every((t) => !db.prepare(`SELECT 1 FROM ${t} WHERE file_id = ? LIMIT 1`).get(id)));
    const dropRejects = db.prepare("DELETE FROM rejects WHERE file_id = ?");
    removed.rejects = emptied.reduce((n, id) => n + dropRejects.run(id).changes, 0);
    scrubbed = scrubBuilds(db, before, options.redact);
    const mark = db.prepare("UPDATE source_files SET purged_before = max(coalesce(purged_before, ''), ?) WHERE id = ?");
    for (const id of touched) mark.run(before, id);
    db.prepare("INSERT INTO purges (purged_at, before, removed) VALUES (?, ?, ?)").run(options.now.toISOString(), before, JSON.stringify(removed));
    if (options.dryRun) throw new DryRun();
  });
  try {
    run();
  } catch (error) {
    if (!(error instanceof DryRun)) throw error;
  }
  if (!options.dryRun) {
    db.exec("VACUUM");
    db.pragma("wal_checkpoint(TRUNCATE)");
  }
  return { before, removed, files: touched.size, scrubbedFindings: scrubbed, dryRun: options.dryRun };
}

/** Thrown inside the transaction to roll a dry run back after counting. */
class DryRun extends Error {}
