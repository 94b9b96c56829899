import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { fixtureRecords } from "../../bench/cloudtrail-fixture.ts";
import { loadConfig } from "../../src/config.ts";
import { ingestSources, type IngestOptions } from "../../src/ingest/index.ts";
import { expandLocators } from "../../src/ingest/summary/summarise.ts";
import { openStore, type Db } from "../../src/store/index.ts";
import { collectReconciliation, reconciliationGap } from "../../src/report/collect/reconciliation.ts";
import { tempDir } from "../helpers/workspace.ts";

const quiet = { info() {}, update() {}, done() {} } as unknown as IngestOptions["progress"];
const START = Date.UTC(2026, 9, 14);

/** A trail folder: three delivery files, one holding a repeated record and a record with no eventTime. */
function trail(mode: "summarise" | "full" = "summarise"): string {
  const root = tempDir("evidence-scale-");
  const dir = path.join(root, "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/14");
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 3; f++) {
    const records = fixtureRecords(f + 1, 400, START + f * 3_600_000, { account: "111122223333", region: "eu-west-1" }, 3_600_000) as Record<string, unknown>[];
    if (f === 1) records.push({ ...records[10]! }, { ...records[11]!, eventTime: undefined });
    writeFileSync(path.join(dir, `111122223333_CloudTrail_eu-west-1_20261014T0${f}00Z_${f}.json.gz`), gzipSync(JSON.stringify({ Records: records })));
  }
  writeFileSync(
    path.join(root, "evidence.config.yaml"),
    `organisation: { name: Scale }
sources:
  - { name: trail, kind: cloudtrail, paths: ["AWSLogs/**/*.json.gz"] }
agents:
  - { id: agent, product: kiro, match: { awsRoles: ["*:role/ai-agent-operator"] } }
environments: { production: { awsAccounts: ["111122223333"] } }
storage: { cloudtrail: { mode: ${mode} } }
`,
  );
  return root;
}

async function ingest(root: string, options: Partial<IngestOptions> = {}, db: Db = openStore(path.join(root, "evidence.db"))) {
  const summary = await ingestSources(db, loadConfig(path.join(root, "evidence.config.yaml")), { cacheDir: path.join(root, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: quiet, workers: 0, ...options });
  return { db, summary };
}

test("records read = stored + summarised + duplicates + rejected, per file and exactly; summaries point back at their records", async () => {
  const { db } = await ingest(trail());
  const files = db.prepare("SELECT id, path, records_read, accepted, summarised, duplicates, rejected FROM source_files ORDER BY path").all() as Record<string, number>[];
  assert.equal(files.length, 3);
  for (const f of files) {
    const stored = db.prepare("SELECT count(*) AS n FROM events WHERE file_id = ?").get(f.id) as { n: number };
    const summarised = db.prepare("SELECT coalesce(sum(n), 0) AS n FROM event_summaries WHERE file_id = ?").get(f.id) as { n: number };
    const rejects = db.prepare("SELECT count(*) AS n FROM rejects WHERE file_id = ?").get(f.id) as { n: number };
    assert.equal(summarised.n, f.summarised);
    assert.equal(rejects.n, f.rejected);
    assert.equal(f.records_read, stored.n + f.summarised! + f.duplicates! + f.rejected!, `${f.path}`);
    assert.equal(f.accepted, stored.n + f.summarised!);
    assert.ok(f.summarised! > 200 && stored.n > 50, `${f.path}: ${stored.n} stored, ${f.summarised} summarised`);
  }
  assert.deepEqual(files.map((f) => [f.records_read, f.duplicates, f.rejected]), [[400, 0, 0], [402, 1, 1], [400, 0, 0]]);
  // The report's reconciliation: per source, exactly, and checked against the store.
  const [rec] = collectReconciliation(db);
  assert.equal(rec!.read, 1202);
  assert.equal(rec!.stored + rec!.summarised + rec!.duplicates + rec!.rejected, 1202);
  assert.equal(reconciliationGap(rec!), 0);
  db.prepare("DELETE FROM event_summaries WHERE id = (SELECT max(id) FROM event_summaries)").run();
  assert.ok(reconciliationGap(collectReconciliation(db)[0]!) > 0, "a lost count shows");
  // Every summarised record number appears once, next to the stored ones and the reject: nothing is lost or doubled.
  const f0 = files[0]!;
  const numbers = [
    ...(db.prepare("SELECT locators FROM event_summaries WHERE file_id = ?").all(f0.id) as { locators: string }[]).flatMap((r) => expandLocators(r.locators)),
    ...(db.prepare("SELECT locator FROM events WHERE file_id = ?").all(f0.id) as { locator: string }[]).map((r) => r.locator),
  ].sort();
  assert.deepEqual(numbers, Array.from({ length: 400 }, (_, i) => `record ${i}`).sort());
});

test("summarised and full stores give the same populations: all calls, used actions per principal, coverage, agent calls", async () => {
  const q = (db: Db) => ({
    all: db.prepare("SELECT sum(n) AS n FROM cloudtrail_activity").get(),
    used: db.prepare("SELECT role_arn, action, outcome, sum(n) AS n, max(last_time) AS last FROM cloudtrail_activity GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").all(),
    coverage: db.prepare("SELECT account, region, event_category, sum(n) AS n FROM cloudtrail_activity GROUP BY 1, 2, 3 ORDER BY 1, 2, 3").all(),
    agent: db.prepare("SELECT event_key, action, time FROM events WHERE actor_kind = 'agent' ORDER BY event_key").all(),
    kept: db.prepare("SELECT event_key FROM events WHERE destructive = 1 OR outcome <> 'succeeded' OR classes LIKE '%privilege-change%' ORDER BY event_key").all(),
  });
  const summarised = await ingest(trail("summarise"));
  const full = await ingest(trail("full"));
  assert.deepEqual(q(summarised.db), q(full.db));
  const rows = (db: Db) => (db.prepare("SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM event_summaries) AS n").get() as { n: number }).n;
  assert.ok(rows(summarised.db) < rows(full.db), "summarising stores fewer rows");
});

test("parsing in worker threads writes the same store as parsing inline", async () => {
  const dump = (db: Db) => ({
    files: db.prepare("SELECT path, sha256, records_read, accepted, summarised, duplicates, rejected, redacted FROM source_files ORDER BY id").all(),
    events: db.prepare("SELECT id, file_id, event_key, time, actor, action, classes, outcome, locator, attrs FROM events ORDER BY id").all(),
    summaries: db.prepare("SELECT * FROM event_summaries ORDER BY id").all(),
    rejects: db.prepare("SELECT file_id, locator, reason FROM rejects ORDER BY id").all(),
  });
  const inline = await ingest(trail(), { workers: 0 });
  const pooled = await ingest(trail(), { workers: 2, poolMinBytes: 0 });
  assert.deepEqual(dump(pooled.db), dump(inline.db));
});

test("unchanged files are not read: size and mtime first, the SHA-256 when they differ, everything with rehash", async () => {
  const root = trail();
  // Whole seconds, so a test can put a file's mtime back exactly (a Date keeps milliseconds, the file system more).
  const files = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => path.join(dir, f)).filter((f) => f.endsWith(".json.gz"));
  for (const f of files(root)) utimesSync(f, 1_790_000_000, 1_790_000_000);
  const { db, summary: first } = await ingest(root);
  assert.equal(first.ingested, 3);
  const again = await ingest(root, {}, db);
  assert.deepEqual([again.summary.unchanged, again.summary.ingested], [3, 0]);

  const [a, b] = (db.prepare("SELECT path FROM source_files ORDER BY path").all() as { path: string }[]).map((r) => path.join(root, r.path));
  // Touched, same bytes: hashed (and the new mtime remembered), not parsed.
  utimesSync(a!, new Date(), new Date(Date.now() + 5000));
  const touched = await ingest(root, {}, db);
  assert.deepEqual([touched.summary.unchanged, touched.summary.ingested], [3, 0]);
  const mtime = (db.prepare("SELECT mtime_ms FROM source_files WHERE path = ?").get(path.relative(root, a!)) as { mtime_ms: number }).mtime_ms;
  assert.equal(mtime, Math.floor(statSync(a!).mtimeMs));
  // Other bytes under the same size and mtime: the pre-check trusts them (not even hashed)...
  const altered = Buffer.from(readFileSync(b!));
  altered[altered.length - 5]! ^= 0xff;
  writeFileSync(b!, altered);
  utimesSync(b!, 1_790_000_000, 1_790_000_000);
  const trusted = await ingest(root, {}, db);
  assert.equal(trusted.summary.ingested, 0);
  // ...and `rehash` makes the hash the judge again.
  const rehashed = await ingest(root, { rehash: true }, db);
  assert.deepEqual([rehashed.summary.ingested, rehashed.summary.unchanged], [1, 2]);
});
