import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig, type LoadedConfig } from "../config.ts";
import { createProgress, type Progress } from "../progress.ts";
import { openStore, type Db } from "../store/index.ts";

/** Flags every command accepts. */
export interface GlobalOptions {
  config: string;
  db?: string | undefined;
  json: boolean;
  quiet: boolean;
}

export const TOOL_VERSION: string = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")).version;

export interface Workspace {
  loaded: LoadedConfig;
  dbPath: string;
  cacheDir: string;
  progress: Progress;
}

/** Loads the config and works out where the store lives: `--db`, else `.evidence/evidence.db` beside the config. */
export function openWorkspace(options: GlobalOptions): Workspace {
  const loaded = loadConfig(options.config);
  const dbPath = options.db ? path.resolve(options.db) : path.join(loaded.root, ".evidence", "evidence.db");
  return { loaded, dbPath, cacheDir: path.join(path.dirname(dbPath), "cache"), progress: createProgress({ quiet: options.quiet || options.json }) };
}

export function withStore<T>(dbPath: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = openStore(dbPath);
  return fn(db).finally(() => db.close());
}

/** Writes machine output to stdout (with --json) or human lines (otherwise). */
export function output(options: GlobalOptions, json: unknown, human: () => string): void {
  process.stdout.write(options.json ? JSON.stringify(json, null, 2) + "\n" : human() + "\n");
}
