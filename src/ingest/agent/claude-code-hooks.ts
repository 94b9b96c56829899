import type { Approval } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { keyGate } from "./ambiguous.ts";
import { jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookCall, type HookFormat, type HookStep } from "./hook-log.ts";

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
/**
 * Permission modes in which a tool runs without asking a person (Claude Code docs, permissions:
 * code.claude.com/docs/en/permissions).
 */
const AUTO_MODES = new Set(["bypassPermissions", "dontAsk", "auto"]);
/** Keys whose repetition changes what a hook record says the tool did. */
const REPEATABLE_KEYS = keyGate(["command", "tool_input", "tool_name", "file_path", "url"]);

function inputKey(sessionId: string | null, toolName: string, toolInput: unknown): string {
  return `${sessionId}\u0000${toolName}\u0000${JSON.stringify(toolInput ?? null)}`;
}

/** What a Bash call ran, or the file, URL or pattern another tool worked on. */
function commandOf(toolInput: unknown): string | null {
  if (!isRecord(toolInput)) return null;
  return str(toolInput.command) ?? str(toolInput.file_path) ?? str(toolInput.url) ?? str(toolInput.pattern) ?? null;
}

/**
 * The tool's input as Claude Code meant it: a tool_input sent as a string instead of the object
 * Claude Code writes is parsed when it is JSON and, for Bash, otherwise taken as the command, and
 * flagged (duplicate keys are the driver's: it steps each reading and keeps the most dangerous).
 */
function toolFields(rec: Record<string, unknown>, toolName: string): CallFields {
  const given = rec.tool_input;
  const parsed = jsonField(given);
  const input = typeof parsed === "string" && toolName === "Bash" ? { command: parsed } : parsed;
  const obj = isRecord(input) ? input : {};
  const shell = toolName === "Bash";
  return {
    tool: toolName,
    shell: shell ? commandOf(input) : null,
    // The command column of other tools is the file, URL or pattern they worked on, as before this
    // parser ran on the shared driver (callEvent shows `args` as the command when there is no shell).
    args: shell ? null : commandOf(input),
    target: shell ? null : str(obj.file_path) ?? str(obj.url) ?? null,
    attrs: typeof given === "string" ? { ambiguous: "tool_input is a string, not an object: read as the tool's input" } : {},
  };
}

/**
 * A format per file: the permission mode is logged on most records but not all, so the last one
 * seen in a session stands for the records of that session that carry none.
 */
function claudeCodeFormat(): HookFormat {
  const sessionMode = new Map<string, string>();

  function step(rec: Record<string, unknown>, event: string, line: number): HookStep {
    const sessionId = str(rec.session_id);
    const logged = str(rec.permission_mode);
    if (sessionId && logged) sessionMode.set(sessionId, logged);
    const mode = logged ?? (sessionId ? sessionMode.get(sessionId) ?? null : null);
    const cwd = str(rec.cwd);
    if (!TOOL_EVENTS.has(event)) {
      return {
        kind: META_EVENTS.has(event) ? "session" : "unknown",
        type: event,
        sessionId,
        operator: str(rec.user_email),
        // A prompt is the person's; the other records report what the agent's session did.
        actorKind: event === "UserPromptSubmit" ? "human" : "agent",
        // Keys of session records end in the bare line number, as stored before this parser ran on the driver.
        keyLocator: String(line),
        cwd,
        attrs: { permissionMode: mode, source: str(rec.source) },
      };
    }
    const toolName = str(rec.tool_name);
    if (!toolName) return { kind: "reject", reason: `${event} without "tool_name"` };
    const fields = toolFields(rec, toolName);
    fields.sessionId = sessionId;
    fields.cwd = cwd;
    const keys = [inputKey(sessionId, toolName, rec.tool_input)];
    if (event === "PermissionRequest") {
      // The prompt is evidence of how the call was approved, not a record of the call: it is cited
      // in the approval evidence, not in the locator.
      fields.facts = { permissionLine: line, laterMode: mode };
      return { kind: "open", ids: [], keys, fields, cite: false };
    }
    const id = str(rec.tool_use_id);
    if (!id) return { kind: "reject", reason: `${event} without "tool_use_id"` };
    fields.id = id;
    fields.attrs!.toolUseId = id;
    // The mode in force when the call was asked for is the one that decided it: a PreToolUse's,
    // else the mode on the first later record.
    if (event === "PreToolUse") {
      // The answer `evidence hook --guard` gave on this line and logged with the payload.
      const guard = isRecord(rec.guard) ? rec.guard : null;
      const decided = guard && (guard.decision === "deny" || guard.decision === "ask") ? { decision: guard.decision, reason: str(guard.reason) ?? "", line } : undefined;
      fields.facts = { mode, ...(decided ? { guard: decided } : {}) };
      return { kind: "open", ids: [id], keys, fields };
    }
    fields.facts = { laterMode: mode };
    if (event === "PostToolUse") fields.outcome = "succeeded";
    else if (event === "PostToolUseFailure") {
      fields.outcome = rec.is_interrupt === true ? "interrupted" : "failed";
      fields.attrs!.error = str(rec.error)?.split("\n")[0];
    } else {
      fields.outcome = "denied";
      fields.facts.deniedReason = str(rec.reason) ?? "denied";
    }
    return { kind: "close", ids: [id], keys, fields };
  }

  return {
    product: PRODUCT,
    what: "a Claude Code hook payload",
    eventName: (rec) => str(rec.hook_event_name),
    eventField: "hook_event_name",
    repeatableKeys: REPEATABLE_KEYS,
    step,
    approval,
    complete: (call) => {
      call.attrs.permissionMode = modeOf(call);
      // Claude Code does not run a call its PreToolUse hook denies: with no later record, it was denied.
      if (guardOf(call)?.decision === "deny" && call.outcome === "unknown") call.outcome = "denied";
    },
  };
}

function modeOf(call: HookCall): string | null {
  return str(call.facts.mode) ?? str(call.facts.laterMode);
}

function guardOf(call: HookCall): { decision: "deny" | "ask"; reason: string; line: number } | undefined {
  return call.facts.guard as { decision: "deny" | "ask"; reason: string; line: number } | undefined;
}

function approval(call: HookCall): { approval: Approval; evidence: string } {
  const f = call.facts;
  const guard = guardOf(call);
  // Claude Code does not run a call its PreToolUse hook denies, and asks the person when it answers ask.
  if (guard?.decision === "deny" && f.deniedReason === undefined && (call.outcome === "unknown" || call.outcome === "denied")) return { approval: "denied", evidence: `evidence hook --guard denied it at line ${guard.line}: ${guard.reason}` };
  if (call.outcome === "denied") return { approval: "denied", evidence: `PermissionDenied: ${String(f.deniedReason)}` };
  if (guard?.decision === "ask") {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: `evidence hook --guard sent it to the person at line ${guard.line}; no PostToolUse logged, so the answer is unknown` }
      : { approval: "human", evidence: `evidence hook --guard sent it to the person at line ${guard.line} and the tool then ran` };
  }
  if (typeof f.permissionLine === "number") {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: `permission prompt at line ${f.permissionLine}; no PostToolUse logged, so the answer is unknown` }
      : { approval: "human", evidence: `permission prompt at line ${f.permissionLine} was answered and the tool ran` };
  }
  const mode = modeOf(call);
  if (mode && AUTO_MODES.has(mode)) return { approval: "policy", evidence: `permission_mode=${mode}: no human confirmation` };
  if (mode === "acceptEdits") return { approval: "policy", evidence: "permission_mode=acceptEdits" };
  return { approval: "policy", evidence: `no permission prompt logged (mode ${mode ?? "not recorded"}): allowed by a settings rule or hook` };
}

// 3: runs on the shared hook driver: a record of a call already emitted is folded (it was a second
// action with the same key), a PermissionRequest whose call never ran is an action (it was dropped),
// and session records' attrs take the driver's shared form (operator named, empty fields left out).
// 4: on the shared driver (3), plus the decision `evidence hook --guard` logged.
export const createClaudeCodeHooksParser = createHookParser("claude-code-hooks", "4", claudeCodeFormat);
