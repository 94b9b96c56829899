import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./helpers/workspace.ts";

test("test/suites.json: every e2e entry is an existing test file with its reason, listed once and in order", () => {
  const { e2e } = JSON.parse(readFileSync(path.join(REPO_ROOT, "test", "suites.json"), "utf8")) as { e2e: { path: string; why: string }[] };
  const paths = e2e.map((e) => e.path);
  assert.deepEqual(paths.filter((p) => !/^test\/.+\.test\.ts$/.test(p) || !existsSync(path.join(REPO_ROOT, p))), [], "not an existing test file");
  assert.deepEqual(paths, [...new Set(paths)].sort(), "sorted, no duplicates");
  assert.deepEqual(e2e.filter((e) => !e.why?.trim()).map((e) => e.path), [], "each says why it is slow");
});

test("npm run test:unit and test:e2e split npm test's files between them: every file in exactly one", () => {
  const list = (suite: string) => {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "tools", "test.mjs"), suite, "--list"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean);
  };
  const [all, unit, e2e] = [list("all"), list("unit"), list("e2e")];
  assert.ok(all.includes("test/suites.test.ts") && all.length > 100, `all: ${all.length} files`);
  assert.deepEqual([...unit, ...e2e].sort(), all, "unit + e2e is the full suite");
  assert.deepEqual(unit.filter((f) => e2e.includes(f)), [], "no file in both");
});
