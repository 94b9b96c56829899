import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseCutoff } from "../../src/commands/purge.ts";
import { FileWriter, openStore, type Db } from "../../src/store/index.ts";
import { createRedactor } from "../../src/redact/index.ts";
import { PURGED_MESSAGE, purgeBefore } from "../../src/store/purge.ts";
import { commit, event } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

const OLD_MARKER = "old-secret-command-7f3a";
const NEW_MARKER = "recent-command-91bc";

function header(p: string) {
  return { source: "s", path: p, kind: "test", sha256: p.padEnd(64, "0"), size: 0, parser: "test", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z" };
}

/** Three files: one only September (with a reject), one mixed, one git history across both months; plus a build. */
function seed(): { db: Db; file: string } {
  const file = path.join(tempDir(), "evidence.db");
  const db = openStore(file);
  const old = new FileWriter(db, header("old.jsonl"));
  for (let i = 0; i < 20; i++) old.event(event({ eventKey: `old${i}`, time: "2026-09-10T10:00:00.000Z", command: `${OLD_MARKER} ${i}` }, i));
  old.reject({ locator: "line 21", reason: "not valid JSON", excerpt: `{"command": "${OLD_MARKER}"` });
  old.commit();
  const mixed = new FileWriter(db, header("mixed.jsonl"));
  mixed.event(event({ eventKey: "m1", time: "2026-09-30T23:59:59.999Z", command: OLD_MARKER }, 0));
  mixed.event(event({ eventKey: "m2", time: "2026-10-01T00:00:00.000Z", command: NEW_MARKER }, 1));
  mixed.reject({ locator: "line 3", reason: "bad" });
  mixed.commit();
  const git = new FileWriter(db, { ...header("repo"), kind: "git" });
  git.commit_(commit({ committerTime: "2026-09-01T00:00:00.000Z", subject: OLD_MARKER }, 1));
  git.commit_(commit({ committerTime: "2026-10-02T00:00:00.000Z", subject: NEW_MARKER }, 2));
  git.commit();
  db.prepare("INSERT INTO builds (build_id, period, period_start, period_end, config_sha256, inputs_sha256, results, created_seq) VALUES ('b1', '2026-09', '', '', '', '', '{}', 1)").run();
  return { db, file };
}

const count = (db: Db, sql: string) => (db.prepare(sql).get() as { n: number }).n;

test("purge deletes rows older than the cutoff, keeps builds and provenance, and leaves no trace of them in the file", () => {
  const { db, file } = seed();
  const dry = purgeBefore(db, "2026-10-01T00:00:00.000Z", { now: new Date("2026-11-02T00:00:00Z"), dryRun: true });
  assert.deepEqual(dry.removed, { observations: 0, events: 21, event_summaries: 0, changes: 0, commits: 1, pr_reviews: 0, pull_requests: 0, rejects: 1 });
  assert.equal(count(db, "SELECT count(*) AS n FROM events"), 22, "a dry run deletes nothing");
  assert.equal(count(db, "SELECT count(*) AS n FROM purges"), 0);

  const result = purgeBefore(db, "2026-10-01T00:00:00.000Z", { now: new Date("2026-11-02T00:00:00Z"), dryRun: false });
  assert.deepEqual(result.removed, dry.removed);
  assert.equal(result.files, 3);
  assert.deepEqual(db.prepare("SELECT event_key FROM events").pluck().all(), ["m2"]);
  assert.deepEqual(db.prepare("SELECT subject FROM commits").pluck().all(), [NEW_MARKER]);
  // The emptied file loses its rejects (raw excerpts); the mixed file keeps its own.
  assert.deepEqual(db.prepare("SELECT s.path FROM rejects r JOIN source_files s ON s.id = r.file_id").pluck().all(), ["mixed.jsonl"]);
  assert.equal(count(db, "SELECT count(*) AS n FROM builds"), 1);
  assert.equal(count(db, "SELECT count(*) AS n FROM source_files"), 3, "provenance kept, so unchanged files are not re-read");
  assert.deepEqual(db.prepare("SELECT purged_before FROM source_files ORDER BY path").pluck().all(), Array(3).fill("2026-10-01T00:00:00.000Z"));
  assert.equal(count(db, "SELECT count(*) AS n FROM purges"), 1);
  assert.equal(db.pragma("integrity_check", { simple: true }), "ok");
  db.close();
  const bytes = Buffer.concat([readFileSync(file), ...(existsSync(`${file}-wal`) ? [readFileSync(`${file}-wal`)] : [])]);
  assert.ok(!bytes.includes(OLD_MARKER), "deleted rows are not left in free pages or the WAL");
  assert.ok(bytes.includes(NEW_MARKER));
});

test("purge clears the finding messages a build stored about the purged period, and redacts those of later builds", () => {
  const file = path.join(tempDir(), "evidence.db");
  const db = openStore(file);
  const secret = "sshpass -p Qz8-old-finding-pw ssh prod";
  const later = "curl -u ops:Lx4-later-finding-pw https://ci.acme.dev";
  const build = (id: string, period: string, start: string, message: string) =>
    db.prepare("INSERT INTO builds (build_id, period, period_start, period_end, config_sha256, inputs_sha256, results, created_seq) VALUES (?, ?, ?, '', '', '', ?, 1)")
      .run(id, period, start, JSON.stringify({ controls: [{ id: "CC8.1", status: "deficient" }], findings: [{ id: "f1", ruleId: "r", severity: "high", controlIds: ["CC8.1"], subject: message, message: `Ran ${message}`, state: "open" }] }));
  build("b-sep", "2026-09", "2026-09-01T00:00:00.000Z", secret);
  build("b-oct", "2026-10", "2026-10-01T00:00:00.000Z", later);
  const redactor = createRedactor();
  const result = purgeBefore(db, "2026-10-01T00:00:00.000Z", { now: new Date("2026-11-02T00:00:00Z"), dryRun: false, redact: redactor.redact });
  assert.equal(result.scrubbedFindings, 2);
  const stored = db.prepare("SELECT build_id, results FROM builds ORDER BY build_id").all() as { build_id: string; results: string }[];
  const [oct, sep] = stored.map((b) => JSON.parse(b.results) as { controls: unknown[]; findings: { id: string; message: string; subject?: string }[] });
  assert.equal(sep!.findings[0]!.message, PURGED_MESSAGE);
  assert.equal(sep!.findings[0]!.subject, undefined);
  assert.equal(sep!.findings[0]!.id, "f1", "the finding itself is kept for period comparisons");
  assert.equal(sep!.controls.length, 1);
  assert.match(oct!.findings[0]!.message, /^Ran curl -u ops:\[REDACTED:curl-user-password:[0-9a-f]{8}\] https/);
  db.close();
  const bytes = Buffer.concat([readFileSync(file), ...(existsSync(`${file}-wal`) ? [readFileSync(`${file}-wal`)] : [])]);
  for (const pw of ["Qz8-old-finding-pw", "Lx4-later-finding-pw"]) assert.ok(!bytes.includes(pw), `${pw} left in the store file`);
});

test("the cutoff is a date, a period or an ISO time, in the report time zone", () => {
  assert.equal(parseCutoff("2026-01-01", "UTC"), "2026-01-01T00:00:00.000Z");
  assert.equal(parseCutoff("2026-01-01", "Europe/Berlin"), "2025-12-31T23:00:00.000Z");
  assert.equal(parseCutoff("2026-Q2", "UTC"), "2026-04-01T00:00:00.000Z");
  assert.equal(parseCutoff("2026", "UTC"), "2026-01-01T00:00:00.000Z");
  assert.equal(parseCutoff("2026-03-04T05:06:07+01:00", "UTC"), "2026-03-04T04:06:07.000Z");
  for (const bad of ["yesterday", "2026-13-01", "2026-02-30", "2026-01-01Tnonsense"]) assert.throws(() => parseCutoff(bad, "UTC"), /invalid --before/, bad);
});
