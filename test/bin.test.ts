import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, runCli, tempDir } from "./helpers/workspace.ts";

test("evidence --version prints the package's version", () => {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  const r = runCli(["--version"]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), version);
});

/**
 * bin/evidence.js in a folder laid out like the package, with stand-in entry points that say which
 * one ran: dist/cli.js (compiled) or src/cli.ts (through tsx).
 */
function layout(t: { after(fn: () => void): void }): { root: string; run(): string } {
  const root = tempDir("evidence-bin-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const dir of ["bin", "dist", "src/sub"]) mkdirSync(path.join(root, dir), { recursive: true });
  for (const f of ["evidence.js", "runtime.js"]) copyFileSync(path.join(REPO_ROOT, "bin", f), path.join(root, "bin", f));
  writeFileSync(path.join(root, "package.json"), '{ "type": "module" }\n');
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
  writeFileSync(path.join(root, "dist", "cli.js"), 'export async function main() { process.stdout.write("dist"); return 0; }\n');
  writeFileSync(path.join(root, "src", "cli.ts"), 'export async function main(): Promise<number> { process.stdout.write("src"); return 0; }\n');
  writeFileSync(path.join(root, "src", "sub", "data.json"), "{}\n");
  const past = new Date("2026-01-01T00:00:00Z");
  for (const f of ["src/cli.ts", "src/sub/data.json"]) utimesSync(path.join(root, f), past, past);
  writeFileSync(path.join(root, "dist", "build-stamp.json"), JSON.stringify({ sourcesAsOf: past.getTime() + 1000 }));
  return {
    root,
    run: () => {
      const r = spawnSync(process.execPath, [path.join(root, "bin", "evidence.js")], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    },
  };
}

test("bin/evidence.js runs dist/ when it was built from the current sources, and the sources when any of them is newer or dist/ has no stamp", (t) => {
  const { root, run } = layout(t);
  assert.equal(run(), "dist");
  const later = new Date("2026-06-01T00:00:00Z");
  utimesSync(path.join(root, "src", "sub", "data.json"), later, later);
  assert.equal(run(), "src", "a data file edited after the build, in a subfolder");
  writeFileSync(path.join(root, "dist", "build-stamp.json"), JSON.stringify({ sourcesAsOf: later.getTime() + 1000 }));
  assert.equal(run(), "dist");
  rmSync(path.join(root, "dist", "build-stamp.json"));
  assert.equal(run(), "src", "a dist/ without a stamp is not trusted in a checkout");
  rmSync(path.join(root, "src"), { recursive: true });
  assert.equal(run(), "dist", "installed: no src/, the compiled CLI");
});
