import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openStore } from "../../src/store/index.ts";
import { lockStore } from "../../src/store/lock.ts";
import { tempDir } from "../helpers/workspace.ts";

const mode = (file: string) => statSync(file).mode & 0o777;

/** Runs `fn` under a umask that would leave new files world-readable, restoring the old one after. */
function withUmask<T>(umask: number, fn: () => T): T {
  const old = process.umask(umask);
  try {
    return fn();
  } finally {
    process.umask(old);
  }
}

test("a new store, its WAL files, lock and folder are owner-only even under umask 000", () => {
  const dir = path.join(tempDir(), ".evidence");
  const file = path.join(dir, "evidence.db");
  withUmask(0, () => {
    const lock = lockStore(file, { waitMs: 0, command: "test" });
    const db = openStore(file);
    db.prepare("SELECT count(*) FROM events").get();
    assert.equal(mode(dir), 0o700);
    const names = readdirSync(dir).sort();
    assert.deepEqual(names, ["evidence.db", "evidence.db-shm", "evidence.db-wal", "evidence.db.lock", "evidence.db.lock.json"]);
    for (const name of names) assert.equal(mode(path.join(dir, name)), 0o600, name);
    db.close();
    lock.release();
  });
});

test("an existing world-readable store is tightened to 0600 on open; an existing folder is left alone", () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, "shared"), { mode: 0o755 });
  chmodSync(path.join(dir, "shared"), 0o755);
  const file = path.join(dir, "shared", "evidence.db");
  openStore(file).close();
  chmodSync(file, 0o644);
  writeFileSync(`${file}-wal`, "");
  chmodSync(`${file}-wal`, 0o666);
  openStore(file).close();
  assert.equal(mode(file), 0o600);
  assert.equal(mode(path.join(dir, "shared")), 0o755);
});
