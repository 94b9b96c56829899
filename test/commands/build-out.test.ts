import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { copySmallSample, runCli, tempDir } from "../helpers/workspace.ts";

/** Where `build` writes its package and what it refuses to replace, through the real CLI. */

/** Every entry under `dir` with each file's bytes as hex: equal snapshots mean nothing was touched. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .sort()
    .map((p) => (lstatSync(path.join(dir, p)).isFile() ? `${p}=${readFileSync(path.join(dir, p)).toString("hex")}` : `${p}/`));
}

test("--out naming a folder that is not an earlier package (a git checkout with another tool's manifest.json): exit 2, nothing deleted", (t) => {
  const ws = copySmallSample();
  const tmp = tempDir();
  t.after(() => {
    rmSync(ws, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });
  const x = path.join(tmp, "X");
  mkdirSync(path.join(x, "src"), { recursive: true });
  writeFileSync(path.join(x, "manifest.json"), '{"manifest_version":3}\n');
  writeFileSync(path.join(x, "src", "a.js"), "c\n");
  assert.equal(spawnSync("git", ["-C", x, "init", "-q"]).status, 0, "git init");
  const before = snapshot(x);
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", x]);
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, /--out .*X: the folder is not empty and is not an evidence package \(manifest\.json: not an evidence manifest .*refusing to replace it, nothing was changed/);
  assert.deepEqual(snapshot(x), before, "X is as it was");
  assert.deepEqual(readdirSync(tmp), ["X"], "no temporary or moved-aside sibling either");
});

test("the default --out is reports/<period>/ beside the config; another workspace may not replace that package without --force", (t) => {
  const ws = copySmallSample();
  const ws2 = copySmallSample();
  const elsewhere = tempDir();
  t.after(() => {
    for (const dir of [ws, ws2, elsewhere]) rmSync(dir, { recursive: true, force: true });
  });
  const first = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--quiet"], { cwd: elsewhere });
  assert.equal(first.status, 0, first.stderr);
  const out = path.join(ws, "reports", "2026-10");
  assert.ok(existsSync(path.join(out, "report.pdf")), "the package is beside the config");
  assert.deepEqual(readdirSync(elsewhere), [], "nothing is written to the current folder");
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { workspace?: string };
  assert.equal(manifest.workspace, "../../evidence.config.yaml");
  assert.equal(runCli(["verify", out]).status, 0);

  const before = snapshot(out);
  const second = runCli(["build", "--config", path.join(ws2, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--quiet"]);
  assert.equal(second.status, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`holds the 2026-10 package that the workspace of ${path.join(ws, "evidence.config.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} wrote; refusing to replace it \\(pass --force`));
  assert.deepEqual(snapshot(out), before, "the first workspace's package is untouched");

  const forced = runCli(["build", "--config", path.join(ws2, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--quiet", "--force"]);
  assert.equal(forced.status, 0, forced.stderr);
  const replaced = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { workspace?: string };
  assert.equal(replaced.workspace, path.relative(out, path.join(ws2, "evidence.config.yaml")));
});
