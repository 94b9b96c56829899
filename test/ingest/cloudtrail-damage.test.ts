import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseConfigText, type LoadedConfig } from "../../src/config.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore } from "../../src/store/index.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

/**
 * Damaged CloudTrail inputs through the real ingest (parser, redaction, SQLite store): the damage
 * costs the damaged record only, and the inventory reconciles (records read = accepted +
 * duplicates + rejected).
 */
export interface Ingested {
  row: { id: number; records_read: number; accepted: number; duplicates: number; rejected: number; notes: string | null };
  rejects: { locator: string; reason: string }[];
  status: string;
  error?: string;
  notes: string[];
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
    return { row, rejects, status: result.status, error: result.error, notes: result.notes };
  } finally {
    db.close();
  }
}

export function assertReconciles(r: Ingested): void {
  assert.equal(r.row.records_read, r.row.accepted + r.row.duplicates + r.row.rejected, "records read = accepted + duplicates + rejected");
  assert.equal(r.rejects.length, r.row.rejected, "every reject is stored");
}

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
