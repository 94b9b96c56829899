import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore } from "../../src/store/index.ts";
import { tempDir } from "./workspace.ts";

/** CloudTrail files through the real ingest (parser, redaction, SQLite store in a temp folder removed after the test). */
export interface Ingested {
  row: { id: number; records_read: number; accepted: number; duplicates: number; rejected: number; notes: string | null };
  rejects: { locator: string; reason: string }[];
  status: string;
  error?: string;
  notes: string[];
  /** Files the ingest listed as skipped. */
  skipped: number;
  events: { locator: string; event_key: string }[];
}

/** Writes `files` under a fresh workspace's `ct/`, ingests them as one CloudTrail source, and reports on `name`; the folder is removed after. */
export async function ingestCloudTrail(t: { after(fn: () => void): void }, files: Record<string, string | Buffer>, name: string): Promise<Ingested> {
  const root = tempDir("evidence-ctinput-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [file, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, "ct", file)), { recursive: true });
    writeFileSync(path.join(root, "ct", file), bytes);
  }
  const yaml = `organisation: { name: Test Co }\nsources:\n  - { name: trail, kind: cloudtrail, paths: ["ct/**"] }\nstorage: { cloudtrail: { mode: full } }\n`;
  const loaded: LoadedConfig = { config: parseConfigText(yaml, "t.yaml"), file: path.join(root, "t.yaml"), root, sha256: "0".repeat(64) };
  const db = openStore(path.join(root, ".evidence", "evidence.db"));
  try {
    const summary = await ingestSources(db, loaded, { cacheDir: path.join(root, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }) });
    const result = summary.files.find((f) => f.path === `ct/${name}`)!;
    const row = db.prepare("SELECT id, records_read, accepted, duplicates, rejected, notes FROM source_files WHERE path = ?").get(`ct/${name}`) as Ingested["row"];
    const rejects = db.prepare("SELECT locator, reason FROM rejects WHERE file_id = ? ORDER BY id").all(row.id) as Ingested["rejects"];
    const events = db.prepare("SELECT locator, event_key FROM events WHERE file_id = ? ORDER BY id").all(row.id) as Ingested["events"];
    return { row, rejects, status: result.status, error: result.error, notes: result.notes, skipped: summary.skipped, events };
  } finally {
    db.close();
  }
}

export function assertReconciles(r: Ingested): void {
  assert.equal(r.row.records_read, r.row.accepted + r.row.duplicates + r.row.rejected, "records read = accepted + duplicates + rejected");
  assert.equal(r.rejects.length, r.row.rejected, "every reject is stored");
}

