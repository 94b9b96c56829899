import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { lockStore } from "../../src/store/lock.ts";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";

const LOCK_MODULE = path.join(REPO_ROOT, "src", "store", "lock.ts");

/** A second process that takes the lock, says so on stdout, and holds it for `holdMs`. */
async function holdInChild(dbPath: string, holdMs: number) {
  const script = `const { lockStore } = await import(${JSON.stringify(LOCK_MODULE)});
    lockStore(${JSON.stringify(dbPath)}, { waitMs: 0, command: "build --period 2026-10" });
    process.stdout.write("locked\\n");
    setTimeout(() => {}, ${holdMs});`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const [data] = (await once(child.stdout, "data")) as [Buffer];
  assert.equal(data.toString().trim(), "locked");
  return child;
}

test("a second writer is refused with a message naming the holder, and gets the lock once it is released", () => {
  const db = path.join(tempDir(), ".evidence", "evidence.db");
  const first = lockStore(db, { waitMs: 0, command: "build --period 2026-10", now: () => new Date("2026-11-01T10:00:00Z") });
  assert.equal(statSync(first.file).mode & 0o777, 0o600);
  assert.throws(
    () => lockStore(db, { waitMs: 0, command: "ingest" }),
    (e: Error) => e.name === "InputError" && /in use by another evidence run \(pid \d+ on .+, "build --period 2026-10", since 2026-11-01T10:00:00.000Z\); let it finish, or pass --lock-wait/.test(e.message),
  );
  first.release();
  assert.ok(!existsSync(`${first.file}.json`), "holder note removed on release");
  lockStore(db, { waitMs: 0, command: "ingest" }).release();
});

test("a waiting writer gets the lock when the other process finishes; refusing after the wait says how long it waited", async () => {
  const db = path.join(tempDir(), "evidence.db");
  const child = await holdInChild(db, 700);
  assert.throws(() => lockStore(db, { waitMs: 200, command: "build" }), /in use by another evidence run \(pid \d+.*after waiting 0.2 s/);
  const started = Date.now();
  const lock = lockStore(db, { waitMs: 10_000, command: "build" });
  assert.ok(Date.now() - started < 5000);
  lock.release();
  await once(child, "exit");
});

test("a holder killed with SIGKILL leaves no stale lock: the next run takes it at once", async () => {
  const db = path.join(tempDir(), "evidence.db");
  const child = await holdInChild(db, 60_000);
  assert.throws(() => lockStore(db, { waitMs: 0, command: "build" }), /in use/);
  child.kill("SIGKILL");
  await once(child, "exit");
  lockStore(db, { waitMs: 0, command: "build" }).release();
});
