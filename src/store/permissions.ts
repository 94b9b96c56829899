import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from "node:fs";
import path from "node:path";

/**
 * The store holds redacted but still sensitive audit data (commands, user names, account ids), so
 * it is readable by its owner only. New files are created 0600 (SQLite gives its -wal and -shm files
 * the mode of the database file); a store created by an older version, or copied in under a loose
 * umask, is tightened on open. The folder is created 0700, but an existing folder is left alone:
 * `--db /tmp/x.db` must not chmod /tmp.
 */
export function createOwnerOnly(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, "a", 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(f) && (statSync(f).mode & 0o077) !== 0) chmodSync(f, 0o600);
  }
}
