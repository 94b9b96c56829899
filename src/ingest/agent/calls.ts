import { CLASSIFIER_VERSION, classifyToolCall, type ActionClassification } from "../../classify/action.ts";
import type { Approval, EvidenceEvent, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, str, type ParsedItem } from "../parser.ts";
import type { JsonRecord } from "./records.ts";
import { parseJson } from "../json.ts";
import { clipWithLength } from "../../redact/clip.ts";

/**
 * What every agent-log parser maps a tool call to before it becomes an EvidenceEvent: the shared
 * half of the mapping (classification, environment, command text, attrs) lives here once, so each
 * format module only says where its fields are.
 */
export interface AgentCall {
  /** Product name as reported (`codex`, `cursor`…); config `agents[].match.logProducts` maps it to an identity. */
  product: string;
  productVersion?: string | null;
  /** Unique id of the call within the product (call_id, tool_use_id…): the dedupe key across files. */
  key: string;
  time: string;
  sessionId: string | null;
  /** The person who ran the agent: e-mail, account or OS user, when the source has one. */
  operator?: string | null;
  tool: string;
  /** Set by the parser for shell tools (a string or an argv array): classified as a shell command whatever the tool's name. */
  shell?: string | string[] | null;
  /** Arguments of other tools; shown, long strings cut, as the command when there is no better text. */
  args?: unknown;
  target?: string | null;
  /** Classes the tool name alone cannot tell (an apply_patch that deletes files). */
  extraClasses?: string[];
  /** Classes decided by the parser from its own data (audit log actions), with why; replaces the classifier. */
  classes?: { classes: string[]; basis: string };
  cwd?: string | null;
  repository?: string | null;
  outcome: Outcome;
  approval: Approval;
  approvalEvidence: string | null;
  /**
   * True when `approval` comes from a decision record (an OTel tool_decision, a logged hook answer,
   * a denial result) rather than an inference from the mode in force; when several files report the
   * same call, the recorded decision wins (src/store/merge.ts).
   */
  approvalRecorded?: boolean;
  locator: string;
  attrs?: Record<string, unknown>;
}

const MAX_ARG_STRING = 200;

/** A parser version that also changes with the classifier's, for parsers whose actions it classifies. */
export function withClassifier(version: string): string {
  return `${version}+classifier.${CLASSIFIER_VERSION}`;
}

/** Renders an argv array as a shell would need it typed, for display and environment matching. */
export function argvText(argv: readonly string[]): string {
  return argv.map((a) => (a === "" ? "''" : /[^\w@%+=:,./-]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(" ");
}

/** Tool arguments as compact JSON with long strings (file contents, patches) cut, for the command column. */
export function argsText(args: unknown): string | null {
  if (args === undefined || args === null) return null;
  // Cut at token boundaries: the redactor runs later, on what is kept (src/redact/clip.ts).
  if (typeof args === "string") return clipWithLength(args, MAX_ARG_STRING * 5);
  // Most arguments (a file path, a short query) hold no string to cut: JSON.stringify with a
  // replacer calls it for every value, which cost several times the plain call on every action.
  if (!hasLongString(args, MAX_ARG_STRING)) return JSON.stringify(args);
  return JSON.stringify(args, (_k, v: unknown) => (typeof v === "string" ? clipWithLength(v, MAX_ARG_STRING) : v));
}

/** True when a string longer than `max` is anywhere in `value` (parsed JSON: depth already bounded by parseJson). */
function hasLongString(value: unknown, max: number): boolean {
  if (typeof value === "string") return value.length > max;
  if (value === null || typeof value !== "object") return false;
  if (Array.isArray(value)) {
    for (const v of value) if (hasLongString(v, max)) return true;
    return false;
  }
  // toJSON (a Date, say) is what the replacer would see: let the replacer path handle such values.
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return true;
  for (const k in value) if (hasLongString((value as Record<string, unknown>)[k], max)) return true;
  return false;
}

/** Parses a field that holds JSON as a string (Codex `arguments`, Cursor MCP `tool_input`); keeps the string when it is not JSON. */
export function jsonField(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (!(t.startsWith("{") || t.startsWith("["))) return value;
  try {
    return parseJson(t);
  } catch {
    return value;
  }
}

/** The first non-empty string among `keys` of `rec`. */
export function firstStr(rec: Record<string, unknown>, ...keys: string[]): string | null {
  for (const k of keys) {
    const v = str(rec[k]);
    if (v) return v;
  }
  return null;
}

/**
 * Classification is a pure function of tool and command, and agents run the same commands over and
 * over (tests, status, builds), so results are memoised; the cache is bounded and simply cleared
 * when full, which keeps memory flat on logs of any size.
 */
const CLASSIFY_CACHE_SIZE = 20_000;
const classifyCache = new Map<string, ActionClassification>();

/** Exported for `evidence hook --guard`, which must classify a call exactly as ingest will. */
export function classify(tool: string, shell: string | string[] | null): ActionClassification {
  const key = shell === null ? `t\u0000${tool}` : typeof shell === "string" ? `s\u0000${shell}` : `a\u0000${shell.join("\u0000")}`;
  let hit = classifyCache.get(key);
  if (!hit) {
    // The parser decides what is a shell command (its tool names vary: shell, exec_command, Shell,
    // execute_bash…), so a command is always classified as one.
    hit = shell ? classifyToolCall("shell", shell) : classifyToolCall(tool, null);
    if (classifyCache.size >= CLASSIFY_CACHE_SIZE) classifyCache.clear();
    classifyCache.set(key, hit);
  }
  return hit;
}

export function callEvent(call: AgentCall, ctx: EnrichContext): EvidenceEvent {
  const shell = call.shell && call.shell.length > 0 ? call.shell : null;
  const classified = call.classes ?? classify(call.tool, shell);
  // A copy: the cached classification is shared between events.
  const classes = call.extraClasses?.length ? [...new Set([...classified.classes, ...call.extraClasses])] : [...classified.classes];
  const basis = call.extraClasses?.length ? `${classified.basis}; ${call.extraClasses.join(", ")} from the arguments` : classified.basis;
  const command = shell ? (typeof shell === "string" ? shell : argvText(shell)) : argsText(call.args) ?? call.target ?? null;
  const agentId = ctx.agentForProduct(call.product);
  return {
    sourceKind: "agent-log",
    eventKey: `${call.product}:tool:${call.key}`,
    time: call.time,
    actor: agentId ?? call.product,
    actorKind: "agent",
    agentId,
    agentProduct: call.product,
    sessionId: call.sessionId,
    action: call.tool,
    classes,
    target: call.target ?? null,
    environment: ctx.environmentOfAgentAction(call.cwd ?? call.repository ?? null, command),
    outcome: call.outcome,
    approval: call.approval,
    approvalEvidence: call.approvalEvidence,
    command,
    account: null,
    region: null,
    locator: call.locator,
    attrs: callAttrs(call, basis),
  };
}

/**
 * `compact({ operator, cwd, repository, productVersion, classifiedBy, approvalRecorded?, ...call.attrs })`,
 * built in one pass: a spread into a literal takes V8's slow path, once per action of logs with
 * millions. A null or undefined in call.attrs drops the key, as the spread and compact did.
 */
function callAttrs(call: AgentCall, basis: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (call.operator != null) out.operator = call.operator;
  if (call.cwd != null) out.cwd = call.cwd;
  if (call.repository != null) out.repository = call.repository;
  if (call.productVersion != null) out.productVersion = call.productVersion;
  out.classifiedBy = basis;
  if (call.approvalRecorded) out.approvalRecorded = true;
  const extra = call.attrs;
  if (extra) {
    for (const k in extra) {
      const v = extra[k];
      if (v === null || v === undefined) delete out[k];
      else out[k] = v;
    }
  }
  return out;
}

/** Drops null/undefined attrs so that stored JSON stays small. */
function compact(attrs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

export interface SessionRecord {
  product: string;
  productVersion?: string | null;
  time: string;
  sessionId: string | null;
  /** The source's own name for the record (`session_meta`, `sessionStart`…). */
  type: string;
  operator?: string | null;
  cwd?: string | null;
  repository?: string | null;
  locator: string;
  /** The locator as written in the event key, when a parser's keys predate this shared form (stored keys stay stable). */
  keyLocator?: string;
  /** False for event types this parser does not know (kept, marked and counted). */
  known: boolean;
  attrs?: Record<string, unknown>;
}

/**
 * Session context (starts, prompts, mode changes) and records of unknown future types: kept as
 * `session:<type>` events, which the `agent_actions` view leaves out, so nothing is lost and
 * nothing is counted as an action.
 */
export function sessionEvent(rec: SessionRecord, ctx: EnrichContext): EvidenceEvent {
  return {
    sourceKind: "agent-log",
    eventKey: `${rec.product}:meta:${rec.sessionId ?? "-"}:${rec.type}:${rec.time}:${rec.keyLocator ?? rec.locator}`,
    time: rec.time,
    actor: rec.operator ?? null,
    actorKind: rec.operator ? "human" : "agent",
    agentId: ctx.agentForProduct(rec.product),
    agentProduct: rec.product,
    sessionId: rec.sessionId,
    action: `session:${rec.type}`,
    classes: [],
    target: null,
    environment: ctx.environmentOfAgentAction(rec.cwd ?? rec.repository ?? null, null),
    outcome: "unknown",
    approval: "unknown",
    approvalEvidence: null,
    command: null,
    account: null,
    region: null,
    locator: rec.locator,
    attrs: compact({
      operator: rec.operator ?? null,
      cwd: rec.cwd ?? null,
      repository: rec.repository ?? null,
      productVersion: rec.productVersion ?? null,
      ...(rec.known ? {} : { unknownEventType: true }),
      ...rec.attrs,
    }),
  };
}

/** Counts records of event types a parser does not know, for one note at the end of the file. */
export class UnknownTypes {
  private readonly counts = new Map<string, number>();

  add(type: string): void {
    this.counts.set(type, (this.counts.get(type) ?? 0) + 1);
  }

  note(): ParsedItem[] {
    if (this.counts.size === 0) return [];
    const list = [...this.counts].sort((a, b) => a[0].localeCompare(b[0])).map(([t, n]) => `${t} (${n})`);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    return [{ kind: "note", text: `${total} record${total === 1 ? "" : "s"} of unknown event types kept as session context: ${list.join(", ")}` }];
  }
}

/** `line 12`, or `line 3 [0]` for an element of a top-level array. */
export function locatorOf(r: JsonRecord): string {
  return r.index === undefined ? `line ${r.line}` : `line ${r.line} [${r.index}]`;
}

/** One record checked to be an object: bad JSON and non-objects become rejects with their line. */
export function objectRecord(r: JsonRecord, what: string): { rec: Record<string, unknown>; line: number } | ParsedItem {
  if (r.error) return reject(locatorOf(r), r.error, r.raw, r.incomplete);
  if (!isRecord(r.value)) return reject(locatorOf(r), `expected a JSON object (${what})`, r.raw);
  return { rec: r.value, line: r.line };
}

/** The object records of a file; bad JSON and non-objects become rejects with their line. */
export async function* objectRecords(
  records: AsyncIterable<JsonRecord>,
  what: string,
): AsyncIterable<{ rec: Record<string, unknown>; at: string; line: number } | ParsedItem> {
  for await (const r of records) {
    const at = r.index === undefined ? `line ${r.line}` : `line ${r.line} [${r.index}]`;
    if (r.error) yield reject(at, r.error, r.raw, r.incomplete);
    else if (!isRecord(r.value)) yield reject(at, `expected a JSON object (${what})`, r.raw);
    else yield { rec: r.value, at, line: r.line };
  }
}

export function isParsedItem(x: { rec: Record<string, unknown> } | ParsedItem): x is ParsedItem {
  return "kind" in x && !("rec" in x);
}

interface Pending {
  keys: string[];
  line: number;
}

/**
 * Folds the records of one tool call (pre/post hooks, a call and its output) that arrive in any
 * order. Each record names the call by one or more keys (an id when the source has one, else the
 * session, tool and input); the first pending call under any of them is the match. Only open calls
 * are held, so memory follows the number of calls in flight, not the file size.
 */
export class CallJoiner<T extends object> {
  private readonly byKey = new Map<string, T[]>();
  private readonly pending = new Map<T, Pending>();

  /** The first pending call under any of `keys` that `accept` takes (all by default). */
  find(keys: readonly (string | null)[], accept?: (value: T) => boolean): T | undefined {
    for (const k of keys) {
      if (k === null) continue;
      const list = this.byKey.get(k);
      if (!list) continue;
      if (!accept) return list[0];
      for (const v of list) if (accept(v)) return v;
    }
    return undefined;
  }

  open(keys: readonly (string | null)[], value: T, line: number): T {
    this.pending.set(value, { keys: [], line });
    this.alias(value, keys);
    return value;
  }

  /** Adds keys under which a pending call can be found (e.g. a tool_use_id learnt from a later record). */
  alias(value: T, keys: readonly (string | null)[]): void {
    const p = this.pending.get(value);
    if (!p) return;
    for (const k of keys) {
      if (k === null || p.keys.includes(k)) continue;
      p.keys.push(k);
      const list = this.byKey.get(k);
      if (list) list.push(value);
      else this.byKey.set(k, [value]);
    }
  }

  close(value: T): void {
    const p = this.pending.get(value);
    if (!p) return;
    this.pending.delete(value);
    for (const k of p.keys) {
      const list = this.byKey.get(k);
      if (!list) continue;
      const i = list.indexOf(value);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byKey.delete(k);
    }
  }

  /** The call opened longest ago (insertion order), or undefined; it stays open until `close`. */
  oldest(): T | undefined {
    return this.pending.keys().next().value;
  }

  /** Calls still open at end of file, in the order they started. */
  drain(): T[] {
    const out = [...this.pending].sort((a, b) => a[1].line - b[1].line).map(([v]) => v);
    this.pending.clear();
    this.byKey.clear();
    return out;
  }

  get size(): number {
    return this.pending.size;
  }
}
