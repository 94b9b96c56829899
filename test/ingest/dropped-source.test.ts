import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import { describeIngest } from "../../src/commands/ingest.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore, type Db } from "../../src/store/index.ts";
import { tempDir } from "../helpers/workspace.ts";

/**
 * The config is what the evidence is made of: a source taken out of it, or disabled, stops
 * counting. Its files leave the store on the next full ingest (and so the next build), reported,
 * while `--source` (a partial ingest) leaves sources it was not asked about alone.
 */
const FIXTURES = path.join(import.meta.dirname, "..", "fixtures");

function workspace(): string {
  const ws = tempDir();
  for (const [dir, file] of [["cursor", "cursor-hooks/session.jsonl"], ["generic", "generic-agent-log/run.jsonl"]] as const) {
    mkdirSync(path.join(ws, dir));
    copyFileSync(path.join(FIXTURES, file), path.join(ws, dir, path.basename(file)));
  }
  return ws;
}

const SOURCES = {
  cursor: `  - { name: cursor, kind: cursor-hooks, paths: ["cursor/*.jsonl"] }`,
  generic: `  - { name: generic, kind: generic-agent-log, paths: ["generic/*.jsonl"] }`,
  genericOff: `  - { name: generic, kind: generic-agent-log, paths: ["generic/*.jsonl"], enabled: false }`,
};

function ingest(db: Db, ws: string, sources: string[], only?: string[]) {
  const yaml = `organisation: { name: T }\nsources:\n${sources.join("\n")}\n`;
  const loaded: LoadedConfig = { config: parseConfigText(yaml, "t.yaml"), file: path.join(ws, "t.yaml"), root: ws, sha256: "0" };
  return ingestSources(db, loaded, { cacheDir: path.join(ws, ".cache"), now: new Date(), progress: createProgress({ quiet: true }), only });
}

const stored = (db: Db) =>
  Object.fromEntries(
    (db.prepare("SELECT f.source, COUNT(e.id) AS n FROM source_files f LEFT JOIN events e ON e.file_id = f.id GROUP BY f.source ORDER BY f.source").all() as { source: string; n: number }[]).map(
      (r) => [r.source, r.n],
    ),
  );

test("a source removed from the config leaves the store with its records, and the ingest says so", async () => {
  const ws = workspace();
  const db = openStore(path.join(ws, "evidence.db"));
  await ingest(db, ws, [SOURCES.cursor, SOURCES.generic]);
  const before = stored(db);
  assert.ok(before.cursor! > 0 && before.generic! > 0, JSON.stringify(before));

  const summary = await ingest(db, ws, [SOURCES.cursor]);
  assert.deepEqual(stored(db), { cursor: before.cursor });
  assert.deepEqual(summary.droppedSources, [{ source: "generic", files: 1, reason: "not in the config" }]);
  assert.equal(summary.removed, 1);
  assert.match(describeIngest(summary), /removed source "generic" \(not in the config\): 1 file and their records are no longer evidence/);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM events WHERE file_id NOT IN (SELECT id FROM source_files)").get() as { n: number }).n, 0, "no orphan rows");

  // Nothing left to drop: the next run reports nothing.
  assert.deepEqual((await ingest(db, ws, [SOURCES.cursor])).droppedSources, []);
});

test("a disabled source is dropped on a full ingest; a partial ingest (--source) leaves other sources alone", async () => {
  const ws = workspace();
  const db = openStore(path.join(ws, "evidence.db"));
  await ingest(db, ws, [SOURCES.cursor, SOURCES.generic]);
  const before = stored(db);

  const partial = await ingest(db, ws, [SOURCES.cursor, SOURCES.genericOff], ["cursor"]);
  assert.deepEqual(partial.droppedSources, []);
  assert.deepEqual(stored(db), before, "only what --source named was touched");

  const full = await ingest(db, ws, [SOURCES.cursor, SOURCES.genericOff]);
  assert.deepEqual(full.droppedSources, [{ source: "generic", files: 1, reason: "disabled" }]);
  assert.deepEqual(stored(db), { cursor: before.cursor });

  // Enabled again, it is read again.
  await ingest(db, ws, [SOURCES.cursor, SOURCES.generic]);
  assert.deepEqual(stored(db), before);
});
