import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { assertSafeOutDir, cleanStaleSiblings, insideDir, safeFileName } from "../../src/report/atomic-dir.ts";
import { tempDir } from "../helpers/workspace.ts";

test("file names from data become one safe path segment", () => {
  const cases: [string, string][] = [
    ["git-production-changes-reviewed", "git-production-changes-reviewed"],
    ["../../etc/passwd", "etc-passwd"],
    ["/abs/path", "abs-path"],
    ["..\\..\\win", "win"],
    [".hidden", "hidden"],
    ["a\u0000b\nc", "a-b-c"],
    ["", "unnamed"],
    ["...", "unnamed"],
    ["Policy: Access Control (v2)", "Policy-Access-Control-v2"],
    ["x".repeat(500), "x".repeat(100)],
  ];
  for (const [input, expected] of cases) assert.equal(safeFileName(input), expected, JSON.stringify(input));
});

test("insideDir refuses paths that leave the output folder", () => {
  const dir = tempDir();
  assert.equal(insideDir(dir, "memos/a.md"), path.join(dir, "memos", "a.md"));
  for (const bad of ["../x.md", "memos/../../x.md", "/etc/passwd", "", "."]) {
    assert.throws(() => insideDir(dir, bad), /outside the output folder/, bad);
  }
});

test("stale temp folders of dead runs are removed; a package left only as .old-<pid> is moved back", () => {
  const parent = tempDir();
  const out = path.join(parent, "2026-10");
  for (const name of ["2026-10.tmp-111", "2026-10.tmp-222", "2026-10.old-333", "2026-11.tmp-111", "other"]) mkdirSync(path.join(parent, name));
  writeFileSync(path.join(parent, "2026-10.old-333", "manifest.json"), "{}");
  const alive = (pid: number) => pid === 222;
  assert.deepEqual(cleanStaleSiblings(out, alive), ["2026-10.old-333", "2026-10.tmp-111"]);
  assert.deepEqual(readdirSync(parent).sort(), ["2026-10", "2026-10.tmp-222", "2026-11.tmp-111", "other"]);
  assert.equal(readFileSync(path.join(out, "manifest.json"), "utf8"), "{}");
  // With the package in place, a stale .old- is just removed.
  mkdirSync(path.join(parent, "2026-10.old-444"));
  assert.deepEqual(cleanStaleSiblings(out, alive), ["2026-10.old-444"]);
  assert.ok(existsSync(path.join(out, "manifest.json")));
});

test("the output folder may not hold the workspace or be a foreign non-empty folder", () => {
  const ws = tempDir();
  writeFileSync(path.join(ws, "evidence.config.yaml"), "");
  assert.throws(() => assertSafeOutDir(ws, [ws]), /holds .*replaced on every build/);
  assert.throws(() => assertSafeOutDir(path.dirname(ws), [ws]), /holds/);
  assertSafeOutDir(path.join(ws, "reports", "2026-10"), [ws]);
  const foreign = path.join(ws, "docs");
  mkdirSync(foreign);
  writeFileSync(path.join(foreign, "notes.txt"), "mine");
  assert.throws(() => assertSafeOutDir(foreign, [ws]), /not an evidence package/);
  writeFileSync(path.join(foreign, "manifest.json"), "{}");
  assertSafeOutDir(foreign, [ws]);
});
