import { createHash } from "node:crypto";
import type { Db } from "../../src/store/index.ts";

/**
 * What two ingests of the same inputs must agree on, table by table: events, counts, files (identity,
 * parser, record counts, redactions and notes) and rejects. Tests comparing two paths through ingest
 * (fast and full CloudTrail counts, worker and main-thread parsing) hash the same tables.
 */
const TABLES: Record<string, string> = {
  source_files: "SELECT id, source, path, kind, sha256, size, parser, parser_version, context_hash, records_read, accepted, duplicates, rejected, redacted, summarised, notes FROM source_files ORDER BY id",
  events: "SELECT * FROM events ORDER BY id",
  event_summaries: "SELECT * FROM event_summaries ORDER BY id",
  rejects: "SELECT * FROM rejects ORDER BY id",
};

export type StoreDigest = Record<string, { rows: number; sha256: string }>;

export function storeDigest(db: Db): StoreDigest {
  const out: StoreDigest = {};
  for (const [table, sql] of Object.entries(TABLES)) {
    const rows = db.prepare(sql).all();
    out[table] = { rows: rows.length, sha256: createHash("sha256").update(JSON.stringify(rows)).digest("hex") };
  }
  return out;
}
