import { statSync } from "node:fs";
import type { Config, SourceConfig } from "../config.ts";
import { createRedactor, type Redactor } from "../redact/index.ts";
import type { RejectRecord } from "../store/index.ts";
import { ATTRS_COLUMN, EVENT_FIELDS, eventFromRow, eventRow, type EventRow } from "../store/event-row.ts";
import type { EvidenceEvent } from "../event.ts";
import { createEnrichContext, type EnrichContext } from "./enrich.ts";
import { INCOMPLETE_NOTE, isIncompleteReason, parserInput, sha256File } from "./files.ts";
import { clipExcerpt, type ParsedItem, type Parser } from "./parser.ts";
import { dayBucketer, type DayBucket } from "./summary/day.ts";
import type { StoragePolicy } from "./summary/policy.ts";
import { FileSummariser, MAX_TRACKED_IDS, type SummaryRecord } from "./summary/summarise.ts";

/**
 * One input file's way from bytes to what the store writes: hash, parse, summarise, redact. The
 * same code runs on the main thread (small ingests) or in a worker (src/ingest/pool.ts); the single
 * SQLite writer on the main thread only applies the batches it yields, in file order.
 */
export type FileSourceKind = Exclude<SourceConfig["kind"], "git">;
export type ParserRegistry = Readonly<Record<FileSourceKind, (ctx: EnrichContext) => Parser>>;

/**
 * What the writer applies: parsed items already redacted (events as stored rows), plus summary
 * counts. The one exception is `unredacted-row`: an agent-log row a parsing worker hands over built
 * but not redacted, which the writer gates and redacts (writerRows) before it can reach the store.
 */
export type StoreItem =
  | Exclude<ParsedItem, { kind: "event" }>
  | { kind: "event-row"; row: EventRow }
  | { kind: "unredacted-row"; row: EventRow }
  | { kind: "summary"; summary: SummaryRecord }
  | { kind: "summarised-duplicates"; n: number };

export interface FileTask {
  source: string;
  kind: FileSourceKind;
  root: string;
  file: string;
  /** The SHA-256 under which the store already holds this file as the current parser would read it: equal bytes are not parsed again. */
  reuseSha: string | null;
}

export type TaskMessage =
  | { type: "hashed"; sha256: string; size: number }
  | { type: "unchanged" }
  | { type: "items"; items: StoreItem[] }
  | { type: "done"; redacted: number };

export interface TaskEnv {
  parser(kind: FileSourceKind): Parser;
  redactor: Redactor;
  /** Null when every call is kept as a row (storage.cloudtrail.mode: full). */
  policy: StoragePolicy | null;
  dayOf(iso: string): DayBucket;
}

/** Items per batch handed to the writer (and per message from a worker): large enough to amortise a message, small enough to bound memory. */
export const BATCH_ITEMS = 2000;

export function storagePolicy(config: Config, ctx: EnrichContext): StoragePolicy | null {
  const cfg = config.storage.cloudtrail;
  if (cfg.mode === "full") return null;
  return { keep: new Set(cfg.keep), keepAssumedRoleSessions: ctx.sessionTagMatchers().length > 0 };
}

export function createTaskEnv(config: Config, registry: ParserRegistry): TaskEnv {
  const ctx = createEnrichContext(config);
  const parsers = new Map<FileSourceKind, Parser>();
  return {
    parser(kind) {
      let p = parsers.get(kind);
      if (!p) parsers.set(kind, (p = registry[kind](ctx)));
      return p;
    },
    redactor: createRedactor(config.redaction.patterns),
    policy: storagePolicy(config, ctx),
    dayOf: dayBucketer(config.report.timezone),
  };
}

/**
 * `agentRowsOnWriter`: hand agent-log rows to the writer built but not redacted (`unredacted-row`),
 * for it to gate and redact. A parsing worker does so: on agent logs the worker is the critical
 * path while the writer waits (see README, Scale).
 */
export async function* runFileTask(task: FileTask, env: TaskEnv, agentRowsOnWriter = false): AsyncGenerator<TaskMessage> {
  const { sha256, size } = await sha256File(task.file);
  yield { type: "hashed", sha256, size };
  if (task.reuseSha === sha256) {
    yield { type: "unchanged" };
    return;
  }
  const before = env.redactor.total();
  const summariser = task.kind === "cloudtrail" && env.policy ? new FileSummariser(env.policy, env.dayOf) : null;
  const input = parserInput(task.root, task.file);
  // EVIDENCE_FAST_COUNTS=0 sends every call through the full event path: the same store, slower
  // (kept so the two paths can be compared, in test/ingest/counted-calls.test.ts and by hand).
  if (summariser && process.env.EVIDENCE_FAST_COUNTS !== "0") input.counter = summariser;
  for await (const items of storeItems(env.parser(task.kind).parse(input), env.redactor, summariser, agentRowsOnWriter)) {
    yield { type: "items", items };
  }
  yield { type: "done", redacted: env.redactor.total() - before };
}

/** A reject's excerpt is redacted whole, then cut (see EXCERPT_SCAN). */
function clipped(r: RejectRecord): RejectRecord {
  return r.excerpt ? { ...r, excerpt: clipExcerpt(r.excerpt) } : r;
}

/**
 * Redacts every item before it can reach the store, folds what the policy summarises, and batches
 * the rest; with `agentRowsOnWriter`, agent-log events go as rows built but not redacted, for the
 * writer to gate and redact (writerRows).
 */
export async function* storeItems(
  items: AsyncIterable<ParsedItem>, redactor: Redactor, summariser: FileSummariser | null, agentRowsOnWriter = false,
): AsyncGenerator<StoreItem[]> {
  let batch: StoreItem[] = [];
  const fieldNamesMayHold = eventFieldNamesMayHold(redactor);
  const clean: unknown[] = [];
  const cleanNames = new Set<string>();
  for await (const item of items) {
    if (item.kind === "event") {
      if (summariser?.add(item.event)) continue;
      if (agentRowsOnWriter && item.event.sourceKind === "agent-log") batch.push({ kind: "unredacted-row", row: eventRow(item.event) });
      else batch.push({ kind: "event-row", row: redactedRow(item.event, redactor, fieldNamesMayHold, clean) });
    } else if (item.kind === "commit") batch.push({ kind: "commit", commit: redactor.redactDeep(item.commit) });
    else if (item.kind === "pull-request") batch.push({ kind: "pull-request", pullRequest: redactor.redactDeep(item.pullRequest) });
    else if (item.kind === "review") batch.push({ kind: "review", review: redactor.redactDeep(item.review) });
    else if (item.kind === "agent-settings") batch.push({ kind: "agent-settings", settings: redactor.redactDeep(item.settings) });
    else if (item.kind === "reject") {
      const r = clipped(redactor.redactDeep(item.reject));
      batch.push({ kind: "reject", reject: r });
      // A line reader whose stream stopped (truncated gzip, a bomb refused part-way): the store must say the file is incomplete.
      if (isIncompleteReason(r.reason)) batch.push({ kind: "note", text: `${INCOMPLETE_NOTE}${r.reason}` });
    }
    else if (item.kind === "note") batch.push({ kind: "note", text: redactor.redact(item.text) });
    else if (item.kind === "summary") batch.push({ kind: "summary", summary: redactSummary(item.summary, redactor, cleanNames) });
    // IAM too: tags, descriptions and inline policy conditions are free text a person may paste a key into.
    else if (item.kind === "iam-principal") batch.push({ kind: "iam-principal", principal: redactor.redactDeep(item.principal) });
    else batch.push(item);
    if (batch.length >= BATCH_ITEMS) {
      yield batch;
      batch = [];
    }
  }
  if (summariser) {
    for (const row of summariser.rows()) {
      batch.push({ kind: "summary", summary: redactSummary(row, redactor, cleanNames) });
      if (batch.length >= BATCH_ITEMS) {
        yield batch;
        batch = [];
      }
    }
    if (summariser.duplicates) batch.push({ kind: "summarised-duplicates", n: summariser.duplicates });
    if (summariser.untrackedFrom) {
      batch.push({ kind: "note", text: `more than ${MAX_TRACKED_IDS} distinct eventIDs: repeats from ${summariser.untrackedFrom} on were counted, not recognised as duplicates` });
    }
  }
  if (batch.length) yield batch;
}

function eventFieldNamesMayHold(redactor: Redactor): boolean {
  return EVENT_FIELDS.some((f) => redactor.mayHoldSecret(f));
}

/**
 * The writer's side of `agentRowsOnWriter`: the rows a worker handed over unredacted, redacted as
 * storeItems would have, and how many values were redacted doing so (the file's count adds them to
 * the worker's). The same gate; a row that passes it is redacted as the event rebuilt from the row
 * (eventFromRow), which redactDeep sees as it saw the parsed event: the same fields in the same
 * order (test/ingest/agent-rows.test.ts checks every agent parser's), classes in stored order (no
 * pattern redacts a class name, tested), attrs as JSON.parse gives them back.
 */
export function writerRows(redactor: Redactor): { row(row: EventRow): EventRow; redacted(): number } {
  const fieldNamesMayHold = eventFieldNamesMayHold(redactor);
  const clean: unknown[] = [];
  let redacted = 0;
  return {
    row(row) {
      if (!fieldNamesMayHold && !rowMayHold(row, redactor, clean)) return row;
      const before = redactor.total();
      const out = eventRow(redactor.redactDeep(eventFromRow(row)));
      redacted += redactor.total() - before;
      return out;
    },
    redacted: () => redacted,
  };
}

/**
 * An event's stored row, redacted. Most events hold no secret: when no string of the row (attrs as
 * JSON, which covers its keys) passes the redactor's keyword gate, the row stands as built. The
 * gate is the one redactDeep opens with, so anything it lets through is redacted exactly as before,
 * field names as context included; checking a dozen row strings costs less than walking the event.
 */
function redactedRow(event: EvidenceEvent, redactor: Redactor, fieldNamesMayHold: boolean, clean: unknown[]): EventRow {
  const row = eventRow(event);
  return fieldNamesMayHold || rowMayHold(row, redactor, clean) ? eventRow(redactor.redactDeep(event)) : row;
}

/** `clean` holds, per column, the last value the gate passed as clean (one array per file). */
function rowMayHold(row: EventRow, redactor: Redactor, clean: unknown[]): boolean {
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    // The gate is a function of the string alone: a value equal to the last one this column let
    // through clean is clean again. Most columns repeat from row to row (agent, session, outcome,
    // the approval evidence's sentence), and each gate call has a cost of its own whatever the length.
    if (typeof v !== "string" || v === clean[i]) continue;
    if (i === ATTRS_COLUMN ? redactor.mayHoldSecretInJson(v) : redactor.mayHoldSecret(v)) return true;
    clean[i] = v;
  }
  return false;
}

/**
 * Identities can carry what looks like a secret (a session name is free text): counts are redacted
 * like rows. A file's counts repeat a few principals and roles thousands of times, so names the
 * keyword gate passed as clean are remembered for the file (`clean`, at most CLEAN_NAMES of them):
 * the gate is a function of the string alone, and `redact` returns a string the gate passes as
 * clean unchanged, so skipping it changes nothing but the time.
 */
function redactSummary(row: SummaryRecord, redactor: Redactor, clean: Set<string>): SummaryRecord {
  const name = (v: string | null): string | null => {
    if (v === null || v === "" || clean.has(v)) return v;
    if (redactor.mayHoldSecret(v)) return redactor.redact(v);
    if (clean.size < CLEAN_NAMES) clean.add(v);
    return v;
  };
  return { ...row, actor: name(row.actor), roleArn: name(row.roleArn) };
}
const CLEAN_NAMES = 10_000;

/** Size and modification time, for the unchanged-file pre-check. */
export function fileStamp(file: string): { size: number; mtimeMs: number } {
  const st = statSync(file);
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
}
