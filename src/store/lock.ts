import Database from "better-sqlite3";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { InputError } from "../errors.ts";
import { createOwnerOnly } from "./permissions.ts";

/**
 * One writing run per store. The lock is an exclusive SQLite transaction held on an empty file
 * beside the store for the whole run. SQLite takes it with fcntl byte-range locks, which the kernel
 * drops when the process ends however it ends (SIGKILL, OOM, power-off of a container), so a
 * crashed run never leaves a stale lock behind and no process-id guessing is needed; SQLite's
 * busy timeout gives waiting for free. Who holds the lock is written to a small JSON file beside
 * it, only to make the refusal message useful.
 */
export interface StoreLock {
  readonly file: string;
  release(): void;
}

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export interface LockOptions {
  /** How long to wait for another run to finish; 0 refuses at once. */
  waitMs: number;
  /** What this run is doing, shown to a run that is refused (e.g. `build --period 2026-10`). */
  command: string;
  now?: () => Date;
}

export function lockFileOf(dbPath: string): string {
  return `${dbPath}.lock`;
}

function holderFileOf(lockFile: string): string {
  return `${lockFile}.json`;
}

function readHolder(lockFile: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(holderFileOf(lockFile), "utf8")) as Partial<LockHolder>;
    return typeof h.pid === "number" && typeof h.command === "string" ? (h as LockHolder) : null;
  } catch {
    return null;
  }
}

export function describeHolder(h: LockHolder | null): string {
  if (!h) return "another evidence run";
  return `another evidence run (pid ${h.pid} on ${h.host}, "${h.command}", since ${h.since})`;
}

/** Takes the store's lock, waiting up to `waitMs`; throws an InputError naming the holder when it stays taken. */
export function lockStore(dbPath: string, options: LockOptions): StoreLock {
  const file = lockFileOf(dbPath);
  // Owner-only like the store itself: the holder file names the command line being run.
  createOwnerOnly(file);
  const db = new Database(file, { timeout: Math.max(0, Math.round(options.waitMs)) });
  try {
    // Nothing is ever written to the lock file, so no rollback journal is needed beside it.
    db.pragma("journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== "SQLITE_BUSY") throw error;
    const waited = options.waitMs > 0 ? ` after waiting ${+(options.waitMs / 1000).toFixed(1)} s` : "";
    throw new InputError(
      `the store ${path.basename(dbPath)} is in use by ${describeHolder(readHolder(file))}${waited}; ` +
        "let it finish, or pass --lock-wait SECONDS to queue behind it",
      dbPath,
    );
  }
  const holder: LockHolder = { pid: process.pid, host: hostname(), command: options.command, since: (options.now?.() ?? new Date()).toISOString() };
  writeFileSync(holderFileOf(file), JSON.stringify(holder) + "\n", { mode: 0o600 });
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      rmSync(holderFileOf(file), { force: true });
      db.close();
    },
  };
}
