import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { recordTrailIntegrity, sourceFolders } from "../../src/ingest/cloudtrail/integrity.ts";
import cloudtrailLogIntegrityVerified from "../../src/rules/cloudtrail-log-integrity-verified.ts";
import { FileWriter, openStore } from "../../src/store/index.ts";
import { buildLakeResult, buildTrail, makeSigningKey, publicKeysJson, readGzip, writeGzip } from "../helpers/cloudtrail-digest-builder.ts";
import { event, runRuleOn } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

function storeWithEvent() {
  const db = openStore(path.join(tempDir("evidence-integrity-"), "e.db"));
  const w = new FileWriter(db, { source: "ct", path: "x", kind: "cloudtrail", sha256: "0", size: 0, parser: "cloudtrail", parserVersion: "2", contextHash: "x", ingestedAt: "x" });
  w.event(event({ sourceKind: "cloudtrail", action: "s3:ListBuckets" }));
  w.commit();
  return db;
}

test("source folders are the static prefixes of the globs", () => {
  assert.deepEqual(sourceFolders(["cloudtrail/**/*.json.gz", "cloudtrail/exports/*.csv", "trail.json"]), [".", "cloudtrail", "cloudtrail/exports"]);
});

test("digests are verified during ingest, kept per folder, and a tampered log is a CC7.2 finding", async () => {
  const root = tempDir();
  const key = makeSigningKey();
  const trail = buildTrail(root, { start: "2026-10-14T09:00:00Z", logsPerHour: [2, 1, 2], localDir: "cloudtrail" }, key);
  writeFileSync(path.join(root, "cloudtrail", "list-public-keys.json"), publicKeysJson([key]));
  writeFileSync(`${trail.digests.at(-1)}.sig`, trail.signatures.at(-1)!);
  const db = storeWithEvent();
  const source = { name: "ct", paths: ["cloudtrail/**/*.json.gz"] };
  const [first] = await recordTrailIntegrity(db, root, source, new Date("2026-11-01T00:00:00Z"));
  assert.equal(first!.ok, true);
  assert.equal(first!.result!.logFilesVerified, 5);
  assert.ok(first!.result!.signatures.every((s) => s.status === "valid"));
  const pass = runRuleOn(cloudtrailLogIntegrityVerified, db);
  assert.equal(pass.outcome, "pass");
  assert.match(pass.results[0]!.message, /5 log files in cloudtrail match 3 digests .*3 signatures verified/);

  // An edited record: same name, new content.
  const victim = trail.logs[1]!;
  writeGzip(victim, readGzip(victim).replace("ListBuckets", "ListBucketz"));
  await recordTrailIntegrity(db, root, source, new Date("2026-11-02T00:00:00Z"));
  const failed = runRuleOn(cloudtrailLogIntegrityVerified, db);
  assert.equal(failed.outcome, "fail");
  assert.match(failed.results[0]!.message, /1 log file\(s\) altered since delivery/);
  assert.equal(failed.results[0]!.evidence[0]!.ref, "integrity:ct:cloudtrail");
});

test("a folder without digest files is no-evidence, not a pass", async () => {
  const root = tempDir();
  mkdirSync(path.join(root, "ct"), { recursive: true });
  writeFileSync(path.join(root, "ct", "111122223333_CloudTrail_eu-west-1_20261014T0905Z_abcdefabcdefabcd.json.gz"), gzipSync('{"Records":[]}'));
  const db = storeWithEvent();
  const [r] = await recordTrailIntegrity(db, root, { name: "ct", paths: ["ct/*.json.gz"] }, new Date());
  assert.equal(r!.none, true);
  const run = runRuleOn(cloudtrailLogIntegrityVerified, db);
  assert.equal(run.outcome, "no-evidence");
  assert.match(run.results[0]!.message, /enable log file validation/);
});

test("CloudTrail Lake results: result_sign.json hashes are checked, a changed result file is a finding", async () => {
  const root = tempDir();
  const key = makeSigningKey();
  const lake = buildLakeResult(path.join(root, "lake", "q1"), ["eventID,eventTime\nx,2026-10-14 09:00:00.000\n"], key);
  const db = storeWithEvent();
  const source = { name: "lake", paths: ["lake/**/*.csv.gz"] };
  const [ok] = await recordTrailIntegrity(db, root, source, new Date("2026-11-01T00:00:00Z"));
  assert.equal(ok!.ok, true, JSON.stringify(ok!.result?.lake));
  writeFileSync(lake.results[0]!, gzipSync("eventID,eventTime\ny,2026-10-14 09:00:00.000\n"));
  await recordTrailIntegrity(db, root, source, new Date("2026-11-02T00:00:00Z"));
  const run = runRuleOn(cloudtrailLogIntegrityVerified, db);
  assert.equal(run.outcome, "fail");
  assert.match(run.results[0]!.message, /CloudTrail Lake result .*result_sign\.json: 1 altered/);
});
