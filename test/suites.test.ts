import { test } from "node:test";
import assert from "node:assert/strict";
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
