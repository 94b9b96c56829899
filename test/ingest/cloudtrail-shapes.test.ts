import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createCloudTrailS3Parser, DEFAULT_LIMITS } from "../../src/ingest/cloudtrail/s3-delivery.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";
import { assertReconciles, ingestCloudTrail } from "../helpers/ingest-cloudtrail.ts";

/** CloudTrail records in the wrappers other AWS services deliver them in, recognised by content whatever the file's name. */
const SHAPES = path.join(REPO_ROOT, "test", "fixtures", "cloudtrail", "shapes");
const fixture = (name: string) => readFileSync(path.join(SHAPES, name));

async function ingestFixture(t: Parameters<typeof ingestCloudTrail>[0], name: string) {
  const r = await ingestCloudTrail(t, { [name]: fixture(name) }, name);
  if (r.status !== "skipped") assertReconciles(r);
  return r;
}

test("EventBridge envelopes ('detail-type: AWS API Call via CloudTrail'): the record is `detail`, one per line or alone", async (t) => {
  const lines = await ingestFixture(t, "eventbridge-envelopes.jsonl");
  assert.deepEqual([lines.row.accepted, lines.row.rejected], [3, 0]);
  assert.deepEqual(lines.events.map((e) => e.locator), ["line 1", "line 2", "line 3"]);
  const one = await ingestFixture(t, "eventbridge-envelope.json");
  assert.deepEqual([one.row.accepted, one.row.rejected], [1, 0]);
});

test("CloudWatch Logs subscription payloads through Firehose: gzip members back to back, DATA_MESSAGE logEvents read, CONTROL_MESSAGE skipped", async (t) => {
  const r = await ingestFixture(t, "firehose-cloudwatch-logs.json.gz");
  assert.deepEqual([r.row.accepted, r.row.rejected], [3, 0]);
  assert.deepEqual(r.events.map((e) => e.locator), ["line 1 document 2 record 0", "line 1 document 2 record 1", "line 1 document 3 record 0"]);
  assert.ok(r.notes.some((n) => /CONTROL_MESSAGE .*skipped/.test(n)), r.notes.join("; "));
});

test("NDJSON of bare records: one record per line", async (t) => {
  const r = await ingestFixture(t, "bare-records.ndjson");
  assert.deepEqual([r.row.accepted, r.row.rejected], [3, 0]);
  assert.deepEqual(r.events.map((e) => e.locator), ["line 1", "line 2", "line 3"]);
});

test("a digest or an Insights file away from its usual folder is recognised and skipped, not rejected as malformed", async (t) => {
  for (const name of ["copied-digest.json", "copied-insights.json"]) {
    const r = await ingestFixture(t, name);
    assert.equal(r.status, "skipped", name);
    assert.equal(r.skipped, 1, name);
    assert.equal(r.row.rejected, 0, name);
    assert.match(r.row.notes ?? "", name.includes("digest") ? /CloudTrail digest file \(recognised by its content\)/ : /CloudTrail Insights file \(recognised by its content\)/);
  }
});

test("NDJSON: a damaged line costs that line only; text between documents is a reject, not silently dropped", async (t) => {
  const lines = fixture("bare-records.ndjson").toString("utf8").trim().split("\n");
  const text = [lines[0], lines[1]!.slice(0, 80), "garbage", lines[2]].join("\n") + "\n";
  const r = await ingestCloudTrail(t, { "damaged.ndjson": text }, "damaged.ndjson");
  assertReconciles(r);
  assert.deepEqual([r.row.accepted, r.row.rejected], [2, 2]);
  assert.deepEqual(r.rejects.map((x) => x.locator), ["line 2", "line 3"]);
  assert.match(r.rejects[0]!.reason, /does not end/);
  assert.match(r.rejects[1]!.reason, /text between JSON documents/);
});

test("over the whole-file cap (read record by record) the same shapes give the same events and rejects", async () => {
  const whole = createCloudTrailS3Parser(testContext());
  const streamed = createCloudTrailS3Parser(testContext(), { ...DEFAULT_LIMITS, wholeFileBytes: 64 });
  for (const name of ["eventbridge-envelopes.jsonl", "firehose-cloudwatch-logs.json.gz", "bare-records.ndjson"]) {
    const a = await parseFile(whole, SHAPES, name);
    const b = await parseFile(streamed, SHAPES, name);
    assert.ok(a.events.length >= 3, name);
    assert.deepEqual(b.events, a.events, name);
    assert.deepEqual([b.rejects, b.notes], [a.rejects, a.notes], name);
  }
  // A damaged NDJSON line streamed: that line only.
  const dir = tempDir();
  try {
    const lines = fixture("bare-records.ndjson").toString("utf8").trim().split("\n");
    writeFileSync(path.join(dir, "d.ndjson"), [lines[0], lines[1]!.slice(0, 80), "garbage", lines[2]].join("\n") + "\n");
    const d = await parseFile(streamed, dir, "d.ndjson");
    assert.equal(d.events.length, 2);
    assert.deepEqual(d.rejects.map((r) => r.locator), ["line 2", "line 3"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
