import type { Db } from "../../store/index.ts";

/**
 * The reconciliation the report prints (README, "What the store keeps"): per source, every record read is stored as a row,
 * summarised into a count, a duplicate of one already stored, or rejected, and nothing else. The
 * counters come from each file's provenance; two are checked against the store itself: the
 * summarised records against the counts in `event_summaries`, the rejects against `rejects`.
 */
export interface ReconciliationRow {
  source: string;
  files: number;
  read: number;
  stored: number;
  summarised: number;
  duplicates: number;
  rejected: number;
  /** Counts held in event_summaries and rows in rejects for the source's files. */
  summarisedInStore: number;
  rejectsInStore: number;
  /** Files thinned by `evidence purge`: their counters predate the purge, so they are left out. */
  purgedFiles: number;
  /** Files of the source whose read stopped early (source_files.incomplete): the counts add up over what was read, not over the whole file. */
  incompleteFiles: number;
}

export function collectReconciliation(db: Db): ReconciliationRow[] {
  const purged = new Map(
    (db.prepare("SELECT source, count(*) AS n FROM source_files WHERE purged_before IS NOT NULL GROUP BY source").all() as { source: string; n: number }[]).map((r) => [r.source, r.n]),
  );
  const rows = db
    .prepare(
      `SELECT f.source, count(*) AS files, sum(f.records_read) AS read, sum(f.accepted - f.summarised) AS stored, sum(f.summarised) AS summarised,
         sum(f.duplicates) AS duplicates, sum(f.rejected) AS rejected,
         coalesce(sum((SELECT sum(s.n) FROM event_summaries s WHERE s.file_id = f.id)), 0) AS summarisedInStore,
         coalesce(sum((SELECT count(*) FROM rejects r WHERE r.file_id = f.id)), 0) AS rejectsInStore
       FROM source_files f WHERE f.purged_before IS NULL GROUP BY f.source ORDER BY f.source`,
    )
    .all() as Omit<ReconciliationRow, "purgedFiles">[];
  const incomplete = new Map(
    (db.prepare("SELECT source, count(*) AS n FROM source_files WHERE incomplete IS NOT NULL GROUP BY source").all() as { source: string; n: number }[]).map((r) => [r.source, r.n]),
  );
  return rows.map((r) => ({ ...r, purgedFiles: purged.get(r.source) ?? 0, incompleteFiles: incomplete.get(r.source) ?? 0 }));
}

/** Whether a source's numbers add up exactly (and how far off they are when not). */
export function reconciliationGap(r: ReconciliationRow): number {
  return Math.abs(r.read - (r.stored + r.summarised + r.duplicates + r.rejected)) + Math.abs(r.summarised - r.summarisedInStore) + Math.abs(r.rejected - r.rejectsInStore);
}
