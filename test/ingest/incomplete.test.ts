import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip, gunzipSync, gzipSync } from "node:zlib";
import { loadConfig } from "../../src/config.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import { openStore } from "../../src/store/index.ts";
import { TestRepo } from "../helpers/git-repo.ts";
import { SAMPLE, tempDir } from "../helpers/workspace.ts";

const FIXTURES = path.join(import.meta.dirname, "..", "fixtures");
const TRAIL = path.join(
  FIXTURES,
  "cloudtrail/org-trail/AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T0925Z_a1b2c3d4e5f6a7b8.json.gz",
);

/** A gzip of `size` newlines, streamed: ~1000x compression, the shape of a decompression bomb. */
async function writeBomb(file: string, size: number): Promise<void> {
  const block = Buffer.alloc(1 << 20, 0x0a);
  await pipeline(Readable.from((function* () {
    for (let n = 0; n < size; n += block.length) yield block;
  })()), createGzip({ level: 9 }), createWriteStream(file));
}

/** A repository of `n` commits where commit 20 and 21 share one file, whose first version is then deleted. */
function repoMissingBlob(alsoTree: boolean): TestRepo {
  const repo = new TestRepo();
  for (let i = 1; i <= 30; i++) repo.commit(`c${i}`, ["Dev One", "dev1@example.com"], i === 20 || i === 21 ? "shared.txt" : `f${i}.txt`);
  const drop = (sha: string) => rmSync(path.join(repo.dir, ".git", "objects", sha.slice(0, 2), sha.slice(2)));
  drop(repo.git(["rev-parse", "HEAD~10:shared.txt"]).trim());
  if (alsoTree) drop(repo.git(["rev-parse", "HEAD~20^{tree}"]).trim());
  return repo;
}

test("source_files.incomplete: NULL for a file read to its end, the reason for each way a read stops early", async (t) => {
  const dir = tempDir("evidence-incomplete-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, "logs"));
  mkdirSync(path.join(dir, "ct"));
  mkdirSync(path.join(dir, "iam"));
  const hooks = readFileSync(path.join(FIXTURES, "cursor-hooks/session.jsonl"));
  writeFileSync(path.join(dir, "logs", "whole.jsonl"), hooks);
  const gz = gzipSync(hooks);
  writeFileSync(path.join(dir, "logs", "cut.jsonl.gz"), gz.subarray(0, Math.floor(gz.length * 0.6)));
  const audit = readFileSync(path.join(FIXTURES, "github-audit-log/export.json"), "utf8");
  writeFileSync(path.join(dir, "logs", "cut-array.json"), audit.slice(0, audit.indexOf('"actor"', audit.indexOf('"actor"') + 1)));
  await writeBomb(path.join(dir, "logs", "bomb.jsonl.gz"), 24 << 20);
  const trail = readFileSync(TRAIL);
  writeFileSync(path.join(dir, "ct", "whole.json.gz"), trail);
  writeFileSync(path.join(dir, "ct", "cut.json.gz"), trail.subarray(0, Math.floor(trail.length * 0.7)));
  const trailText = gunzipSync(trail).toString("utf8");
  writeFileSync(path.join(dir, "ct", "cut.json"), trailText.slice(0, Math.floor(trailText.length * 0.8)));
  await writeBomb(path.join(dir, "iam", "bomb.json.gz"), 24 << 20);
  const healed = repoMissingBlob(false);
  const broken = repoMissingBlob(true);
  t.after(() => [healed, broken].forEach((r) => rmSync(r.dir, { recursive: true, force: true })));
  cpSync(healed.dir, path.join(dir, "healed"), { recursive: true });
  cpSync(broken.dir, path.join(dir, "broken"), { recursive: true });
  writeFileSync(
    path.join(dir, "evidence.config.yaml"),
    [
      "organisation: { name: Test Co }",
      "sources:",
      '  - { name: agents, kind: agent-logs, paths: ["logs/*"] }',
      '  - { name: trail, kind: cloudtrail, paths: ["ct/*"] }',
      '  - { name: iam, kind: iam, paths: ["iam/*"] }',
      "  - { name: healed, kind: git, repository: healed }",
      "  - { name: broken, kind: git, repository: broken }",
    ].join("\n") + "\n",
  );
  const db = openStore(path.join(dir, "evidence.db"));
  t.after(() => db.close());
  await ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), {
    cacheDir: path.join(dir, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }),
  });
  const rows = db.prepare("SELECT path, incomplete, accepted FROM source_files ORDER BY path").all() as { path: string; incomplete: string | null; accepted: number }[];
  const of = new Map(rows.map((r) => [r.path, r]));
  const expected: [string, RegExp | null][] = [
    ["broken", /^history read stopped after 19 commits: fatal: unable to read tree [0-9a-f]{40}$/],
    ["ct/cut.json", /^JSON cut off: document ends after \d+ complete records without closing the array|^JSON cut off: document damaged after \d+ complete records/],
    ["ct/cut.json.gz", /gzip stream truncated/],
    ["ct/whole.json.gz", null],
    ["healed", null],
    ["iam/bomb.json.gz", /^file refused: iam\/bomb\.json\.gz: decompresses to more than \d+ bytes/],
    ["logs/bomb.jsonl.gz", /^refused part-way: logs\/bomb\.jsonl\.gz: decompresses to more than \d+ bytes .*a gzip bomb.*; read up to line \d+$/],
    ["logs/cut-array.json", /^JSON cut off: the file ends inside the record starting at line \d+$/],
    ["logs/cut.jsonl.gz", /^file ends early: unexpected end of file \(truncated or corrupt\); read up to line \d+$/],
    ["logs/whole.jsonl", null],
  ];
  assert.deepEqual(rows.map((r) => r.path), expected.map(([p]) => p));
  for (const [file, reason] of expected) {
    const row = of.get(file)!;
    if (reason === null) assert.equal(row.incomplete, null, `${file} was read to its end`);
    else assert.match(row.incomplete ?? "(null)", reason, file);
    assert.doesNotMatch(row.incomplete ?? "", /\n/, `${file}: one line`);
  }
  assert.equal(of.get("healed")!.accepted, 30, "the fallback kept every commit of the repository with a missing blob");
  assert.equal(of.get("broken")!.accepted, 19, "c30 to c12: the commit git stopped on (c11) is not listed");
});

test("source_files.incomplete from the other readers: hook logs, audit-log CSV, PR exports, IAM and settings documents", async (t) => {
  const dir = tempDir("evidence-incomplete-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ["hooks", "audit", "prs", "iam", "settings"]) mkdirSync(path.join(dir, sub));
  const cut = (bytes: Buffer, share: number) => bytes.subarray(0, Math.floor(bytes.length * share));
  const sample = (file: string) => readFileSync(path.join(SAMPLE, file));
  writeFileSync(path.join(dir, "hooks", "cut.jsonl.gz"), cut(gzipSync(sample("logs/claude-code/2026-10/li.wei.jsonl")), 0.6));
  writeFileSync(path.join(dir, "audit", "cut.csv.gz"), cut(gzipSync(readFileSync(path.join(FIXTURES, "github-audit-log/export.csv"))), 0.6));
  writeFileSync(path.join(dir, "prs", "cut.json.gz"), cut(gzipSync(sample("git/prs.json")), 0.6));
  writeFileSync(path.join(dir, "prs", "whole.json"), sample("git/prs.json"));
  writeFileSync(path.join(dir, "iam", "cut.json"), cut(sample("iam/authorization-details.json"), 0.5));
  writeFileSync(path.join(dir, "iam", "malformed.json"), '{"UserDetailList": [1,, 2]}');
  writeFileSync(path.join(dir, "settings", "settings.json"), cut(sample("settings/claude/api-repo/settings.json"), 0.5));
  writeFileSync(
    path.join(dir, "evidence.config.yaml"),
    [
      "organisation: { name: Test Co }",
      "sources:",
      '  - { name: hooks, kind: claude-code-hooks, paths: ["hooks/*"] }',
      '  - { name: audit, kind: github-audit-log, paths: ["audit/*"] }',
      '  - { name: prs, kind: github-pull-requests, paths: ["prs/*"] }',
      '  - { name: iam, kind: iam, paths: ["iam/*"] }',
      '  - { name: settings, kind: agent-settings, paths: ["settings/*"] }',
    ].join("\n") + "\n",
  );
  const db = openStore(path.join(dir, "evidence.db"));
  t.after(() => db.close());
  await ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), {
    cacheDir: path.join(dir, "cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }),
  });
  const rows = db.prepare("SELECT path, incomplete FROM source_files ORDER BY path").all() as { path: string; incomplete: string | null }[];
  const expected: [string, RegExp | null][] = [
    ["audit/cut.csv.gz", /^CSV ends early: .*\(truncated or corrupt\); read up to line \d+$/],
    ["hooks/cut.jsonl.gz", /^file ends early: unexpected end of file \(truncated or corrupt\); read up to line \d+$/],
    ["iam/cut.json", /^JSON cut off: the document ends inside a value$/],
    ["iam/malformed.json", null],
    ["prs/cut.json.gz", /^gzip stream truncated at byte \d+$/],
    ["prs/whole.json", null],
    ["settings/settings.json", /^JSON cut off/],
  ];
  assert.deepEqual(rows.map((r) => r.path), expected.map(([p]) => p));
  for (const [i, [file, reason]] of expected.entries()) {
    if (reason === null) assert.equal(rows[i]!.incomplete, null, `${file}: whole (a malformed document is rejected, not cut off)`);
    else assert.match(rows[i]!.incomplete ?? "(null)", reason, file);
  }
});
