import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createCloudTrailS3Parser } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { FileWriter, openStore, type Db } from "../../src/store/index.ts";
import { ObservationIndex } from "../../src/store/observations.ts";
import { assertReconciles, ingestCloudTrail } from "../helpers/ingest-cloudtrail.ts";
import { testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const rec = (id: string, minute: number) => ({
  eventVersion: "1.11", eventTime: `2026-10-14T09:${String(minute).padStart(2, "0")}:00Z`, eventSource: "cloudformation.amazonaws.com",
  eventName: "DeleteStack", awsRegion: "eu-west-1", eventID: id, recipientAccountId: "111122223333",
  userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ai-agent-deployer/kiro-1", sessionContext: { sessionIssuer: { arn: "arn:aws:iam::111122223333:role/ai-agent-deployer" } } },
  requestParameters: { stackName: "prod-api" },
});

async function ingest(db: Db, dir: string, file: string): Promise<{ accepted: number; duplicates: number }> {
  const parser = createCloudTrailS3Parser(testContext());
  const w = new FileWriter(db, { source: "ct", path: file, kind: "cloudtrail", sha256: file, size: 0, parser: parser.name, parserVersion: parser.version, contextHash: "x", ingestedAt: "x" });
  for await (const item of parser.parse(parserInput(dir, path.join(dir, file)))) if (item.kind === "event") w.event(item.event);
  return w.commit();
}

const rows = (db: Db) => db.prepare("SELECT e.event_key AS key, f.path AS file FROM events e JOIN source_files f ON f.id = e.file_id ORDER BY e.event_key").all() as { key: string; file: string }[];

test("the same eventID in two files is stored once, and survives removal of the file that held it", async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: [rec("dup-1", 10), rec("only-a", 11)] })));
  writeFileSync(path.join(dir, "b.json"), JSON.stringify({ Records: [rec("dup-1", 10), rec("only-b", 12)] }));
  const db = openStore(path.join(tempDir(), "e.db"));
  assert.deepEqual(await ingest(db, dir, "a.json.gz").then((c) => [c.accepted, c.duplicates]), [2, 0]);
  assert.deepEqual(await ingest(db, dir, "b.json").then((c) => [c.accepted, c.duplicates]), [1, 1]);
  assert.deepEqual(rows(db), [
    { key: "dup-1", file: "a.json.gz" },
    { key: "only-a", file: "a.json.gz" },
    { key: "only-b", file: "b.json" },
  ]);
  // a.json.gz vanishes from the inputs: its own event goes, the shared one is re-homed onto b.json.
  const index = new ObservationIndex(db);
  db.transaction(() => index.deleteFile("ct", "a.json.gz"))();
  assert.deepEqual(rows(db), [
    { key: "dup-1", file: "b.json" },
    { key: "only-b", file: "b.json" },
  ]);
  // Re-reading b.json (changed bytes) replaces its contribution exactly: still one row per eventID.
  await ingest(db, dir, "b.json");
  assert.equal(rows(db).length, 2);
});

test("the same eventID for two different calls is said to be a duplicate eventID with different content, with both locations", async (t) => {
  const a = [rec("same-id", 10), rec("a-only", 11)];
  const b = [rec("b-only", 12), { ...rec("same-id", 40), eventName: "CreateStack" }, rec("a-only", 11)];
  const r = await ingestCloudTrail(t, { "a.json": JSON.stringify({ Records: a }), "b.json": JSON.stringify({ Records: b }) }, "b.json");
  assertReconciles(r);
  assert.deepEqual([r.row.accepted, r.row.duplicates], [1, 2]);
  const notes = JSON.parse(r.row.notes ?? "[]") as string[];
  // The identical repeat is a plain join; the conflicting one is named as what it is, with where each was read.
  assert.ok(notes.includes("1 record joined with the same agent action reported elsewhere (counted as duplicates)"), notes.join(" | "));
  const conflict = notes.find((n) => n.includes("duplicate eventID but different content"));
  assert.equal(conflict, "1 record with a duplicate eventID but different content, kept once (counted as duplicates): eventID same-id (time, action differ): kept as read at ct/a.json record 0, not as read at ct/b.json record 1");
});
