import { createHash } from "node:crypto";
import path from "node:path";
import type { LoadedConfig, SourceConfig } from "../config.ts";
import { InputError } from "../errors.ts";
import type { Progress } from "../progress.ts";
import { createRedactor, loadDefaultPatterns, type Redactor } from "../redact/index.ts";
import { FileWriter, findSourceFile, type Db, type RejectRecord } from "../store/index.ts";
import { ObservationIndex } from "../store/observations.ts";
import { createAgentSettingsParser } from "./agent/agent-settings.ts";
import { createAgentLogsParser } from "./agent/auto.ts";
import { createClaudeCodeHooksParser } from "./agent/claude-code-hooks.ts";
import { createClaudeCodeOtelParser } from "./agent/claude-code-otel.ts";
import { createClaudeCodeTranscriptParser } from "./agent/claude-code-transcript.ts";
import { createCodexOtelParser } from "./agent/codex-otel.ts";
import { createCodexRolloutParser } from "./agent/codex-rollout.ts";
import { createCopilotCliHooksParser } from "./agent/copilot-cli-hooks.ts";
import { createCursorHooksParser } from "./agent/cursor-hooks.ts";
import { createGeminiCliParser } from "./agent/gemini-cli.ts";
import { createGenericAgentLogParser } from "./agent/generic-jsonl.ts";
import { createGitHubAuditLogParser } from "./agent/github-audit-log.ts";
import { createKiroHooksParser } from "./agent/kiro-hooks.ts";
import { createOtlpGenAiParser } from "./agent/otlp-genai.ts";
import { createWindsurfHooksParser } from "./agent/windsurf-hooks.ts";
import { createCloudTrailS3Parser } from "./cloudtrail/s3-delivery.ts";
import { createEnrichContext, type EnrichContext } from "./enrich.ts";
import { assertInsideWorkspace, findSourceFiles, parserInput, sha256File } from "./files.ts";
import { recordSkippedFile } from "./skipped.ts";
import { recordTrailIntegrity } from "./cloudtrail/integrity.ts";
import { deriveCloudTrailAttribution } from "./cloudtrail/derived-attribution.ts";
import { writeIamPrincipal } from "../store/iam.ts";
import { createIamParser } from "./iam/parser.ts";
import { materializeRepository, readGitHistory, resolveBranchTip } from "./git/read.ts";
import { createGithubPullRequestsParser } from "./pull-requests/github.ts";
import { createGitlabMergeRequestsParser } from "./pull-requests/gitlab.ts";
import { clipExcerpt, type ParsedItem, type Parser } from "./parser.ts";

/** Explicit registry: config source kind -> parser factory. Git is handled apart (a repository, not files). */
const FILE_PARSERS: Record<Exclude<SourceConfig["kind"], "git">, (ctx: EnrichContext) => Parser> = {
  "agent-logs": (ctx) => createAgentLogsParser(ctx, FILE_PARSERS),
  "agent-settings": createAgentSettingsParser,
  "claude-code-hooks": createClaudeCodeHooksParser,
  "claude-code-otel": createClaudeCodeOtelParser,
  "claude-code-transcript": createClaudeCodeTranscriptParser,
  cloudtrail: createCloudTrailS3Parser,
  "codex-otel": createCodexOtelParser,
  "codex-rollout": createCodexRolloutParser,
  "copilot-cli-hooks": createCopilotCliHooksParser,
  "cursor-hooks": createCursorHooksParser,
  "gemini-cli-telemetry": createGeminiCliParser,
  "generic-agent-log": createGenericAgentLogParser,
  "github-audit-log": createGitHubAuditLogParser,
  "kiro-hooks": createKiroHooksParser,
  "otlp-genai": createOtlpGenAiParser,
  "windsurf-hooks": createWindsurfHooksParser,
  iam: createIamParser,
  "github-pull-requests": createGithubPullRequestsParser,
  "gitlab-merge-requests": createGitlabMergeRequestsParser,
};
const GIT_PARSER = { name: "git-log", version: "2" };

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
}

export interface IngestOptions {
  /** Only these source names (all enabled sources when empty). */
  only?: string[];
  /** Where bundles are unpacked. */
  cacheDir: string;
  /** Recorded as the ingest time; passed in so tests and reports stay deterministic. */
  now: Date;
  progress: Progress;
}

/** The parts of the config that shape stored records: when they change, every file is re-read. */
function contextHash(loaded: LoadedConfig, parserVersion: string): string {
  const { agents, environments, changeManagement } = loaded.config;
  // Secret patterns too (built-in and configured): when they grow, stored files are re-read and re-redacted.
  const redaction = [loadDefaultPatterns(), loaded.config.redaction.patterns];
  return createHash("sha256").update(JSON.stringify({ agents, environments, changeManagement, parserVersion, redaction })).digest("hex").slice(0, 16);
}

export async function ingestSources(db: Db, loaded: LoadedConfig, options: IngestOptions): Promise<IngestSummary> {
  const { config, root } = loaded;
  const unknown = (options.only ?? []).filter((name) => !config.sources.some((s) => s.name === name));
  if (unknown.length) {
    throw new InputError(`unknown source ${unknown.map((n) => `"${n}"`).join(", ")}; the config names: ${config.sources.map((s) => s.name).join(", ")}`);
  }
  const ctx = createEnrichContext(config);
  const files: FileResult[] = [];
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
    for (const [i, file] of found.entries()) {
      const relPath = path.relative(root, file).split(path.sep).join("/");
      seen.add(relPath);
      options.progress.update(`ingest ${source.name} [${i + 1}/${found.length}] ${relPath}`);
      files.push(await ingestFile(db, source, parser, root, file, relPath, contextHash(loaded, parser.version), ctx, redactor, options));
    }
    files.push(...removeVanished(db, source.name, seen));
    if (source.kind === "cloudtrail") {
      options.progress.update(`verify ${source.name} digests`);
      await recordTrailIntegrity(db, root, source, options.now);
    }
  }
  // CloudTrail calls tied to an agent by more than one record (session tags, agent-log commands).
  deriveCloudTrailAttribution(db, ctx);
  options.progress.done();
  const sum = (f: (r: FileResult) => number) => files.reduce((n, r) => n + f(r), 0);
  return {
    files,
    ingested: files.filter((f) => f.status === "ingested").length,
    unchanged: files.filter((f) => f.status === "unchanged").length,
    removed: files.filter((f) => f.status === "removed").length,
    failed: files.filter((f) => f.status === "failed").length,
    skipped: files.filter((f) => f.status === "skipped").length,
    accepted: sum((f) => f.accepted),
    rejected: sum((f) => f.rejected),
    redacted: sum((f) => f.redacted),
  };
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

function unchangedResult(source: string, relPath: string): FileResult {
  return { source, path: relPath, status: "unchanged", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [] };
}

async function ingestFile(
  db: Db, source: SourceConfig, parser: Parser, root: string, file: string, relPath: string, ctxHash: string,
  _ctx: EnrichContext, redactor: Redactor, options: IngestOptions,
): Promise<FileResult> {
  const skip = parser.skip?.(relPath) ?? null;
  const { sha256, size } = await sha256File(file);
  const known = findSourceFile(db, source.name, relPath);
  if (skip !== null) return recordSkippedFile(db, { source: source.name, path: relPath, kind: source.kind, sha256, size, ingestedAt: options.now.toISOString() }, skip, known);
  if (known && known.sha256 === sha256 && known.parser === parser.name && known.parser_version === parser.version && known.context_hash === ctxHash) {
    return unchangedResult(source.name, relPath);
  }
  const header = {
    source: source.name, path: relPath, kind: source.kind, sha256, size, parser: parser.name, parserVersion: parser.version,
    contextHash: ctxHash, ingestedAt: options.now.toISOString(),
  };
  return writeItems(db, header, parser.parse(parserInput(root, file)), redactor);
}

async function ingestGit(
  db: Db, loaded: LoadedConfig, source: SourceConfig, ctx: EnrichContext, redactor: Redactor, options: IngestOptions,
): Promise<FileResult> {
  const repository = path.resolve(loaded.root, source.repository!);
  const relPath = path.relative(loaded.root, repository).split(path.sep).join("/");
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
    return await writeItems(db, header, readGitHistory(repo, source.name, source.productionBranch, ctx, gitOptions), redactor);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { source: source.name, path: relPath, status: "failed", accepted: 0, duplicates: 0, rejected: 0, redacted: 0, notes: [], error: error.message };
  }
}

/** A reject's excerpt is redacted whole, then cut (see EXCERPT_SCAN). */
function clipped(r: RejectRecord): RejectRecord {
  return r.excerpt ? { ...r, excerpt: clipExcerpt(r.excerpt) } : r;
}

/** Streams parsed items into one file transaction, redacting every item before it is stored. */
async function writeItems(
  db: Db, header: ConstructorParameters<typeof FileWriter>[1], items: AsyncIterable<ParsedItem>, redactor: Redactor,
): Promise<FileResult> {
  const writer = new FileWriter(db, header);
  const redactedBefore = redactor.total();
  try {
    for await (const item of items) {
      if (item.kind === "event") writer.event(redactor.redactDeep(item.event));
      else if (item.kind === "commit") writer.commit_(redactor.redactDeep(item.commit));
      else if (item.kind === "pull-request") writer.pullRequest(redactor.redactDeep(item.pullRequest));
      else if (item.kind === "review") writer.review(redactor.redactDeep(item.review));
      else if (item.kind === "agent-settings") writer.agentSettings(redactor.redactDeep(item.settings));
      else if (item.kind === "iam-principal") writeIamPrincipal(db, writer, item.principal);
      else if (item.kind === "reject") writer.reject(clipped(redactor.redactDeep(item.reject)));
      else writer.note(redactor.redact(item.text));
    }
    writer.counts.redacted = redactor.total() - redactedBefore;
    const c = writer.commit();
    return { source: header.source, path: header.path, status: "ingested", accepted: c.accepted, duplicates: c.duplicates, rejected: c.rejected, redacted: c.redacted, notes: c.notes };
  } catch (error) {
    writer.rollback();
    if (!(error instanceof InputError)) throw error;
    // A file refused whole (over the size cap, a gzip bomb) is still recorded, as one reject, so
    // the evidence inventory shows it and no record vanishes without a trace.
    const refused = new FileWriter(db, header);
    const reason = redactor.redact(error.message);
    refused.reject({ locator: "file", reason });
    refused.commit();
    return { source: header.source, path: header.path, status: "failed", accepted: 0, duplicates: 0, rejected: 1, redacted: 0, notes: [], error: reason };
  }
}
