import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, tempDir } from "./helpers/workspace.ts";

test("a temporary folder made by tempDir is removed when the test process exits, even when the test did not remove it", (t) => {
  const tmp = tempDir("evidence-tmpdir-");
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const helper = pathToFileURL(path.join(REPO_ROOT, "test", "helpers", "workspace.ts")).href;
  const script = `import { writeFileSync } from "node:fs"; const { tempDir } = await import(${JSON.stringify(helper)});
    const a = tempDir("left-"); writeFileSync(a + "/store.db", "x"); tempDir("also-left-"); process.stdout.write(a);`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith(tmp), r.stdout);
  assert.deepEqual(readdirSync(tmp).filter((f) => !f.startsWith("tsx-")), [], "nothing left behind but tsx's own cache");
});
