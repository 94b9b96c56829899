import { fork, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { REPO_ROOT } from "./workspace.ts";

const CHILD = path.join(REPO_ROOT, "test", "helpers", "cli-child.ts");

/** The crash test's seed when CRASH_SEED is not set: every run kills at the same points unless asked otherwise. */
export const DEFAULT_CRASH_SEED = 20_261_001;

/** The seed for the crash test's kill points: CRASH_SEED (a non-negative integer) to explore or replay, else the fixed default. */
export function crashSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env["CRASH_SEED"];
  if (raw === undefined || raw === "") return DEFAULT_CRASH_SEED;
  if (!/^\d{1,9}$/.test(raw)) throw new Error(`CRASH_SEED must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export interface CliChild {
  child: ChildProcess;
  /** Resolves once every module is loaded. */
  ready: Promise<void>;
  /** Starts the run; returns the time it started. */
  go(): number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts the real CLI in a child process, paused until `go()` (see cli-child.ts). */
export function startCli(args: string[]): CliChild {
  const child = fork(CHILD, args, { cwd: REPO_ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", "pipe", "pipe", "ipc"], env: { ...process.env, NO_COLOR: "1" } });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`CLI child exited (${code}) before it was ready: ${stderr}`)));
  });
  // A child killed before it is ready (the spare one at the end of a test) must not fail the run.
  ready.catch(() => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    child,
    ready,
    go() {
      child.send("go");
      return performance.now();
    },
    exited,
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tables whose rows belong to one source file (`file_id`), from the schema itself. */
export function fileTables(db: Database.Database): string[] {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  return names.filter((t) => (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(t) as string[]).includes("file_id"));
}

export interface StoreState {
  integrity: string;
  /** source/path -> "records_read accepted duplicates rejected redacted". */
  files: Map<string, string>;
  /** Row count per file-owned table, plus derived tables. */
  tables: Record<string, number>;
  /** Files whose stored rows disagree with their counts: a half-written file. */
  partial: string[];
}

/**
 * Reads a store the way a later run would (WAL recovery included) and checks each file's records
 * are all there or all absent. Rejects must match exactly. Data rows: an agent action reported by
 * several files lives in `observations` (one row per file) and its merged `events` row, so a file's
 * own contribution is its rows in every file table except that merged row; it lies between
 * `accepted` and `accepted + duplicates` (a CloudTrail or git duplicate is not stored twice).
 */
export function readStore(file: string): StoreState {
  const db = new Database(file, { timeout: 10_000 });
  try {
    const integrity = db.pragma("integrity_check", { simple: true }) as string;
    const tables = fileTables(db);
    const rows = db.prepare("SELECT id, source, path, records_read, accepted, duplicates, rejected, redacted FROM source_files").all() as {
      id: number; source: string; path: string; records_read: number; accepted: number; duplicates: number; rejected: number; redacted: number;
    }[];
    const files = new Map(rows.map((r) => [`${r.source}/${r.path}`, `${r.records_read} ${r.accepted} ${r.duplicates} ${r.rejected} ${r.redacted}`]));
    const perFile = (sql: string) => new Map((db.prepare(sql).all() as { id: number; n: number }[]).map((r) => [r.id, r.n]));
    const rejects = perFile("SELECT file_id AS id, count(*) AS n FROM rejects GROUP BY file_id");
    const data = tables
      .filter((t) => t !== "rejects" && t !== "events")
      // A summary row stands for `n` accepted records (storage.cloudtrail.mode: summarise).
      .map((t) => perFile(`SELECT file_id AS id, ${t === "event_summaries" ? "sum(n)" : "count(*)"} AS n FROM ${t} GROUP BY file_id`));
    const ownEvents = perFile(
      `SELECT e.file_id AS id, count(*) AS n FROM events e
       WHERE NOT EXISTS (SELECT 1 FROM observations o WHERE o.source_kind = e.source_kind AND o.event_key = e.event_key) GROUP BY e.file_id`,
    );
    const partial: string[] = [];
    for (const r of rows) {
      const own = data.reduce((n, m) => n + (m.get(r.id) ?? 0), 0) + (ownEvents.get(r.id) ?? 0);
      const ok = (rejects.get(r.id) ?? 0) === r.rejected && r.records_read === r.accepted + r.duplicates + r.rejected && own >= r.accepted && own <= r.accepted + r.duplicates;
      if (!ok) partial.push(`${r.source}/${r.path}: counts ${files.get(`${r.source}/${r.path}`)}, stored rows ${own}, rejects ${rejects.get(r.id) ?? 0}`);
    }
    const counts: Record<string, number> = {};
    for (const t of [...tables, "events", "changes"].sort()) counts[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number;
    return { integrity, files, tables: counts, partial };
  } finally {
    db.close();
  }
}

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

/** Problems with a package folder: every file listed in the manifest with its hash, nothing else. */
export function packageProblems(dir: string): string[] {
  const manifestFile = path.join(dir, "manifest.json");
  if (!existsSync(manifestFile)) return ["no manifest.json"];
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { outputs: { path: string; sha256: string }[] };
  const problems: string[] = [];
  const listed = new Set(manifest.outputs.map((o) => o.path));
  for (const o of manifest.outputs) {
    const file = path.join(dir, o.path);
    if (!existsSync(file)) problems.push(`missing ${o.path}`);
    else if (createHash("sha256").update(readFileSync(file)).digest("hex") !== o.sha256) problems.push(`changed ${o.path}`);
  }
  for (const f of listFiles(dir)) if (f !== "manifest.json" && !listed.has(f)) problems.push(`unlisted ${f}`);
  return problems;
}

/** Sibling folders a run writes through (`<out>.tmp-<pid>`, `<out>.old-<pid>`). */
export function tempSiblings(outDir: string): string[] {
  const parent = path.dirname(outDir);
  const base = path.basename(outDir);
  return existsSync(parent) ? readdirSync(parent).filter((n) => n.startsWith(`${base}.tmp-`) || n.startsWith(`${base}.old-`)).sort() : [];
}
