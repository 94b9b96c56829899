import { createHash } from "node:crypto";
import path from "node:path";
import type { LoadedConfig, SourceConfig } from "../config.ts";
import { InputError } from "../errors.ts";
import type { Progress } from "../progress.ts";
import { createRedactor, loadDefaultPatterns, loadSecretNames, type Redactor } from "../redact/index.ts";
import { REDACTION_RULES } from "../redact/clip.ts";
import { FileWriter, findSourceFile, SKIPPED_PARSER, type Db, type FileHeader } from "../store/index.ts";
import { ObservationIndex } from "../store/observations.ts";
import { createEnrichContext, type EnrichContext } from "./enrich.ts";
import { assertInsideWorkspace, findSourceFiles, INCOMPLETE_NOTE, sha256File } from "./files.ts";
import { recordSkippedFile } from "./skipped.ts";
import { recordTrailIntegrity } from "./cloudtrail/integrity.ts";
import { recordHookChains, type FoundFile } from "./agent/hook-chain-record.ts";
import { deriveCloudTrailAttribution } from "./cloudtrail/derived-attribution.ts";
import { writeIamPrincipal } from "../store/iam.ts";
import { materializeRepository, readGitHistory, resolveBranchTip } from "./git/read.ts";
import type { Parser } from "./parser.ts";
import { FILE_PARSERS } from "./registry.ts";
import { createTaskEnv, fileStamp, storeItems, writerRows, type FileTask, type StoreItem, type TaskEnv, type TaskMessage } from "./file-task.ts";
import { defaultWorkerCount, inlineRunner, POOL_MIN_BYTES, TASKS_PER_WORKER, workerRunner, type TaskRun, type TaskRunner } from "./pool.ts";

// The parser registry lives in its own module so parsing workers load the parsers and nothing else.
export { FILE_PARSERS };
const GIT_PARSER = { name: "git-log", version: "3" };
const NOT_AGENT_LOGS = new Set<SourceConfig["kind"]>(["cloudtrail", "git", "iam", "agent-settings", "github-pull-requests", "gitlab-merge-requests"]);

export interface FileResult {
  source: string;
  path: string;
  status: "ingested" | "unchanged" | "removed" | "failed" | "skipped";
  accepted: number;
  duplicates: number;
  rejected: number;
  redacted: number;
  notes: string[];
  error?: string;
}

export interface IngestSummary {
  files: FileResult[];
  ingested: number;
  unchanged: number;
  removed: number;
  failed: number;
  /** Files in a source's folders that are not logs (CloudTrail digests, Insights, Config): listed, not parsed. */
  skipped: number;
  accepted: number;
  rejected: number;
  redacted: number;
  /** Sources the store held that the config no longer names (or disables): their files were removed. */
  droppedSources: DroppedSource[];
}

export interface DroppedSource {
  source: string;
  files: number;
  reason: "not in the config" | "disabled";
}

export interface IngestOptions {
  /** Only these source names (all enabled sources when empty). */
  only?: string[];
  /** Where bundles are unpacked. */
  cacheDir: string;
  /** Recorded as the ingest time; passed in so tests and reports stay deterministic. */
  now: Date;
  progress: Progress;
  /** Parsing worker threads (default one per core but the writer's, or EVIDENCE_WORKERS); 0 parses on this thread. */
  workers?: number;
  /** Hash every input even when its size and modification time match the stored ones. */
  rehash?: boolean;
  /** Bytes to read from which a source is parsed in workers (default POOL_MIN_BYTES); tests set 0 to exercise the pool. */
  poolMinBytes?: number;
}

/** The parts of the config that shape stored records: when they change, every file is re-read. */
function contextHash(loaded: LoadedConfig, parserVersion: string): string {
  const { agents, environments, changeManagement, storage } = loaded.config;
  // Secret patterns too (built-in and configured): when they grow, stored files are re-read and re-redacted.
  // And how text is redacted: REDACTION_RULES changes when redaction itself does (clipping at tokens, IAM redacted).
  const redaction = [loadDefaultPatterns(), loadSecretNames(), loaded.config.redaction.patterns, REDACTION_RULES];
  // Summaries are counted per day of the report time zone, and what is summarised follows `storage`.
  const summaries = { storage, timezone: loaded.config.report.timezone };
  return createHash("sha256").update(JSON.stringify({ agents, environments, changeManagement, parserVersion, redaction, summaries })).digest("hex").slice(0, 16);
}

export async function ingestSources(db: Db, loaded: LoadedConfig, options: IngestOptions): Promise<IngestSummary> {
  const { config, root } = loaded;
  const unknown = (options.only ?? []).filter((name) => !config.sources.some((s) => s.name === name));
  if (unknown.length) {
    throw new InputError(`unknown source ${unknown.map((n) => `"${n}"`).join(", ")}; the config names: ${config.sources.map((s) => s.name).join(", ")}`);
  }
  const ctx = createEnrichContext(config);
  const files: FileResult[] = [];
  const dropped: DroppedSource[] = [];
  const runners = new Runners(config, options.workers ?? defaultWorkerCount(), options.poolMinBytes ?? POOL_MIN_BYTES);
  try {
    for (const source of config.sources) {
      if (!source.enabled) continue;
      if (options.only?.length && !options.only.includes(source.name)) continue;
      const redactor = createRedactor(config.redaction.patterns);
      if (source.kind === "git") {
        files.push(await ingestGit(db, loaded, source, ctx, redactor, options));
        continue;
      }
      const parser = FILE_PARSERS[source.kind](ctx);
      const found = await findSourceFiles(root, source.paths, { allowOutside: source.allowOutsidePaths });
      const seen = new Set<string>();
      const ctxHash = contextHash(loaded, parser.version);
      const plan: PlannedFile[] = [];
      const listed: FoundFile[] = [];
      for (const file of found) {
        const relPath = path.relative(root, file).split(path.sep).join("/");
        const stored = storedPath(relPath, redactor);
        seen.add(stored);
        listed.push({ file, stored });
        plan.push(await planFile(db, source, parser, root, file, { relPath, stored }, ctxHash, options));
      }
      files.push(...(await ingestPlanned(db, source, plan, runners, redactor, options)));
      files.push(...removeVanished(db, source.name, seen));
      // Hash-chained `evidence hook` logs among an agent-log source's files: verified per folder.
      if (!NOT_AGENT_LOGS.has(source.kind)) recordHookChains(db, source.name, listed, options.now);
      if (source.kind === "cloudtrail") {
        options.progress.update(`verify ${source.name} digests`);
        await recordTrailIntegrity(db, root, source, options.now, redactor);
      }
    }
    if (!options.only?.length) dropped.push(...removeDroppedSources(db, config.sources, files));
  } finally {
    await runners.close();
  }
  // CloudTrail calls tied to an agent by more than one record (session tags, agent-log commands).
  // A function of the stored records and the config (which re-reads every file when it changes):
  // when no file came, went or changed, the last run's result stands, and a rebuild skips a scan of
  // every stored call.
  if (files.some((f) => f.status !== "unchanged" && f.status !== "skipped")) deriveCloudTrailAttribution(db, ctx);
  options.progress.done();
  const sum = (f: (r: FileResult) => number) => files.reduce((n, r) => n + f(r), 0);
  return {
    files,
    ingested: files.filter((f) => f.status === "ingested").length,
    unchanged: files.filter((f) => f.status === "unchanged").length,
    removed: files.filter((f) => f.status === "removed").length,
    failed: files.filter((f) => f.status === "failed").length,
    skipped: files.filter((f) => f.status === "skipped").length,
    droppedSources: dropped,
    accepted: sum((f) => f.accepted),
    rejected: sum((f) => f.rejected),
    redacted: sum((f) => f.redacted),
  };
}

/**
 * A source taken out of the config, or disabled, no longer supplies evidence: its files leave the
 * store as vanished files do (with their records, counts, rejects and digest results), so a build
 * never counts records the config does not name. Only on a full ingest: `--source` reads some
 * sources and leaves the others as they are.
 */
function removeDroppedSources(db: Db, sources: readonly SourceConfig[], results: FileResult[]): DroppedSource[] {
  const enabled = new Set(sources.filter((s) => s.enabled).map((s) => s.name));
  const disabled = new Set(sources.filter((s) => !s.enabled).map((s) => s.name));
  const stored = db.prepare("SELECT source FROM source_files UNION SELECT source FROM cloudtrail_integrity UNION SELECT source FROM hook_chains ORDER BY source").pluck().all() as string[];
  const names = stored.filter((name) => !enabled.has(name));
  const out: DroppedSource[] = [];
  for (const source of names) {
    const removed = removeVanished(db, source, new Set());
    db.prepare("DELETE FROM cloudtrail_integrity WHERE source = ?").run(source);
    db.prepare("DELETE FROM hook_chains WHERE source = ?").run(source);
    results.push(...removed);
    out.push({ source, files: removed.length, reason: disabled.has(source) ? "disabled" : "not in the config" });
  }
  return out;
}

/** Files the store holds for a source that no longer exist are dropped, so the store mirrors the inputs. */
function removeVanished(db: Db, source: string, seen: Set<string>): FileResult[] {
  const rows = db.prepare("SELECT path FROM source_files WHERE source = ? ORDER BY path").all(source) as { path: string }[];
  const gone = rows.filter((r) => !seen.has(r.path));
  // Through the observation index: an agent action this file shared with others is recomputed from theirs.
  const joins = new ObservationIndex(db);
  db.transaction(() => gone.forEach((r) => joins.deleteFile(source, r.path)))();
  return gone.map((r) => ({ source, path: r.path, status: "removed", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [] }));
}

/**
 * The path a file is stored and shown under: redacted, since a file name can hold a secret (a
 * token pasted into an export's name) and the path reaches the inventory, the manifest and the
 * PDF. The file itself is always opened by its real path; the store only needs a stable key, and
 * redaction is deterministic (same secret, same placeholder), so a re-ingest finds the same row.
 */
function storedPath(relPath: string, redactor: Redactor): string {
  return redactor.mayHoldSecret(relPath) ? redactor.redact(relPath) : relPath;
}

function unchangedResult(source: string, relPath: string): FileResult {
  return { source, path: relPath, status: "unchanged", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [] };
}

/** A file found for a source: settled without reading it (unchanged, skipped) or a task to run. */
type PlannedFile =
  | { kind: "settled"; result: FileResult }
  | { kind: "task"; task: FileTask; relPath: string; header: Omit<FileHeader, "sha256" | "size">; stampSize: number };

/**
 * Decides what a file needs without reading it when possible. Size and modification time equal to
 * what the store recorded when it last read the file (same parser and config) mean unchanged: the
 * shortcut make and rsync take. The SHA-256 stays the authority: whenever size or time differ the
 * file is hashed and re-parsed only if its bytes changed (a touched file costs a hash, not a parse),
 * and `rehash` hashes everything, for the rare tool that rewrites a file keeping size and time.
 */
async function planFile(
  db: Db, source: SourceConfig, parser: Parser, root: string, file: string, paths: { relPath: string; stored: string }, ctxHash: string, options: IngestOptions,
): Promise<PlannedFile> {
  // The real path decides what the file is (skip rules match names); the stored one keys the store.
  const { stored: relPath } = paths;
  const stamp = fileStamp(file);
  const known = findSourceFile(db, source.name, relPath);
  const sameStamp = !options.rehash && known !== undefined && known.size === stamp.size && known.mtime_ms === stamp.mtimeMs;
  const skip = parser.skip?.(paths.relPath) ?? null;
  if (skip !== null) {
    const unchanged = sameStamp && known.parser === SKIPPED_PARSER && known.notes === JSON.stringify([skip]);
    const result: FileResult = { source: source.name, path: relPath, status: "skipped", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [] };
    if (unchanged) return { kind: "settled", result };
    const { sha256, size } = await sha256File(file);
    const entry = { source: source.name, path: relPath, kind: source.kind, sha256, size, ingestedAt: options.now.toISOString(), mtimeMs: stamp.mtimeMs };
    return { kind: "settled", result: recordSkippedFile(db, entry, skip, known) };
  }
  const current = known !== undefined && known.parser === parser.name && known.parser_version === parser.version && known.context_hash === ctxHash;
  if (current && sameStamp) return { kind: "settled", result: unchangedResult(source.name, relPath) };
  return {
    kind: "task",
    task: { source: source.name, kind: source.kind as FileTask["kind"], root, file, reuseSha: current ? known.sha256 : null },
    relPath,
    header: {
      source: source.name, path: relPath, kind: source.kind, parser: parser.name, parserVersion: parser.version, contextHash: ctxHash,
      ingestedAt: options.now.toISOString(), mtimeMs: stamp.mtimeMs,
    },
    stampSize: stamp.size,
  };
}

/**
 * Parsing where it is cheapest: on this thread for small reads, in a pool of workers (created once
 * per ingest, when the first source with enough bytes to read needs it) for large ones.
 */
class Runners {
  private pool: TaskRunner | null = null;
  private inline: TaskRunner | null = null;
  private env: TaskEnv | null = null;
  constructor(
    private readonly config: LoadedConfig["config"],
    readonly workers: number,
    private readonly minBytes: number,
  ) {}

  for(bytes: number): TaskRunner {
    if (this.workers > 0 && bytes >= this.minBytes) return (this.pool ??= workerRunner(this.config, this.workers));
    this.env ??= createTaskEnv(this.config, FILE_PARSERS);
    return (this.inline ??= inlineRunner(this.env));
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/**
 * Files written between two commits. Each file is still all or nothing (a savepoint inside the
 * batch, see FileWriter), but one COMMIT per delivery file was a large share of a CloudTrail ingest: every
 * commit rewrites the same index and table-tail pages into the WAL. A batch is committed after
 * BATCH_MS (a quarter second), so a killed run loses at most that much work, and readers (and the
 * crash test, which times its kills by committed files) see progress as it goes.
 */
const BATCH_MS = 250;

/**
 * Runs a source's tasks a few files ahead of the writer and writes each file, in order, in its own
 * savepoint. Only a window of files is in flight, so a slow file cannot make the others pile up.
 */
async function ingestPlanned(db: Db, source: SourceConfig, plan: PlannedFile[], runners: Runners, redactor: Redactor, options: IngestOptions): Promise<FileResult[]> {
  const tasks = plan.filter((p) => p.kind === "task");
  const runner = runners.for(tasks.reduce((n, t) => n + t.stampSize, 0));
  // Enough files in flight that every worker has its next TASKS_PER_WORKER while the writer is on
  // the oldest one; more only holds parsed files in memory (the writer sets the pace).
  const lookahead = Math.max(2, runners.workers * (TASKS_PER_WORKER + 1));
  const runs = new Map<number, TaskRun>();
  let started = 0;
  const results: FileResult[] = [];
  let done = 0;
  let batchStart = 0;
  try {
    for (const p of plan) {
      if (p.kind === "settled") {
        results.push(p.result);
        continue;
      }
      while (started < tasks.length && started < done + lookahead) runs.set(started, runner.run(tasks[started]!.task)), started++;
      options.progress.update(`ingest ${source.name} [${done + 1}/${tasks.length} to read] ${p.relPath}`);
      if (!db.inTransaction) {
        db.exec("BEGIN IMMEDIATE");
        batchStart = performance.now();
      }
      results.push(await writeTask(db, p, runs.get(done)!, redactor));
      runs.delete(done++);
      if (performance.now() - batchStart >= BATCH_MS) db.exec("COMMIT");
    }
  } finally {
    // Files written before a failure are complete: keep them.
    if (db.inTransaction) db.exec("COMMIT");
  }
  return results;
}

async function writeTask(db: Db, p: Extract<PlannedFile, { kind: "task" }>, run: TaskRun, redactor: Redactor): Promise<FileResult> {
  const it = run[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done || first.value.type !== "hashed") throw new Error(`${p.relPath}: parsing task ended before hashing`);
  const { sha256, size } = first.value;
  // A parse error (a file over a cap) is thrown inside the file transaction below, where it becomes the file's one reject.
  let next: IteratorResult<TaskMessage> | null = null;
  let early: unknown = null;
  try {
    next = await it.next();
  } catch (error) {
    early = error;
  }
  if (next && !next.done && next.value.type === "unchanged") {
    // Same bytes under a new modification time: remember it, so the next run skips the hash too.
    db.prepare("UPDATE source_files SET mtime_ms = ? WHERE source = ? AND path = ?").run(p.header.mtimeMs ?? null, p.header.source, p.header.path);
    return unchangedResult(p.header.source, p.header.path);
  }
  let redacted = 0;
  async function* batches(): AsyncGenerator<StoreItem[]> {
    if (early) throw early;
    for (let m = next!; !m.done; m = await it.next()) {
      if (m.value.type === "items") yield m.value.items;
      else if (m.value.type === "done") redacted = m.value.redacted;
    }
  }
  return writeBatches(db, { ...p.header, sha256, size }, batches(), () => redacted, redactor);
}

async function ingestGit(
  db: Db, loaded: LoadedConfig, source: SourceConfig, ctx: EnrichContext, redactor: Redactor, options: IngestOptions,
): Promise<FileResult> {
  const repository = path.resolve(loaded.root, source.repository!);
  const realPath = path.relative(loaded.root, repository).split(path.sep).join("/");
  const relPath = storedPath(realPath, redactor);
  if (!source.allowOutsidePaths) assertInsideWorkspace(loaded.root, repository);
  try {
    options.progress.update(`ingest ${source.name} ${relPath}`);
    const bundle = repository.endsWith(".bundle") ? await sha256File(repository).catch(() => null) : null;
    if (repository.endsWith(".bundle") && !bundle) throw new InputError(`${relPath}: git bundle not found`);
    const repo = materializeRepository(repository, bundle?.sha256 ?? null, options.cacheDir);
    const tip = resolveBranchTip(repo, source.productionBranch);
    // The repository's identity for change detection: the production tip (and the bundle's bytes).
    const sha256 = createHash("sha256").update(`${tip}\n${bundle?.sha256 ?? ""}\n${source.productionBranch}\n${source.lineCounts}\n${source.verifySignatures}`).digest("hex");
    const ctxHash = contextHash(loaded, GIT_PARSER.version);
    const known = findSourceFile(db, source.name, relPath);
    if (known && known.sha256 === sha256 && known.parser_version === GIT_PARSER.version && known.context_hash === ctxHash) {
      return unchangedResult(source.name, relPath);
    }
    const header = {
      source: source.name, path: relPath, kind: "git", sha256, size: bundle?.size ?? 0, parser: GIT_PARSER.name,
      parserVersion: GIT_PARSER.version, contextHash: ctxHash, ingestedAt: options.now.toISOString(),
    };
    const cm = loaded.config.changeManagement;
    const gitOptions = { lineCounts: source.lineCounts, verifySignatures: source.verifySignatures, sensitivePaths: cm.sensitivePaths, emergencyTrailers: cm.emergencyTrailers, tip };
    const before = redactor.total();
    const items = storeItems(readGitHistory(repo, source.name, source.productionBranch, ctx, gitOptions), redactor, null);
    return await writeBatches(db, header, items, () => redactor.total() - before, redactor);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { source: source.name, path: relPath, status: "failed", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [], error: error.message };
  }
}

/** Applies a file's batches (already redacted and summarised, src/ingest/file-task.ts) inside one file transaction. */
async function writeBatches(
  db: Db, header: FileHeader, batches: AsyncIterable<StoreItem[]>, redacted: () => number, redactor: Redactor,
): Promise<FileResult> {
  const writer = new FileWriter(db, header);
  const rows = writerRows(redactor);
  let skipped: string | null = null;
  try {
    for await (const batch of batches) {
      for (const item of batch) {
        if (item.kind === "skipped") skipped = item.reason;
        else if (item.kind === "event-row") writer.eventRow(item.row);
        else if (item.kind === "unredacted-row") writer.eventRow(rows.row(item.row));
        else if (item.kind === "summary") writer.summary(item.summary);
        else if (item.kind === "commit") writer.commit_(item.commit);
        else if (item.kind === "pull-request") writer.pullRequest(item.pullRequest);
        else if (item.kind === "review") writer.review(item.review);
        else if (item.kind === "agent-settings") writer.agentSettings(item.settings);
        else if (item.kind === "iam-principal") writeIamPrincipal(db, writer, item.principal);
        else if (item.kind === "reject") writer.reject(item.reject);
        else if (item.kind === "summarised-duplicates") writer.summarisedDuplicates(item.n);
        else {
          writer.note(item.text);
          // A parser that stopped early says so in a note: the file's population is incomplete.
          if (item.text.startsWith(INCOMPLETE_NOTE)) writer.incomplete(item.text.slice(INCOMPLETE_NOTE.length));
        }
      }
    }
    if (skipped !== null) {
      // Recognised by content as a file not to read (the parser yields nothing else): listed like a file skipped by its path.
      writer.rollback();
      return recordSkippedFile(db, header, skipped, undefined);
    }
    writer.counts.redacted = redacted() + rows.redacted();
    const c = writer.commit();
    return { source: header.source, path: header.path, status: "ingested", accepted: c.accepted, duplicates: c.duplicates, rejected: c.rejected, redacted: c.redacted, notes: c.notes };
  } catch (error) {
    writer.rollback();
    if (!(error instanceof InputError)) throw error;
    // A file refused whole (over the size cap, a gzip bomb) is still recorded, as one reject, so
    // the evidence inventory shows it and no record vanishes without a trace.
    const refused = new FileWriter(db, header);
    const reason = redactor.redact(error.message);
    refused.reject({ locator: "file", reason, incomplete: `file refused: ${reason.split("\n")[0]}` });
    refused.note(`${INCOMPLETE_NOTE}refused: ${reason}`);
    refused.commit();
    return { source: header.source, path: header.path, status: "failed", accepted: 0, duplicates: 0, rejected: 1, redacted: 0, notes: [], error: reason };
  }
}
