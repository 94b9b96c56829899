import type { Readable } from "node:stream";
import type { EvidenceEvent } from "../event.ts";
import type { AgentSettingsRecord } from "../store/agent-settings.ts";
import type { IamPrincipalRecord } from "../store/iam.ts";
import type { CommitRecord, PullRequestRecord, RejectRecord, ReviewRecord } from "../store/index.ts";
import type { CallCounter, SummaryRecord } from "./summary/summarise.ts";
import { parseJson } from "./json.ts";

/** What a parser yields: a normalized event, a commit, a reject (never dropped), or a remark about the file. */
export type ParsedItem =
  | { kind: "event"; event: EvidenceEvent }
  | { kind: "commit"; commit: CommitRecord }
  | { kind: "pull-request"; pullRequest: PullRequestRecord }
  | { kind: "review"; review: ReviewRecord }
  | { kind: "agent-settings"; settings: AgentSettingsRecord }
  | { kind: "iam-principal"; principal: IamPrincipalRecord }
  | { kind: "reject"; reject: RejectRecord }
  /** A count of calls computed elsewhere (an Athena or Lake pushdown aggregate). */
  | { kind: "summary"; summary: SummaryRecord }
  | { kind: "note"; text: string }
  /** The file, recognised by its content, is not one to read for records (a digest or Insights file away from its usual path): listed as skipped with this reason. */
  | { kind: "skipped"; reason: string };

export interface ParserInput {
  /** Absolute path. */
  file: string;
  /** Path relative to the workspace root, used in messages and locators. */
  relPath: string;
  /** The file's bytes, decompressed when gzip, as a stream (for line-oriented formats). */
  openStream(): Readable;
  /** The whole file decompressed, refusing files over the size cap. */
  readAll(): Promise<ReadAllResult>;
  /**
   * The file's summariser when its CloudTrail calls may be counted: the parser counts such calls
   * itself, from a few fields, and yields no event for them (src/ingest/cloudtrail/counted.ts).
   */
  counter?: CallCounter;
}

export interface ReadAllResult {
  text: string;
  /** Set when the gzip stream ended early: `text` holds what could be decompressed. */
  truncatedAt?: number;
}

export interface Parser {
  /** Parser family name as stored in provenance, e.g. `claude-code-hooks`. */
  name: string;
  /** Bumped whenever the parser's output changes, so stored files are re-read. */
  version: string;
  /**
   * For sources whose folders mix in files that are not logs (a CloudTrail bucket's digests,
   * Insights and Config files): the reason to skip a path, or null to parse it. Skipped files are
   * listed in the inventory and counted, never silently dropped.
   */
  skip?(relPath: string): string | null;
  parse(input: ParserInput): AsyncIterable<ParsedItem>;
}

/**
 * Rejects carry a long excerpt (EXCERPT_SCAN characters) so that ingest can redact secrets in it
 * before cutting it to EXCERPT_KEPT: cut first, a token straddling the cut would no longer match
 * its pattern and half of it would be stored.
 */
export const EXCERPT_SCAN = 4096;
export const EXCERPT_KEPT = 200;

/** `incomplete`: set when this reject means the rest of the file was not read (see RejectRecord). */
export function reject(locator: string, reason: string, excerpt?: string, incomplete?: string): ParsedItem {
  return {
    kind: "reject",
    reject: { locator, reason, excerpt: excerpt === undefined ? undefined : excerpt.slice(0, EXCERPT_SCAN), ...(incomplete ? { incomplete } : {}) },
  };
}

/**
 * Why a whole-document read stopped early, if it did: a gzip stream that ended early, or JSON that
 * is valid up to its very end and ends inside a value (V8's JSON.parse says "Unexpected end of JSON
 * input", or names the position just past the last character), as opposed to a whole document that
 * is malformed somewhere inside.
 */
export function cutOffReason(error: unknown, truncatedAt: number | undefined, text: string): string | undefined {
  if (truncatedAt !== undefined) return `gzip stream truncated at byte ${truncatedAt}`;
  const message = error instanceof Error ? error.message : "";
  const at = /at position (\d+)/.exec(message);
  const atEnd = /end of JSON input/i.test(message) || (at !== null && Number(at[1]) >= text.trimEnd().length);
  return atEnd ? "JSON cut off: the document ends inside a value" : undefined;
}

/** Cuts an already redacted excerpt to EXCERPT_KEPT characters without splitting a redaction placeholder. */
export function clipExcerpt(text: string): string {
  if (text.length <= EXCERPT_KEPT) return text;
  const open = text.lastIndexOf("[REDACTED:", EXCERPT_KEPT);
  const close = open < 0 ? -1 : text.indexOf("]", open);
  return text.slice(0, close >= EXCERPT_KEPT ? close + 1 : EXCERPT_KEPT);
}

/**
 * Accepted times: after the Unix epoch (0 is what an unset epoch field holds) and before the year
 * 3000. Later values are typos or placeholders (9999-12-31 is a common "never"), and a record
 * dated there would fall outside every period.
 */
const MAX_MS = 32503680000000;
export const TIME_RANGE = "after 1970-01-01T00:00:00Z and before 3000-01-01T00:00:00Z";
/** Fixed-width ISO strings compare like the times they hold: the fast paths' range check. */
export const inTimeRange = (iso: string) => iso > "1970-01-01T00:00:00" && iso < "3000";

/** Epoch seconds until 2286, milliseconds next, then micro- and nanoseconds. */
const epochMs = (value: number) => (value < 1e10 ? value * 1000 : value < 1e13 ? value : value < 1e16 ? value / 1000 : value / 1e6);
const EPOCH_TEXT = /^\d+(\.\d+)?$/;
// Only strings that carry a date; Date.parse alone accepts too much ("1", "May").
const DATE_TEXT = /^\d{4}-\d{2}-\d{2}/;

/** Normalizes the time shapes logs use (ISO strings, epoch s/ms/ns as numbers or strings) to UTC ISO. */
export function toIsoTime(value: unknown): string | undefined {
  if (typeof value === "string" && value.trim() !== "") {
    const s = value.trim();
    if (EPOCH_TEXT.test(s)) return toIsoTime(Number(s));
    if (!DATE_TEXT.test(s)) return undefined;
    const ms = Date.parse(s);
    return Number.isFinite(ms) && ms > 0 && ms < MAX_MS ? new Date(ms).toISOString() : undefined;
  }
  if (typeof value === "number" && Number.isFinite(value) && value > 0) {
    const ms = epochMs(value);
    return ms < MAX_MS ? new Date(Math.floor(ms)).toISOString() : undefined;
  }
  return undefined;
}

/** Milliseconds already known to be milliseconds (no unit guessing) to UTC ISO, in the accepted range. */
export function epochMsToIso(ms: number): string | undefined {
  return Number.isFinite(ms) && ms > 0 && ms < MAX_MS ? new Date(Math.floor(ms)).toISOString() : undefined;
}

/**
 * Why toIsoTime refuses a value that is there: a real time out of the accepted range, or not a
 * time at all. Only called on the reject path, so the hot path stays toIsoTime alone.
 */
function timeProblem(value: unknown): string {
  const shown = JSON.stringify(value)?.slice(0, 60) ?? String(value);
  const s = typeof value === "string" ? value.trim() : null;
  const ms = typeof value === "number" ? epochMs(value) : s !== null && EPOCH_TEXT.test(s) ? epochMs(Number(s)) : s !== null && DATE_TEXT.test(s) ? Date.parse(s) : NaN;
  if (!Number.isFinite(ms)) return `is not a time (${shown}): expected ISO-8601 or epoch seconds, milliseconds or nanoseconds`;
  return `is out of range (${shown}): accepted times are ${TIME_RANGE}`;
}

/**
 * The reject reason for a record without a usable time: the first of `fields` that is present and
 * what is wrong with its value ("out of range", "not a time"), or `absent` when none is present.
 * A year-9999 timestamp is then reported as out of range, not as missing.
 */
export function timeRejectReason(rec: Record<string, unknown>, fields: readonly string[], absent: string): string {
  for (const f of fields) {
    const v = rec[f];
    if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) continue;
    if (toIsoTime(v) === undefined) return `"${f}" ${timeProblem(v)}`;
  }
  return absent;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
