import type { Approval } from "../../event.ts";
import { str } from "../parser.ts";
import { argsText, firstStr, jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookCall, type HookFormat, type HookStep } from "./hook-log.ts";
import { outcomeFromText } from "./outcome.ts";

/**
 * Cursor agent hook payloads (cursor.com/docs/hooks), logged one per line by a logging hook.
 * Common fields: `conversation_id` (the session),
 * `generation_id` (one agent turn), `hook_event_name`, `cursor_version`, `workspace_roots[]`,
 * `user_email`?; there is no top-level timestamp, so the logging hook must add one.
 *
 * One call is one action: preToolUse/postToolUse(Failure) by `tool_use_id`; beforeShellExecution /
 * afterShellExecution, beforeMCPExecution / afterMCPExecution and afterFileEdit by generation +
 * command / tool / file, which also folds the preToolUse that Cursor fires for the same call.
 */
export const PRODUCT = "cursor";
const SESSION_EVENTS = new Set(["sessionStart", "sessionEnd", "beforeSubmitPrompt", "stop", "subagentStart", "subagentStop", "afterAgentResponse", "afterAgentThought", "preCompact"]);

function content(rec: Record<string, unknown>, kind: string, subject: string | null): string | null {
  return subject === null ? null : `${str(rec.conversation_id) ?? "-"}|${str(rec.generation_id) ?? "-"}|${kind}|${subject}`;
}

function common(rec: Record<string, unknown>): CallFields {
  const roots = Array.isArray(rec.workspace_roots) ? rec.workspace_roots.filter((r): r is string => typeof r === "string") : [];
  return {
    sessionId: str(rec.conversation_id),
    operator: str(rec.user_email),
    version: str(rec.cursor_version),
    cwd: str(rec.cwd) ?? roots[0] ?? null,
    repository: roots[0] ?? null,
    attrs: { generationId: str(rec.generation_id), model: str(rec.model) },
    // [I] A logging hook that is also the gate may log the answer it returned next to the payload.
    // `guard.decision` is the answer `evidence hook --guard` gave and logged with the payload.
    facts: { sandbox: rec.sandbox, permission: str(rec.permission) ?? str(rec.decision) ?? (rec.guard && typeof rec.guard === "object" ? str((rec.guard as Record<string, unknown>).decision) : null) },
  };
}

/**
 * `common()` builds a fresh object per record, which the steps below complete in place: V8 copies
 * `{...obj, more}` through a slow path (microseconds per record on Node 20), and this runs for
 * every line of logs with millions of them.
 */
/** Cursor names tools `Shell`, `Read`, `Write`, `Delete`, `Task`, `MCP:<tool>` in pre/postToolUse. */
function toolFields(rec: Record<string, unknown>): { fields: CallFields; keys: (string | null)[] } {
  const tool = str(rec.tool_name) ?? "unknown";
  const input = jsonField(rec.tool_input);
  const obj = input !== null && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  if (tool === "Shell") {
    const command = str(obj.command);
    return { fields: { tool, shell: command, cwd: str(obj.cwd) ?? str(rec.cwd) }, keys: [content(rec, "shell", command)] };
  }
  if (tool.startsWith("MCP:")) {
    return { fields: { tool, args: input }, keys: [content(rec, "mcp", `${tool.slice(4)} ${argsText(input)}`)] };
  }
  const target = firstStr(obj, "file_path", "path", "target_file", "url");
  return { fields: { tool, args: input, target }, keys: [target ? content(rec, "file", target) : null] };
}

function step(rec: Record<string, unknown>, event: string): HookStep {
  const base = common(rec);
  const id = str(rec.tool_use_id);
  switch (event) {
    case "beforeShellExecution":
    case "afterShellExecution": {
      const command = str(rec.command);
      if (!command) return { kind: "reject", reason: `${event} without "command"` };
      const fields = base;
      fields.tool = "Shell";
      fields.shell = command;
      if (event === "beforeShellExecution") return { kind: "open", ids: [id], keys: [content(rec, "shell", command)], fields };
      const output = str(rec.output);
      // afterShellExecution carries the output, not an exit code; a stated exit code or refusal refines it.
      fields.outcome = (output && outcomeFromText(output)) || "succeeded";
      fields.attrs!.durationMs = rec.duration;
      return { kind: "close", ids: [id], keys: [content(rec, "shell", command)], fields };
    }
    case "beforeMCPExecution":
    case "afterMCPExecution": {
      const name = str(rec.tool_name);
      if (!name) return { kind: "reject", reason: `${event} without "tool_name"` };
      // tool_input is a JSON string here (unlike preToolUse) [V].
      const input = jsonField(rec.tool_input);
      const fields = base;
      fields.tool = `MCP:${name}`;
      fields.args = input;
      fields.attrs!.mcpServer = str(rec.url) ?? str(rec.command);
      const keys = [content(rec, "mcp", `${name} ${argsText(input)}`)];
      if (event === "beforeMCPExecution") return { kind: "open", ids: [id], keys, fields };
      fields.outcome = "succeeded";
      return { kind: "close", ids: [id], keys, fields };
    }
    case "preToolUse":
    case "postToolUse":
    case "postToolUseFailure": {
      if (!str(rec.tool_name)) return { kind: "reject", reason: `${event} without "tool_name"` };
      const t = toolFields(rec);
      const fields = Object.assign(base, t.fields);
      fields.id = id;
      if (event === "preToolUse") return { kind: "open", ids: [id], keys: t.keys, fields };
      if (event === "postToolUse") {
        fields.outcome = "succeeded";
        return { kind: "close", ids: [id], keys: t.keys, fields };
      }
      const failure = str(rec.failure_type);
      fields.outcome = failure === "permission_denied" ? "denied" : rec.is_interrupt === true ? "interrupted" : "failed";
      fields.facts!.failureType = failure;
      fields.attrs!.error = str(rec.error_message)?.split("\n")[0] ?? null;
      fields.attrs!.failureType = failure;
      return { kind: "close", ids: [id], keys: t.keys, fields };
    }
    case "afterFileEdit": {
      const file = str(rec.file_path);
      if (!file) return { kind: "reject", reason: 'afterFileEdit without "file_path"' };
      const edits = Array.isArray(rec.edits) ? rec.edits.length : null;
      // Inside a Write whose postToolUse follows, it only adds to the call; alone (older builds, or
      // edits Cursor makes without a tool call) it is the action.
      return { kind: "update", ids: [id], keys: [content(rec, "file", file)], fields: Object.assign(base, { tool: "Write", target: file, args: { file_path: file, edits }, outcome: "succeeded" as const }) };
    }
    case "beforeReadFile": {
      const file = str(rec.file_path);
      if (!file) return { kind: "reject", reason: 'beforeReadFile without "file_path"' };
      // A read hook fires before the read and has no after-hook: the read is recorded as it was attempted.
      return { kind: "close", ids: [id], keys: [content(rec, "file", file)], fields: Object.assign(base, { tool: "Read", target: file, args: { file_path: file }, outcome: "unknown" as const }) };
    }
    default:
      if (SESSION_EVENTS.has(event)) {
        return { kind: "session", type: event, sessionId: base.sessionId ?? null, operator: base.operator, cwd: base.cwd, attrs: { reason: str(rec.reason), isBackgroundAgent: rec.is_background_agent } };
      }
      return { kind: "unknown", type: event, sessionId: base.sessionId ?? null };
  }
}

function approval(call: HookCall): { approval: Approval; evidence: string; recorded?: boolean } {
  const f = call.facts;
  if (f.failureType === "permission_denied") return { approval: "denied", evidence: "postToolUseFailure failure_type=permission_denied", recorded: true };
  if (f.permission === "deny") return { approval: "denied", evidence: "the gating hook logged permission=deny", recorded: true };
  if (f.permission === "ask") {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: "the gating hook logged permission=ask; no after-hook shows the answer" }
      : { approval: "human", evidence: "the gating hook logged permission=ask and the call then ran", recorded: true };
  }
  if (f.permission === "allow") return { approval: "policy", evidence: "the gating hook logged permission=allow", recorded: true };
  // [I] sandbox:true is Cursor running the command in its sandbox, which it does without asking.
  if (f.sandbox === true) return { approval: "policy", evidence: "beforeShellExecution sandbox=true: run in Cursor's sandbox without asking" };
  return { approval: "unknown", evidence: "Cursor hook payloads record neither the run mode nor the user's answer" };
}

export const cursorHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Cursor hook payload",
  eventName: (rec) => str(rec.hook_event_name),
  step,
  approval,
};

// 4: the shared driver's rules for ids and two readings (3), plus the decision `evidence hook --guard` logged.
export const createCursorHooksParser = createHookParser("cursor-hooks", "4", cursorHooksFormat);
