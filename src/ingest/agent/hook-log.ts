import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { inTimeRange, reject, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { CallJoiner, callEvent, withClassifier, locatorOf, objectRecord, sessionEvent, UnknownTypes } from "./calls.ts";
import { flatten, jsonRecordBatches, type JsonRecord } from "./records.ts";
import { duplicateKeyReadings, keyGate, mostDangerous } from "./ambiguous.ts";

/**
 * The shared driver of hook-payload logs (Claude Code, Cursor, Copilot CLI, Kiro, Windsurf): a logging hook
 * writes each JSON payload an agent sends on stdin as one line. A format module says, per record,
 * whether it opens a tool call (pre hook), closes it (post hook, failure, after-edit), is session
 * context, or is of an unknown type; the driver folds the pre and post records of one call in any
 * order and emits one action.
 *
 * A close with no open call is emitted at once (many teams log only post hooks) and remembered for
 * a while, so a late pre record, or the same call logged by two hook families (Cursor fires both
 * preToolUse and beforeShellExecution for a shell command), folds into it instead of becoming a
 * second action.
 */
export interface HookCall {
  id: string | null;
  lines: number[];
  time: string;
  endTime?: string;
  sessionId: string | null;
  operator: string | null;
  version: string | null;
  tool: string;
  shell: string | string[] | null;
  args: unknown;
  target: string | null;
  cwd: string | null;
  repository: string | null;
  outcome: Outcome;
  /** Lines of records that informed the call without being cited (CallStep.cite). */
  uncited?: number[];
  /** Format-specific facts the approval decision reads (sandbox flag, logged decision, failure type). */
  facts: Record<string, unknown>;
  attrs: Record<string, unknown>;
}

export type CallFields = Partial<Omit<HookCall, "lines" | "facts" | "attrs">> & { facts?: Record<string, unknown>; attrs?: Record<string, unknown> };

export type HookStep =
  /**
   * `ids` are the source's own call ids (tool_use_id, execution_id): unique, so a record whose id
   * belongs to a call already emitted is folded into it. `keys` are content keys (session + tool +
   * input) for sources without ids: they join pre to post but, since a command can run twice, they
   * only fold a late pre record into a post that was emitted without one.
   */
  | CallStep<"open" | "close">
  /** Adds to an open call without ending it (Cursor's afterFileEdit inside a Write); with none open, a call of its own. */
  | CallStep<"update">
  | ContextStep<"session">
  /** A record of an event type the format does not know: kept as session context, marked and counted. */
  | ContextStep<"unknown">
  | { kind: "reject"; reason: string };

export interface CallStep<K extends "open" | "close" | "update"> {
  kind: K;
  ids: readonly (string | null)[];
  keys: readonly (string | null)[];
  fields: CallFields;
  /**
   * False for a record that informs the call without being one of its own records (Claude Code's
   * PermissionRequest): its line is left out of the action's locator unless the call has no other.
   */
  cite?: false;
}

export interface ContextStep<K extends "session" | "unknown"> {
  kind: K;
  type: string;
  sessionId: string | null;
  operator?: string | null;
  cwd?: string | null;
  attrs?: Record<string, unknown>;
  /** Who acts in the record when the format says so (a prompt is a person's); else human when an operator is known. */
  actorKind?: "human" | "agent";
  /** See SessionRecord.keyLocator. */
  keyLocator?: string;
}

export interface HookFormat {
  product: string;
  /** For reject messages: "a Cursor hook payload". */
  what: string;
  /** The record's event name, or null when the record is not of this format. */
  eventName(rec: Record<string, unknown>): string | null;
  /** The field eventName reads, named in the reject of a record without one. */
  eventField?: string;
  /** `line` is the record's line, for formats that cite one record of a call in another's evidence. */
  step(rec: Record<string, unknown>, event: string, line: number): HookStep;
  /** `recorded`: the approval comes from a decision record in the log, not from an inference. */
  approval(call: HookCall): { approval: Approval; evidence: string; recorded?: boolean };
  /** Sets attrs derived from the whole call (the facts of all its records) just before it is emitted. */
  complete?(call: HookCall): void;
  /** Keys whose repetition in a raw line changes what a record says was run; REPEATABLE_KEYS by default. */
  repeatableKeys?: RegExp;
  /** Fields every record may carry for time; logging hooks add their own timestamp. */
  timeFields?: readonly string[];
}

/** Where logging hooks put the time they add (the payloads of Claude Code, Cursor and Kiro carry none). */
export const TIME_FIELDS = ["timestamp", "time", "ts", "@timestamp", "logged_at", "event_time"] as const;
/**
 * Keys whose repetition in a raw line changes what the record says was run (the formats' tool, input
 * and command fields); a line repeating none of them is not scanned for duplicates.
 */
const REPEATABLE_KEYS = keyGate(["command", "command_line", "tool_input", "tool_name", "toolArgs", "toolName", "tool_info"]);

/** Emitted calls remembered for folding late duplicates. */
const RECENT = 100_000;
/**
 * Calls held open waiting for their post record. A log of pre hooks only (a team that logs just the
 * gate) would otherwise hold every call until the end of the file; beyond this many the oldest is
 * emitted as it stands (outcome unknown), so memory stays flat whatever the file size.
 */
const MAX_OPEN = 50_000;

/** A set that forgets its oldest entries beyond `RECENT`. */
class Recent<V> extends Map<string, V> {
  remember(key: string, value: V): void {
    this.delete(key);
    this.set(key, value);
    if (this.size > RECENT) this.delete(this.keys().next().value!);
  }
}

/** Already the stored form (UTC, milliseconds, Z): most logging hooks write `new Date().toISOString()`. */
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

export function recordTime(rec: Record<string, unknown>, fields: readonly string[] = TIME_FIELDS): string | undefined {
  for (const f of fields) {
    const v = rec[f];
    if (typeof v === "string" && v.length === 24 && CANONICAL.test(v) && inTimeRange(v)) return v;
    const t = toIsoTime(v);
    if (t) return t;
  }
  return undefined;
}

/**
 * The formats on this driver are at version 3 or later since ambiguity notes name their line and a
 * record with a call id never joins a call with another id by content.
 *
 * `format` is a format, or a function that makes one per file for formats that carry state from
 * record to record (Claude Code's permission mode, set once per session). `maxOpen` overrides
 * MAX_OPEN (tests).
 */
export function createHookParser(
  name: string,
  version: string,
  format: HookFormat | (() => HookFormat),
  options: { maxOpen?: number } = {},
): (ctx: EnrichContext) => Parser {
  const forFile = typeof format === "function" ? format : () => format;
  return (ctx) => ({ name, version: withClassifier(version), parse: (input) => parseHookLog(input, ctx, forFile(), options.maxOpen ?? MAX_OPEN) });
}

function merge(call: HookCall, fields: CallFields, closing: boolean): void {
  // A record read by its most dangerous reading decides what the call is taken to be, whichever
  // hook logged it: otherwise a benign pre record would hide a post record that says otherwise.
  if (closing && fields.attrs?.ambiguous && !call.attrs.ambiguous) closing = false;
  // for-in, not Object.entries: this runs for every record of million-line logs, and entries
  // allocates a pair per field. Fields, facts and attrs are object literals built by the formats.
  for (const k in fields) {
    const v = fields[k as keyof CallFields];
    if (v === undefined || v === null || k === "facts" || k === "attrs") continue;
    const key = k as keyof HookCall;
    // Pre records describe the call, post records how it ended: a post never renames the tool
    // or replaces the input the pre record logged, and the first (earliest) time wins.
    if (key === "time") {
      if ((v as string) < call.time) call.time = v as string;
      continue;
    }
    if (closing && key !== "outcome" && key !== "endTime" && call[key] !== null && call[key] !== "unknown") continue;
    (call as unknown as Record<string, unknown>)[key] = v;
  }
  // Later records add facts; a field a record does not carry never erases one an earlier record had.
  const { facts, attrs } = fields;
  if (facts) for (const k in facts) if (facts[k] !== undefined && facts[k] !== null) call.facts[k] = facts[k];
  if (attrs) for (const k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) call.attrs[k] = attrs[k];
}

/**
 * The format's step for a record, or, when its raw line repeats a key (JSON.parse keeps only the
 * last), the step of its most dangerous reading, flagged in the action's attrs. The flag names the
 * line, since an action folds several records and only one of them read two ways.
 */
function readStep(format: HookFormat, rec: Record<string, unknown>, name: string, raw: string, line: number): HookStep {
  const readings = duplicateKeyReadings(rec, raw, format.repeatableKeys ?? REPEATABLE_KEYS);
  let step: HookStep;
  if (readings === null) step = format.step(rec, name, line);
  else {
    const steps = readings.variants.map((v) => format.step(v, format.eventName(v) ?? name, line));
    const calls = steps.map((st) => ("fields" in st ? { tool: st.fields.tool ?? "unknown", shell: st.fields.shell ?? null } : { tool: "unknown", shell: null }));
    step = steps[mostDangerous(calls)]!;
  }
  if (!("fields" in step)) return step;
  // The format may flag a reading of its own (Claude Code's tool_input sent as a string). Most
  // records have neither flag: they leave here without an allocation.
  const own = step.fields.attrs?.ambiguous;
  if (readings === null && typeof own !== "string") return step;
  const note = readings === null ? own : typeof own === "string" ? `${readings.note}; ${own}` : readings.note;
  step.fields.attrs = { ...step.fields.attrs, ambiguous: `line ${line}: ${note}` };
  return step;
}

function byNumber(a: number, b: number): number {
  return a - b;
}

function cite(call: HookCall, line: number, cited: false | undefined): void {
  if (cited === false) (call.uncited ??= []).push(line);
  else call.lines.push(line);
}

function newCall(fields: CallFields, line: number, time: string, cited: false | undefined): HookCall {
  const call: HookCall = {
    id: null, lines: [], time, sessionId: null, operator: null, version: null, tool: "unknown", shell: null, args: null, target: null,
    cwd: null, repository: null, outcome: "unknown", facts: {}, attrs: {},
  };
  merge(call, fields, false);
  cite(call, line, cited);
  return call;
}

function parseHookLog(input: ParserInput, ctx: EnrichContext, format: HookFormat, maxOpen: number): AsyncIterable<ParsedItem> {
  const joiner = new CallJoiner<HookCall>();
  const emittedIds = new Recent<true>();
  // Content keys of closes emitted without their pre record, with how many are still unmatched;
  // `orphanIdCloses` holds those of closes that carried a call id of their own.
  const orphanCloses = new Recent<number>();
  const orphanIdCloses = new Recent<number>();
  const unknown = new UnknownTypes();
  let folded = 0;
  /** True when this record belongs to a call already emitted. */
  const alreadyEmitted = (step: { kind: "open" | "close" | "update"; ids: readonly (string | null)[]; keys: readonly (string | null)[] }): boolean => {
    for (const id of step.ids) if (id !== null && emittedIds.has(id)) return true;
    if (step.kind !== "open") return false;
    // An open with an id of its own folds only into a close that had none: a close with another id
    // is another call that happened to run the same input (the same command run twice).
    const hasId = step.ids.some((id) => id !== null);
    for (const orphans of hasId ? [orphanCloses] : [orphanCloses, orphanIdCloses]) {
      for (const k of step.keys) {
        const n = k === null ? 0 : orphans.get(k) ?? 0;
        if (n > 0) {
          if (n === 1) orphans.delete(k!);
          else orphans.set(k!, n - 1);
          return true;
        }
      }
    }
    return false;
  };
  const emit = (call: HookCall): ParsedItem => {
    format.complete?.(call);
    const { approval, evidence, recorded } = format.approval(call);
    const cited = call.lines.length ? call.lines : call.uncited ?? [];
    const lines = cited.length > 1 ? [...new Set(cited)].sort(byNumber) : cited;
    return {
      kind: "event",
      event: callEvent(
        {
          product: format.product,
          productVersion: call.version,
          key: call.id ?? `${call.sessionId ?? input.relPath}:${call.time}:line${lines[0]}`,
          time: call.time,
          sessionId: call.sessionId,
          operator: call.operator,
          tool: call.tool,
          shell: call.shell,
          args: call.shell ? undefined : call.args,
          target: call.target,
          cwd: call.cwd,
          repository: call.repository,
          outcome: call.outcome,
          approval,
          approvalEvidence: evidence,
          approvalRecorded: recorded === true,
          locator: `line${lines.length > 1 ? "s" : ""} ${lines.join(", ")}`,
          attrs: Object.assign(call.attrs, call.id ? { callId: call.id } : null, call.endTime ? { endTime: call.endTime } : null),
        },
        ctx,
      ),
    };
  };

  const handle = (r: JsonRecord, out: ParsedItem[]): void => {
    const checked = objectRecord(r, format.what);
    if ("kind" in checked) {
      out.push(checked);
      return;
    }
    const { rec, line } = checked;
    const name = format.eventName(rec);
    if (!name) {
      const why = format.eventField ? `missing "${format.eventField}": not ${format.what}` : `not ${format.what}: no event name field`;
      out.push(reject(locatorOf(r), why, JSON.stringify(rec)));
      return;
    }
    const time = recordTime(rec, format.timeFields ?? TIME_FIELDS);
    if (!time) {
      const fields = format.timeFields ?? TIME_FIELDS;
      out.push(reject(locatorOf(r), timeRejectReason(rec, fields, `no timestamp: expected one of ${fields.join(", ")} (added by the logging hook) as ISO-8601 or epoch`), JSON.stringify(rec)));
      return;
    }
    const step = readStep(format, rec, name, r.raw, line);
    switch (step.kind) {
      case "reject":
        out.push(reject(locatorOf(r), step.reason, JSON.stringify(rec)));
        return;
      case "session":
      case "unknown": {
        if (step.kind === "unknown") unknown.add(step.type);
        const event = sessionEvent(
          { product: format.product, time, sessionId: step.sessionId, type: step.type, operator: step.operator, cwd: step.cwd, locator: locatorOf(r), keyLocator: step.keyLocator, known: step.kind === "session", attrs: step.attrs },
          ctx,
        );
        if (step.actorKind) event.actorKind = step.actorKind;
        out.push({ kind: "event", event });
        return;
      }
      case "open":
      case "close":
      case "update": {
        const keys = step.ids.length ? [...step.ids, ...step.keys] : step.keys;
        // Call ids are unique: a record with one never joins, by content, a call that has another
        // (the same command run twice, its pre and post records interleaved).
        const own = step.ids.filter((id): id is string => id !== null);
        let call = own.length ? joiner.find(keys, (c) => c.id === null || own.includes(c.id)) : joiner.find(keys);
        const closing = step.kind === "close" || (step.kind === "update" && !call);
        if (!call && alreadyEmitted(step)) {
          folded++;
          return;
        }
        // The step's fields are its own fresh object: completed in place (see cursor-hooks.ts on spreads).
        const fields = step.fields;
        fields.time = time;
        if (closing) fields.endTime = time;
        if (call) {
          // Only an open record may (re)describe the call; updates and closes add how it went.
          merge(call, fields, step.kind !== "open");
          cite(call, line, step.cite);
          joiner.alias(call, keys);
        } else {
          call = newCall(fields, line, time, step.cite);
          if (!closing) {
            joiner.open(keys, call, line);
            if (joiner.size > maxOpen) {
              const stale = joiner.oldest()!;
              joiner.close(stale);
              out.push(emit(stale));
            }
          }
          else {
            const orphans = step.ids.some((id) => id !== null) ? orphanIdCloses : orphanCloses;
            for (const k of step.keys) if (k !== null) orphans.remember(k, (orphans.get(k) ?? 0) + 1);
          }
        }
        if (closing) {
          joiner.close(call);
          for (const id of step.ids) if (id) emittedIds.remember(id, true);
          if (call.id) emittedIds.remember(call.id, true);
          out.push(emit(call));
        }
      }
    }
  };

  // Records are handled a batch at a time and their items handed on through `flatten`: one cheap
  // promise per item instead of an async generator's several (see records.ts).
  async function* batches(): AsyncIterable<ParsedItem[]> {
    for await (const records of jsonRecordBatches(input)) {
      const out: ParsedItem[] = [];
      for (const r of records) handle(r, out);
      if (out.length) yield out;
    }
    // Calls whose post record never came (session killed, log rotated, the hook denied them) are still actions.
    const tail: ParsedItem[] = joiner.drain().map(emit);
    if (folded) tail.push({ kind: "note", text: `${folded} record${folded === 1 ? "" : "s"} folded into calls already emitted (late or duplicate pre/post hooks)` });
    tail.push(...unknown.note());
    if (tail.length) yield tail;
  }
  return flatten(batches());
}
