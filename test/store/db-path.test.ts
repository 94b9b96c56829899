import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { runCli, tempDir } from "../helpers/workspace.ts";
import { openStore } from "../../src/store/index.ts";

/**
 * `--db` naming something that is not an evidence store (a text file, a folder, another program's
 * SQLite database) is refused with exit 2 before anything touches it: no chmod, no `<file>.lock`.
 */
async function workspace(t: { after(fn: () => void): void }): Promise<{ root: string; config: string }> {
  const root = tempDir();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const init = runCli(["init", path.join(root, "ws")]);
  assert.equal(init.status, 0, init.stderr);
  return { root, config: path.join(root, "ws", "evidence.config.yaml") };
}

function state(file: string): string {
  const st = statSync(file);
  return `${(st.mode & 0o777).toString(8)} ${st.isDirectory() ? readdirSync(file).join(",") : readFileSync(file).toString("hex")}`;
}

test("--db naming a text file, a folder or another program's SQLite database: exit 2, the file untouched, no lock file", async (t) => {
  const { root, config } = await workspace(t);
  const text = path.join(root, "notes.txt");
  writeFileSync(text, "my notes\n");
  const folder = path.join(root, "folder");
  mkdirSync(folder);
  writeFileSync(path.join(folder, "keep.txt"), "x");
  const foreign = path.join(root, "app.sqlite");
  const db = new Database(foreign);
  db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('li.wei');");
  db.close();
  const cases: [string, RegExp][] = [
    [text, /is not an SQLite database, not an evidence store; refusing to use it \(nothing was changed\)/],
    [folder, /is a folder, not an evidence store/],
    [foreign, /is an SQLite database of another program, not an evidence store/],
  ];
  for (const [file, message] of cases) {
    chmodSync(file, 0o755);
    const before = state(file);
    for (const command of [["ingest"], ["build", "--period", "2026-10"], ["controls"]]) {
      const result = runCli([...command, "--config", config, "--db", file, "--quiet"]);
      assert.equal(result.status, 2, `${command[0]} ${file}: ${result.stderr}`);
      assert.ok(result.stderr.startsWith(`evidence: --db ${file}: `) && result.stderr.trim().split("\n").length === 1, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /internal error/);
      assert.equal(state(file), before, `${file} untouched (mode and content)`);
      assert.ok(!existsSync(`${file}.lock`), `no ${file}.lock`);
    }
  }
});

test("a new path, an empty file and an existing store are accepted", async (t) => {
  const { root, config } = await workspace(t);
  const fresh = path.join(root, "new", "evidence.db");
  assert.equal((runCli(["ingest", "--config", config, "--db", fresh, "--quiet"])).status, 0);
  assert.ok(existsSync(fresh));
  assert.equal((runCli(["ingest", "--config", config, "--db", fresh, "--quiet"])).status, 0, "the store it made is accepted again");
  const empty = path.join(root, "empty.db");
  writeFileSync(empty, "");
  openStore(empty).close();
  openStore(empty).close();
});
