import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import { csvRows, MAX_RECORD_LINES } from "../../src/ingest/cloudtrail/csv-rows.ts";
import { createCloudTrailS3Parser, DEFAULT_LIMITS } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore } from "../../src/store/index.ts";
import { DEFAULT_INPUT_LIMITS } from "../../src/ingest/lines.ts";
import { jsonRecords } from "../../src/ingest/agent/records.ts";
import { assertReconciles, ingestCloudTrail } from "../helpers/ingest-cloudtrail.ts";
import { testContext } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

/**
 * Damaged CloudTrail inputs through the real ingest (parser, redaction, SQLite store): the damage
 * costs the damaged record only, and the inventory reconciles (records read = accepted +
 * duplicates + rejected).
 */
const ATHENA = readFileSync(path.join(REPO_ROOT, "test", "fixtures", "cloudtrail", "athena-results.csv"), "utf8").split("\n");
const athenaRow = (i: number) => ATHENA[1]!.replace('"athena-0001"', `"athena-${String(i).padStart(4, "0")}"`).replace("req-a1", `req-${i}`);

test("CSV: an unbalanced quote rejects its row only; the rows before and after it are kept", async (t) => {
  const rows = Array.from({ length: 11 }, (_, i) => athenaRow(i));
  // Row 5 loses the closing quote of its eventname cell: a CSV parser would read the rest of the file as that cell.
  rows[5] = rows[5]!.replace('"DeleteStack",', '"DeleteStack,');
  const r = await ingestCloudTrail(t, { "athena.csv": [ATHENA[0], ...rows].join("\n") + "\n" }, "athena.csv");
  assertReconciles(r);
  assert.equal(r.row.records_read, 11);
  assert.equal(r.row.accepted, 10);
  assert.equal(r.rejects.length, 1);
  assert.equal(r.rejects[0]!.locator, "line 7", "the damaged row's own line (header is line 1)");
  assert.match(r.rejects[0]!.reason, /athena\.csv: .*unbalanced quote/);
});

test("CSV: an Athena struct nested 20 000 levels rejects its row, and the 5 rows after it are kept", async (t) => {
  const deep = `{a=${"{a=".repeat(20_000)}x${"}".repeat(20_001)}`;
  const bad = athenaRow(1).replace(/"\{type=AssumedRole[^"]*\}"/, `"${deep}"`);
  assert.notEqual(bad, athenaRow(1));
  const rows = [athenaRow(0), bad, ...Array.from({ length: 5 }, (_, i) => athenaRow(i + 2))];
  const r = await ingestCloudTrail(t, { "deep.csv": [ATHENA[0], ...rows].join("\n") + "\n" }, "deep.csv");
  assertReconciles(r);
  assert.equal(r.row.accepted, 6);
  assert.equal(r.rejects.length, 1);
  assert.equal(r.rejects[0]!.locator, "line 3");
  assert.match(r.rejects[0]!.reason, /column "useridentity": .*nested deeper than \d+ levels/);
});

test("CSV: a quoted cell may span lines; a stray quote in each of many rows keeps time linear", async (t) => {
  const multi = athenaRow(0).replace('"aws-cli/2.17.1', '"aws-cli/2.17.1\nsecond line');
  const r = await ingestCloudTrail(t, { "multi.csv": [ATHENA[0], multi, athenaRow(1)].join("\n") + "\n" }, "multi.csv");
  assertReconciles(r);
  assert.deepEqual([r.row.accepted, r.row.rejected], [2, 0]);
  // Every other row opens a quote it never closes: each is one reject, the rows between survive.
  const rows = Array.from({ length: 400 }, (_, i) => (i % 2 ? athenaRow(i).replace('"DeleteStack",', '"DeleteStack,') : athenaRow(i)));
  const many = await ingestCloudTrail(t, { "many.csv": [ATHENA[0], ...rows].join("\n") + "\n" }, "many.csv");
  assertReconciles(many);
  assert.deepEqual([many.row.accepted, many.row.rejected], [200, 200]);
});

const record = (i: number) => ({
  eventVersion: "1.11", eventTime: "2026-10-14T09:00:00Z", eventSource: "s3.amazonaws.com", eventName: "ListBuckets", awsRegion: "eu-west-1",
  eventID: `id-${i}`, eventType: "AwsApiCall", recipientAccountId: "111122223333", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/ci", accountId: "111122223333" },
});

test("JSON: a record nested 100 000 levels is one reject, not two: 11 records read, 10 accepted", async (t) => {
  const records = Array.from({ length: 10 }, (_, i) => JSON.stringify(record(i)));
  const deep = `{"eventID":"deep","requestParameters":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
  records.splice(4, 0, deep);
  const r = await ingestCloudTrail(t, { "deep.json": `{"Records":[${records.join(",")}]}` }, "deep.json");
  assertReconciles(r);
  assert.deepEqual([r.row.records_read, r.row.accepted, r.row.rejected], [11, 10, 1]);
  assert.equal(r.rejects[0]!.locator, "record 4");
  assert.match(r.rejects[0]!.reason, /nested deeper than/);
});

test("JSON: depth is checked where a record is stored as it came (requestParameters), not over the whole document: a deep value elsewhere costs nothing", async (t) => {
  const nest = (d: number) => `${"[".repeat(d)}${"]".repeat(d)}`;
  const records = Array.from({ length: 6 }, (_, i) => JSON.stringify(record(i)));
  // Read by name, never re-serialised: the record is kept whole.
  records[1] = JSON.stringify({ ...record(1), responseElements: "X", additionalEventData: "Y" }).replace('"X"', nest(100_000)).replace('"Y"', nest(600));
  // Stored as it came: refused, and only that record.
  records[3] = JSON.stringify({ ...record(3), requestParameters: "X" }).replace('"X"', `{"a":${nest(100_000)}}`);
  // Refused for another reason, with a deep value: a reject all the same, not a stack overflow while quoting it.
  records[4] = JSON.stringify({ ...record(4), eventSource: undefined, responseElements: "X" }).replace('"X"', nest(100_000));
  const r = await ingestCloudTrail(t, { "deep.json": `{"Records":[${records.join(",")}]}` }, "deep.json");
  assertReconciles(r);
  assert.deepEqual([r.row.records_read, r.row.accepted, r.row.rejected], [6, 4, 2]);
  assert.deepEqual(r.rejects.map((x) => x.locator), ["record 3", "record 4"]);
  assert.match(r.rejects[0]!.reason, /"requestParameters" nested deeper than 509 levels/);
  assert.match(r.rejects[1]!.reason, /missing "eventSource"/);
  assert.deepEqual(r.events.map((e) => e.locator), ["record 0", "record 1", "record 2", "record 5"]);
});

/** A gzip bomb of `members` concatenated gzip members of 8 MiB of newlines each (~8 KiB compressed apiece; RFC 1952 allows members back to back). */
function newlineBomb(members: number): Buffer {
  const member = gzipSync(Buffer.alloc(8 << 20, 0x0a), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

async function cpuMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

test("gzip bombs are refused while inflating: the cost does not grow with what the bomb would inflate to", async (t) => {
  const dir = tempDir("evidence-bomb-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "small.jsonl.gz"), newlineBomb(4));
  writeFileSync(path.join(dir, "big.jsonl.gz"), newlineBomb(64));
  writeFileSync(path.join(dir, "big.json.gz"), newlineBomb(64));
  // A floor of 1 MiB: the guard may trip after 1 MiB of output; the big bomb would inflate to 512 MiB.
  const limits = { ...DEFAULT_INPUT_LIMITS, gzipRatioFloorBytes: 1 << 20 };
  const drain = async (file: string) => {
    const out: { error?: string }[] = [];
    for await (const r of jsonRecords(parserInput(dir, path.join(dir, file), limits))) out.push(r);
    return out;
  };
  await drain("small.jsonl.gz"); // warm-up
  const small = await cpuMs(() => drain("small.jsonl.gz"));
  let lines: { error?: string }[] = [];
  const big = await cpuMs(async () => (lines = await drain("big.jsonl.gz")));
  assert.equal(lines.length, 1);
  assert.match(lines[0]!.error!, /^refused part-way: big\.jsonl\.gz: decompresses to more than \d+ bytes from the first \d+ compressed bytes \(over 200x/);
  // 16x the bomb, about the same cost: judged on bytes read so far, not on the file's size.
  assert.ok(big < 4 * small + 100, `big bomb ${big.toFixed(0)} ms of CPU against ${small.toFixed(0)} ms for one 16 times smaller`);
  // The CloudTrail reader goes through the same guard.
  const trail = createCloudTrailS3Parser(testContext(), { ...DEFAULT_LIMITS, wholeFileBytes: 1 << 20 });
  const ct = await cpuMs(() => assert.rejects(collectItems(trail.parse(parserInput(dir, path.join(dir, "big.json.gz"), limits))), /big\.json\.gz: .*gzip bomb/));
  assert.ok(ct < 4 * small + 100, `CloudTrail bomb ${ct.toFixed(0)} ms of CPU`);
});

async function collectItems<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test("a refused gzip bomb is in the inventory as a failed file with one reject naming it and the reason", async (t) => {
  const r = await ingestCloudTrail(t, { "bomb.json.gz": newlineBomb(128) }, "bomb.json.gz");
  assertReconciles(r);
  assert.equal(r.status, "failed");
  assert.deepEqual([r.row.accepted, r.row.rejected], [0, 1]);
  assert.equal(r.rejects[0]!.locator, "file");
  assert.match(r.rejects[0]!.reason, /^ct\/bomb\.json\.gz: decompresses to more than \d+ bytes .*gzip bomb/);
  assert.ok(JSON.parse(r.row.notes ?? "[]").some((n: string) => /^incomplete: refused: ct\/bomb\.json\.gz/.test(n)), "the store says the file's population is incomplete");
});

test("a truncated CloudTrail gzip keeps the records before the damage and the store says the file is incomplete", async (t) => {
  const records = Array.from({ length: 300 }, (_, i) => JSON.stringify(record(i)));
  const gz = gzipSync(`{"Records":[${records.join(",")}]}`);
  const r = await ingestCloudTrail(t, { "cut.json.gz": gz.subarray(0, Math.floor(gz.length / 2)) }, "cut.json.gz");
  assertReconciles(r);
  assert.ok(r.row.accepted > 10 && r.row.accepted < 300, `kept ${r.row.accepted}`);
  assert.equal(r.row.rejected, 1);
  assert.ok(JSON.parse(r.row.notes ?? "[]").some((n: string) => /^incomplete: gzip stream truncated after \d+ compressed bytes/.test(n)), r.row.notes ?? "");
});

test("CSV: time stays linear in the size whatever the stray quotes (each line is re-read a bounded number of times)", async () => {
  // A stray quote every MAX_RECORD_LINES lines makes the longest re-reads; lines all of stray quotes the most rejects.
  const text = (n: number, every: number) =>
    Array.from({ length: n }, (_, i) => (i % every === 1 ? '"a","b' : '"x","y"')).join("\n") + "\n";
  const rowsOf = async (s: string) => {
    let rows = 0;
    for await (const batch of csvRows(Readable.from([Buffer.from(s)]))) rows += batch.length;
    return rows;
  };
  for (const every of [MAX_RECORD_LINES, 1]) {
    const n = 20_000;
    assert.equal(await rowsOf(text(n, every)), n, "every line is a row or a reject");
    await rowsOf(text(n, every)); // warm-up
    const one = await cpuMs(() => rowsOf(text(n, every)));
    const four = await cpuMs(() => rowsOf(text(4 * n, every)));
    assert.ok(four < 4 * 3 * one + 50, `stray quote every ${every} lines: ${four.toFixed(0)} ms for 4n against ${one.toFixed(0)} ms for n`);
  }
});

test("an agent log (.jsonl.gz) refused part-way keeps the lines before and the store says the file is incomplete", async (t) => {
  const root = tempDir("evidence-jsonl-bomb-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, "logs"));
  const hook = JSON.stringify({ hook_event_name: "PostToolUse", session_id: "s1", tool_name: "Bash", tool_use_id: "t1", tool_input: { command: "ls" }, timestamp: "2026-10-14T09:12:03Z" });
  writeFileSync(path.join(root, "logs", "hooks.jsonl.gz"), Buffer.concat([gzipSync(`${hook}\n`), newlineBomb(128)]));
  const yaml = `organisation: { name: Test Co }\nsources:\n  - { name: hooks, kind: claude-code-hooks, paths: ["logs/**"] }\n`;
  const loaded: LoadedConfig = { config: parseConfigText(yaml, "t.yaml"), file: path.join(root, "t.yaml"), root, sha256: "0".repeat(64) };
  const db = openStore(path.join(root, ".evidence", "evidence.db"));
  try {
    await ingestSources(db, loaded, { cacheDir: path.join(root, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }) });
    const row = db.prepare("SELECT id, records_read, accepted, duplicates, rejected, notes FROM source_files").get() as { id: number; records_read: number; accepted: number; duplicates: number; rejected: number; notes: string };
    assert.equal(row.records_read, row.accepted + row.duplicates + row.rejected);
    assert.deepEqual([row.accepted, row.rejected], [1, 1]);
    const reject = db.prepare("SELECT reason FROM rejects WHERE file_id = ?").get(row.id) as { reason: string };
    assert.match(reject.reason, /^refused part-way: logs\/hooks\.jsonl\.gz: decompresses to more than \d+ bytes .*gzip bomb/);
    assert.ok((JSON.parse(row.notes) as string[]).some((n) => n.startsWith("incomplete: refused part-way: logs/hooks.jsonl.gz")), row.notes);
  } finally {
    db.close();
  }
});
