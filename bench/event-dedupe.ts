/**
 * What the single writer pays per stored CloudTrail row, index by index, measured apart from
 * parsing: the bench trail's rows (as the parsing worker posts them) are inserted, each delivery
 * file a savepoint and ten files a commit as the ingest does, into a fresh store per round:
 *
 * - A: the `events` table as it is (UNIQUE on (source_kind, event_key), (source_kind, time), file_id);
 * - N: the same columns with no index at all (a bound, not a candidate);
 * - L: as N, binding 10 of the 21 columns (a bound on "fewer bound parameters");
 * - U, T, F: as N with only the UNIQUE (source_kind, event_key), only (source_kind, time), only file_id;
 * - H: as N with a non-unique index on an integer hash of the eventID;
 * - S: as H, plus a lookup of the hash and the text before each insert (eventID dedupe without the UNIQUE index);
 * - B: today's indexes with the UNIQUE swapped for H's, deduplicated by INSERT ... WHERE NOT EXISTS.
 *
 * Alternating rounds (the order reversed every other round), CPU microseconds per row (steadier
 * than wall time on a shared machine).
 *
 * Run: node --import tsx bench/event-dedupe.ts [events] [rounds] [copies] [variants]   (default 200,000,
 * 3, 1 and A,S; copies > 1 inserts the trail that many times under fresh eventIDs, for a month's number
 * of rows)
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type Database from "better-sqlite3";
import { loadConfig } from "../src/config.ts";
import { createTaskEnv, runFileTask } from "../src/ingest/file-task.ts";
import { FILE_PARSERS } from "../src/ingest/registry.ts";
import { EVENT_COLUMNS, type EventRow } from "../src/store/event-row.ts";
import { openStore } from "../src/store/index.ts";
import { ensureTrailFixture } from "./cloudtrail-fixture.ts";

/** FNV-1a twice (two offset bases) folded into 52 bits: an exact integer in a double. */
function keyHash(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193);
  }
  return (b >>> 12) * 0x100000000 + (a >>> 0);
}

async function rowsOf(size: number): Promise<EventRow[][]> {
  const { dir, files } = ensureTrailFixture(tmpdir(), size);
  const config = path.join(dir, "evidence.pipeline.config.yaml");
  writeFileSync(config, 'organisation: { name: Bench }\nsources:\n  - { name: trail, kind: cloudtrail, paths: ["AWSLogs/**/*.json.gz"] }\nagents:\n  - { id: agent, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }\nenvironments: { production: { awsAccounts: ["111122223333"] } }\n');
  const env = createTaskEnv(loadConfig(config).config, FILE_PARSERS);
  const out: EventRow[][] = [];
  for (const rel of files) {
    const rows: EventRow[] = [];
    for await (const m of runFileTask({ source: "trail", kind: "cloudtrail", root: dir, file: path.join(dir, rel), reuseSha: null }, env)) {
      if (m.type === "items") for (const item of m.items) if (item.kind === "event-row") rows.push(item.row);
    }
    out.push(rows);
  }
  return out;
}

/** Files per commit: the ingest commits a quarter second of files at a time (src/ingest/index.ts), about ten delivery files here. */
const FILES_PER_COMMIT = 10;
const COLS = EVENT_COLUMNS.join(", ");
const QS = EVENT_COLUMNS.map(() => "?").join(", ");
const LEAN = ["source_kind", "event_key", "time", "actor", "actor_kind", "action", "classes", "outcome", "account", "attrs"] as const;
const VARIANTS = ["A", "N", "L", "U", "T", "F", "H", "S", "B"] as const;
type Variant = (typeof VARIANTS)[number];

const BARE = `DROP VIEW agent_actions; DROP VIEW session_modes; DROP VIEW cloudtrail_activity;
  CREATE TABLE events2 AS SELECT * FROM events WHERE 0; DROP TABLE events; ALTER TABLE events2 RENAME TO events;`;
const SCHEMA: Record<Variant, string> = {
  A: "",
  N: BARE,
  L: BARE,
  U: BARE + "CREATE UNIQUE INDEX events_key ON events(source_kind, event_key);",
  T: BARE + "CREATE INDEX events_kind_time ON events(source_kind, time);",
  F: BARE + "CREATE INDEX events_file ON events(file_id);",
  H: BARE + "ALTER TABLE events ADD COLUMN key_hash INTEGER; CREATE INDEX events_hash ON events(key_hash);",
  S: BARE + "ALTER TABLE events ADD COLUMN key_hash INTEGER; CREATE INDEX events_hash ON events(key_hash);",
  B: `${BARE} ALTER TABLE events ADD COLUMN key_hash INTEGER;
    CREATE UNIQUE INDEX events_key ON events(source_kind, event_key) WHERE source_kind <> 'cloudtrail';
    CREATE INDEX events_cloudtrail_key ON events(key_hash) WHERE source_kind = 'cloudtrail';
    CREATE INDEX events_kind_time ON events(source_kind, time); CREATE INDEX events_file ON events(file_id);
    CREATE INDEX events_agent_session ON events(session_id, time) WHERE source_kind = 'agent-log';`,
};

/** Inserts one row; false when it was a duplicate. */
function inserter(db: Database.Database, variant: Variant): (fileId: number, row: EventRow) => boolean {
  if (variant === "L") {
    const insert = db.prepare(`INSERT INTO events (file_id, ${LEAN.join(", ")}, destructive, environment, approval, locator) VALUES (?, ${LEAN.map(() => "?").join(", ")}, 0, '', '', '')`);
    const at = LEAN.map((c) => EVENT_COLUMNS.indexOf(c));
    return (fileId, row) => insert.run(fileId, at.map((i) => row[i])).changes > 0;
  }
  if (variant === "H" || variant === "S") {
    const insert = db.prepare(`INSERT INTO events (file_id, ${COLS}, key_hash) VALUES (?, ${QS}, ?)`);
    const probe = db.prepare("SELECT 1 FROM events WHERE key_hash = ? AND event_key = ?").pluck();
    return (fileId, row) => {
      const h = keyHash(row[1] as string);
      if (variant === "S" && probe.get(h, row[1])) return false;
      return insert.run(fileId, row, h).changes > 0;
    };
  }
  if (variant === "B") {
    const insert = db.prepare(
      `INSERT INTO events (file_id, ${COLS}, key_hash) SELECT ?, ${QS}, ?
       WHERE NOT EXISTS (SELECT 1 FROM events WHERE source_kind = 'cloudtrail' AND key_hash = ? AND event_key = ?)`,
    );
    return (fileId, row) => {
      const h = keyHash(row[1] as string);
      return insert.run(fileId, row, h, h, row[1]).changes > 0;
    };
  }
  const insert = db.prepare(`INSERT OR IGNORE INTO events (file_id, ${COLS}) VALUES (?, ${QS})`);
  return (fileId, row) => insert.run(fileId, row).changes > 0;
}

function round(files: EventRow[][], variant: Variant): number {
  const work = mkdtempSync(path.join(tmpdir(), "evidence-dedupe-"));
  try {
    const db = openStore(path.join(work, "evidence.db"));
    db.exec(SCHEMA[variant]);
    const file = db.prepare(
      "INSERT INTO source_files (source, path, kind, sha256, size, parser, parser_version, context_hash, ingested_at) VALUES ('t', ?, 'cloudtrail', 'x', 0, 'p', '1', 'c', 'now')",
    );
    const insert = inserter(db, variant);
    let rows = 0;
    let duplicates = 0;
    const cpu = process.cpuUsage();
    files.forEach((fileRows, i) => {
      if (i % FILES_PER_COMMIT === 0) {
        if (db.inTransaction) db.exec("COMMIT");
        db.exec("BEGIN");
      }
      db.transaction(() => {
        const id = Number(file.run(`f${i}`).lastInsertRowid);
        for (const row of fileRows) {
          rows++;
          if (!insert(id, row)) duplicates++;
        }
      })();
    });
    if (db.inTransaction) db.exec("COMMIT");
    db.pragma("wal_checkpoint(TRUNCATE)");
    const used = process.cpuUsage(cpu);
    db.close();
    if (duplicates) throw new Error(`${duplicates} duplicates in the bench trail`);
    return (used.user + used.system) / rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface EventDedupeResult {
  rows: number;
  files: number;
  /** CPU microseconds per row, per variant, in the order the rounds ran. */
  cpuUs: Partial<Record<Variant, number[]>>;
}

export async function run(size = 200_000, rounds = 3, copies = 1, order: Variant[] = ["A", "S"]): Promise<EventDedupeResult> {
  const unknown = order.filter((v) => !VARIANTS.includes(v));
  if (unknown.length) throw new Error(`unknown variant ${unknown.join(", ")}: one of ${VARIANTS.join(", ")}`);
  const base = await rowsOf(size);
  // Copies of the trail under fresh eventIDs: a month's number of stored rows without generating a month.
  const files: EventRow[][] = [];
  for (let c = 0; c < copies; c++) for (const f of base) files.push(c === 0 ? f : f.map((row) => row.map((v, i) => (i === 1 ? randomUUID() : v))));
  const cpuUs: EventDedupeResult["cpuUs"] = {};
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 ? [...order].reverse() : order) (cpuUs[v] ??= []).push(round(files, v));
  }
  return { rows: files.reduce((n, f) => n + f.length, 0), files: files.length, cpuUs };
}

export function report(r: EventDedupeResult): string {
  const lines = Object.entries(r.cpuUs).map(([v, us]) => `${v}: ${us.map((x) => x.toFixed(2)).join(", ")} us CPU per row`);
  return [`${r.rows} rows in ${r.files} files`, ...lines].join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [size, rounds, copies] = [2, 3, 4].map((i) => (process.argv[i] ? Number(process.argv[i]) : undefined));
  console.log(report(await run(size, rounds, copies, process.argv[5]?.split(",") as Variant[] | undefined)));
}
