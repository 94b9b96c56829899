import path from "node:path";
import { loadConfig, type LoadedConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { visibleJson, visibleText } from "../visible-text.ts";
import { createProgress, type Progress } from "../progress.ts";
import { assertStorePath, openStore, type Db } from "../store/index.ts";
import { lockStore, type LockOptions } from "../store/lock.ts";

/** Flags every command accepts. */
export interface GlobalOptions {
  config: string;
  db?: string | undefined;
  json: boolean;
  quiet: boolean;
  /** Seconds to wait for another run holding the store's lock (0: refuse at once). */
  lockWait?: number | undefined;
}

export { TOOL_VERSION } from "../version.ts";

export interface Workspace {
  loaded: LoadedConfig;
  dbPath: string;
  cacheDir: string;
  progress: Progress;
  /** How commands that write the store take its lock (src/store/lock.ts). */
  lock: LockOptions;
}

/** Loads the config and works out where the store lives: `--db`, else `.evidence/evidence.db` beside the config. */
export function openWorkspace(options: GlobalOptions): Workspace {
  const loaded = loadConfig(options.config);
  const dbPath = options.db ? path.resolve(options.db) : path.join(loaded.root, ".evidence", "evidence.db");
  // Before the lock file or the owner-only chmod can touch whatever the path names.
  assertStorePath(dbPath, options.db ? "--db" : "store");
  const wait = options.lockWait ?? 0;
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError(`invalid --lock-wait "${options.lockWait}": expected a number of seconds, 0 or more`);
  // The command line names the run that holds the lock in another run's refusal message.
  const lock = { waitMs: wait * 1000, command: process.argv.slice(2).join(" ").slice(0, 200) };
  return { loaded, dbPath, cacheDir: path.join(path.dirname(dbPath), "cache"), progress: createProgress({ quiet: options.quiet || options.json }), lock };
}

/** Opens the store for a run that writes it: under the store's lock when `lock` is given, released on every exit path. */
export async function withStore<T>(dbPath: string, fn: (db: Db) => Promise<T>, lock?: LockOptions): Promise<T> {
  const held = lock ? lockStore(dbPath, lock) : null;
  try {
    const db = openStore(dbPath);
    return await fn(db).finally(() => db.close());
  } finally {
    held?.release();
  }
}

/** Writes machine output to stdout (with --json) or human lines (otherwise). */
export function output(options: GlobalOptions, json: unknown, human: () => string): void {
  // Text quotes commit messages and commands, whose escape sequences could recolour, erase or
  // fake lines of a CI log.
  process.stdout.write(options.json ? visibleJson(JSON.stringify(json, null, 2)) + "\n" : visibleText(human()) + "\n");
}
