import { classifyToolCall } from "../../classify/action.ts";
import type { Approval, EvidenceEvent, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, jsonLines, reject, str, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { duplicateKeyReadings, keyGate, mostDangerous } from "./ambiguous.ts";
import { jsonField, withClassifier } from "./calls.ts";

/**
 * Claude Code hook payload logs: one JSON object per line, as a logging hook writes what Claude
 * Code sends on stdin (Claude Code docs, "Hooks reference": code.claude.com/docs/en/hooks). Claude Code puts no timestamp in the
 * payload, so the logging hook must add one (`timestamp`, `time`, `ts` or `@timestamp`); a line
 * without one is rejected rather than guessed.
 *
 * One tool call is one action: PreToolUse, PermissionRequest and PostToolUse(Failure) are folded
 * by `tool_use_id` (PermissionRequest has none, so it is matched by session, tool and input).
 */
export const PRODUCT = "claude-code";
const TOOL_EVENTS = new Set(["PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied"]);
const META_EVENTS = new Set(["SessionStart", "SessionEnd", "UserPromptSubmit", "Notification", "Stop", "SubagentStop", "PreCompact", "ConfigChange"]);
/** Permission modes in which a tool runs without asking a person (permission-modes.md). */
const AUTO_MODES = new Set(["bypassPermissions", "dontAsk", "auto"]);
const TIME_FIELDS = ["timestamp", "time", "ts", "@timestamp", "logged_at", "event_time"];

interface PendingCall {
  toolUseId: string;
  sessionId: string | null;
  toolName: string;
  toolInput: unknown;
  cwd: string | null;
  mode: string | null;
  firstTime: string;
  firstLine: number;
  permissionLine?: number;
  endTime?: string;
  outcome: Outcome;
  error?: string;
  deniedReason?: string;
  lines: number[];
  extra: Record<string, unknown>;
  /** Why the record could be read more than one way (duplicate keys, tool_input not an object). */
  ambiguous?: string;
  /** The answer `evidence hook --guard` gave on the PreToolUse line (`guard.decision`), with its reason. */
  guard?: { decision: "deny" | "ask"; reason: string; line: number };
}

/** Keys whose repetition changes what a hook record says the tool did. */
const REPEATABLE_KEYS = keyGate(["command", "tool_input", "tool_name", "file_path", "url"]);

export function createClaudeCodeHooksParser(ctx: EnrichContext): Parser {
  return {
    name: "claude-code-hooks",
    // 2: duplicate keys and a string tool_input are read as their most dangerous reading. 3: the
    // decision `evidence hook --guard` logged.
    version: withClassifier("3"),
    parse: (input) => parseHooks(input, ctx),
  };
}

function recordTime(rec: Record<string, unknown>): string | undefined {
  for (const f of TIME_FIELDS) {
    const t = toIsoTime(rec[f]);
    if (t) return t;
  }
  return undefined;
}

function inputKey(sessionId: string | null, toolName: string, toolInput: unknown): string {
  return `${sessionId}\u0000${toolName}\u0000${JSON.stringify(toolInput ?? null)}`;
}

async function* parseHooks(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const calls = new Map<string, PendingCall>();
  // PermissionRequest lines waiting for the PreToolUse/PostToolUse they belong to.
  const permissionRequests = new Map<string, number>();
  const sessionMode = new Map<string, string>();

  for await (const { line, value, error, raw, incomplete } of jsonLines(input)) {
    const at = `line ${line}`;
    if (error) {
      yield reject(at, error, raw, incomplete);
      continue;
    }
    if (!isRecord(value)) {
      yield reject(at, "expected a JSON object (a hook payload)", raw);
      continue;
    }
    const eventName = str(value.hook_event_name);
    if (!eventName) {
      yield reject(at, 'missing "hook_event_name": not a Claude Code hook payload', raw);
      continue;
    }
    const time = recordTime(value);
    if (!time) {
      yield reject(at, timeRejectReason(value, TIME_FIELDS, `no timestamp: expected one of ${TIME_FIELDS.join(", ")} (added by the logging hook) as ISO-8601 or epoch`), raw);
      continue;
    }
    const sessionId = str(value.session_id);
    const mode = str(value.permission_mode);
    if (sessionId && mode) sessionMode.set(sessionId, mode);
    const currentMode = mode ?? (sessionId ? sessionMode.get(sessionId) ?? null : null);

    if (!TOOL_EVENTS.has(eventName)) {
      yield { kind: "event", event: metaEvent(value, eventName, time, sessionId, currentMode, line, ctx, META_EVENTS.has(eventName)) };
      continue;
    }
    const read = toolReading(value, raw);
    const toolName = read.toolName;
    if (!toolName) {
      yield reject(at, `${eventName} without "tool_name"`, raw);
      continue;
    }
    if (eventName === "PermissionRequest") {
      permissionRequests.set(inputKey(sessionId, toolName, value.tool_input), line);
      continue;
    }
    const toolUseId = str(value.tool_use_id);
    if (!toolUseId) {
      yield reject(at, `${eventName} without "tool_use_id"`, raw);
      continue;
    }
    let call = calls.get(toolUseId);
    if (!call) {
      call = {
        toolUseId, sessionId, toolName, toolInput: read.toolInput, cwd: str(value.cwd), mode: currentMode,
        firstTime: time, firstLine: line, outcome: "unknown", lines: [], extra: {},
      };
      calls.set(toolUseId, call);
    }
    if (read.ambiguous && !call.ambiguous) {
      // A later record of the same call that reads two ways still decides what the call is taken to be.
      call.ambiguous = `line ${line}: ${read.ambiguous}`;
      call.toolName = toolName;
      call.toolInput = read.toolInput;
    }
    call.lines.push(line);
    if (time < call.firstTime) call.firstTime = time;
    const permissionLine = permissionRequests.get(inputKey(sessionId, toolName, value.tool_input));
    if (permissionLine !== undefined) {
      call.permissionLine = permissionLine;
      permissionRequests.delete(inputKey(sessionId, toolName, value.tool_input));
    }
    const guard = isRecord(value.guard) ? value.guard : null;
    if (eventName === "PreToolUse" && guard && (guard.decision === "deny" || guard.decision === "ask")) {
      call.guard = { decision: guard.decision, reason: str(guard.reason) ?? "", line };
    }
    if (eventName === "PostToolUse") {
      call.outcome = "succeeded";
      call.endTime = time;
    } else if (eventName === "PostToolUseFailure") {
      call.outcome = value.is_interrupt === true ? "interrupted" : "failed";
      call.error = str(value.error)?.split("\n")[0];
      call.endTime = time;
    } else if (eventName === "PermissionDenied") {
      call.outcome = "denied";
      call.deniedReason = str(value.reason) ?? "denied";
      call.endTime = time;
    }
    if (call.endTime) {
      calls.delete(toolUseId);
      yield { kind: "event", event: toolEvent(call, ctx) };
    }
  }
  // Calls that never finished in this file (log rotated, session killed) are still actions.
  for (const call of [...calls.values()].sort((a, b) => a.firstLine - b.firstLine)) {
    yield { kind: "event", event: toolEvent(call, ctx) };
  }
}

interface ToolReading {
  toolName: string | null;
  toolInput: unknown;
  ambiguous?: string;
}

/**
 * The tool and input a record names, taking its most dangerous reading when it has several: a key
 * repeated in the raw line (JSON.parse keeps only the last), or a tool_input sent as a string instead of
 * the object Claude Code writes (a JSON string is parsed; for Bash, other text is taken as the command).
 */
function toolReading(value: Record<string, unknown>, raw: string): ToolReading {
  const dup = duplicateKeyReadings(value, raw, REPEATABLE_KEYS);
  const readings = (dup?.variants ?? [value]).map((v) => {
    const toolName = str(v.tool_name);
    const given = v.tool_input;
    const parsed = jsonField(given);
    const toolInput = typeof parsed === "string" && toolName === "Bash" ? { command: parsed } : parsed;
    const stringInput = typeof given === "string";
    return { toolName, toolInput, stringInput, tool: toolName ?? "unknown", shell: toolName === "Bash" ? commandOf(toolInput) : null };
  });
  const chosen = readings[readings.length > 1 ? mostDangerous(readings) : 0]!;
  const notes: string[] = [];
  if (dup) notes.push(dup.note);
  if (readings.some((r) => r.stringInput)) notes.push("tool_input is a string, not an object: read as the tool's input");
  return notes.length ? { toolName: chosen.toolName, toolInput: chosen.toolInput, ambiguous: notes.join("; ") } : { toolName: chosen.toolName, toolInput: chosen.toolInput };
}

function commandOf(toolInput: unknown): string | null {
  if (!isRecord(toolInput)) return null;
  return str(toolInput.command) ?? str(toolInput.file_path) ?? str(toolInput.url) ?? str(toolInput.pattern) ?? null;
}

function approvalOf(call: PendingCall): { approval: Approval; evidence: string } {
  if (call.outcome === "denied") return { approval: "denied", evidence: `PermissionDenied: ${call.deniedReason}` };
  // Claude Code does not run a call its PreToolUse hook denies, and asks the person when it answers ask.
  if (call.guard?.decision === "deny" && call.outcome === "unknown") return { approval: "denied", evidence: `evidence hook --guard denied it at line ${call.guard.line}: ${call.guard.reason}` };
  if (call.guard?.decision === "ask") {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: `evidence hook --guard sent it to the person at line ${call.guard.line}; no PostToolUse logged, so the answer is unknown` }
      : { approval: "human", evidence: `evidence hook --guard sent it to the person at line ${call.guard.line} and the tool then ran` };
  }
  if (call.permissionLine !== undefined) {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: `permission prompt at line ${call.permissionLine}; no PostToolUse logged, so the answer is unknown` }
      : { approval: "human", evidence: `permission prompt at line ${call.permissionLine} was answered and the tool ran` };
  }
  if (call.mode && AUTO_MODES.has(call.mode)) return { approval: "policy", evidence: `permission_mode=${call.mode}: no human confirmation` };
  if (call.mode === "acceptEdits") return { approval: "policy", evidence: "permission_mode=acceptEdits" };
  return {
    approval: "policy",
    evidence: `no permission prompt logged (mode ${call.mode ?? "not recorded"}): allowed by a settings rule or hook`,
  };
}

function toolEvent(call: PendingCall, ctx: EnrichContext): EvidenceEvent {
  const command = commandOf(call.toolInput);
  const isShell = call.toolName === "Bash";
  const { classes, basis } = classifyToolCall(call.toolName, isShell ? command : null);
  const { approval, evidence } = approvalOf(call);
  const input = isRecord(call.toolInput) ? call.toolInput : {};
  return {
    sourceKind: "agent-log",
    eventKey: `${PRODUCT}:tool:${call.toolUseId}`,
    time: call.firstTime,
    actor: ctx.agentForProduct(PRODUCT) ?? PRODUCT,
    actorKind: "agent",
    agentId: ctx.agentForProduct(PRODUCT),
    agentProduct: PRODUCT,
    sessionId: call.sessionId,
    action: call.toolName,
    classes,
    target: isShell ? null : str(input.file_path) ?? str(input.url) ?? null,
    environment: ctx.environmentOfAgentAction(call.cwd, command),
    outcome: call.guard?.decision === "deny" && call.outcome === "unknown" ? "denied" : call.outcome,
    approval,
    approvalEvidence: evidence,
    command,
    account: null,
    region: null,
    locator: `line${call.lines.length > 1 ? "s" : ""} ${call.lines.join(", ")}`,
    attrs: {
      toolUseId: call.toolUseId,
      cwd: call.cwd,
      permissionMode: call.mode,
      classifiedBy: basis,
      ...(call.ambiguous ? { ambiguous: call.ambiguous } : {}),
      ...(call.error ? { error: call.error } : {}),
      ...(call.endTime ? { endTime: call.endTime } : {}),
    },
  };
}

function metaEvent(
  rec: Record<string, unknown>,
  eventName: string,
  time: string,
  sessionId: string | null,
  mode: string | null,
  line: number,
  ctx: EnrichContext,
  known: boolean,
): EvidenceEvent {
  return {
    sourceKind: "agent-log",
    // Meta records have no id of their own; session + line is unique within the file.
    eventKey: `${PRODUCT}:meta:${sessionId ?? "-"}:${eventName}:${time}:${line}`,
    time,
    actor: str(rec.user_email) ?? null,
    actorKind: eventName === "UserPromptSubmit" ? "human" : "agent",
    agentId: ctx.agentForProduct(PRODUCT),
    agentProduct: PRODUCT,
    sessionId,
    action: `session:${eventName}`,
    classes: [],
    target: null,
    environment: ctx.environmentOfAgentAction(str(rec.cwd), null),
    outcome: "unknown",
    approval: "unknown",
    approvalEvidence: null,
    command: null,
    account: null,
    region: null,
    locator: `line ${line}`,
    attrs: { cwd: str(rec.cwd), permissionMode: mode, ...(known ? {} : { unknownEventType: true }), ...(str(rec.source) ? { source: rec.source } : {}) },
  };
}
