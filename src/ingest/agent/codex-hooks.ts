import type { Approval, Outcome } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { argsText, firstStr, jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookCall, type HookFormat, type HookStep } from "./hook-log.ts";

/**
 * OpenAI Codex hook payloads (developers.openai.com/codex/hooks; the input schemas in openai/codex
 * `codex-rs/hooks/schema/generated/*.command.input.schema.json`), logged one per line by a logging
 * hook such as `evidence hook --agent codex`. Common fields: `session_id`, `transcript_path`
 * (string or null), `cwd`, `hook_event_name`, `model`, `permission_mode`
 * (`default|acceptEdits|plan|dontAsk|bypassPermissions`), and on turn-scoped events `turn_id`.
 * The payload carries no time: the logging hook adds it.
 *
 * - PreToolUse: `tool_name`, `tool_input`, `tool_use_id`; PostToolUse adds `tool_response` (any JSON).
 * - PermissionRequest: `tool_name` (`Bash`, `NetworkAccess`, …), `tool_input`, no `tool_use_id`:
 *   joined to its call by session, tool and command (or arguments).
 * - SessionStart (`source`), UserPromptSubmit (`prompt`), Stop, PreCompact/PostCompact,
 *   SubagentStart/SubagentStop: session records.
 *
 * Tool names are `Bash` (`tool_input.command`), `apply_patch` (the patch in `tool_input.command`)
 * and MCP tools `mcp__<server>__<tool>`. The call's `tool_use_id` is the rollout's `call_id` [I],
 * so the same call read from a rollout and from the hook log is stored once.
 */
export const PRODUCT = "codex";
const SESSION_EVENTS = new Set(["SessionStart", "UserPromptSubmit", "Stop", "StopFailure", "PreCompact", "PostCompact", "SubagentStart", "SubagentStop", "Notification"]);
/** Permission modes in which Codex runs a tool without asking (the schemas' `permission_mode`, as Claude Code's). */
const AUTO_MODES = new Set(["bypassPermissions", "dontAsk"]);

/** [I] `tool_response` has no documented shape; these are the failure signs it can carry. */
function responseOutcome(response: unknown): Outcome {
  const r = jsonField(response);
  if (!isRecord(r)) return "succeeded";
  const code = r.exit_code ?? r.exitCode;
  if (typeof code === "number" && code !== 0) return "failed";
  if (r.success === false || typeof r.error === "string") return "failed";
  return "succeeded";
}

function step(rec: Record<string, unknown>, event: string): HookStep {
  const sessionId = str(rec.session_id);
  const cwd = str(rec.cwd);
  // `user` is the OS user `evidence hook` records beside the payload; Codex's payload names nobody.
  const operator = str(rec.user);
  const mode = str(rec.permission_mode);
  const attrs: Record<string, unknown> = { turnId: str(rec.turn_id), model: str(rec.model), permissionMode: mode, host: str(rec.host), operatorSource: operator ? "OS user recorded by the logging hook" : null };
  if (event === "PreToolUse" || event === "PostToolUse" || event === "PostToolUseFailure" || event === "PermissionRequest") {
    const tool = str(rec.tool_name);
    if (!tool) return { kind: "reject", reason: `${event} without "tool_name"` };
    const input = jsonField(rec.tool_input);
    const obj = isRecord(input) ? input : {};
    const command = tool === "Bash" ? str(obj.command) : null;
    const key = `${sessionId ?? "-"}|${tool}|${command ?? argsText(input)}`;
    const id = str(rec.tool_use_id);
    const fields: CallFields = {
      id, sessionId, cwd, operator, tool, shell: command, args: input, target: firstStr(obj, "file_path", "path", "url"), attrs,
      facts: { mode, permission: firstStr(rec, "permissionDecision", "decision") },
    };
    if (event === "PermissionRequest") {
      fields.facts!.permissionRequested = true;
      return { kind: "open", ids: [], keys: [key], fields };
    }
    if (!id) return { kind: "reject", reason: `${event} without "tool_use_id"` };
    if (event === "PreToolUse") return { kind: "open", ids: [id], keys: [key], fields };
    if (event === "PostToolUse") fields.outcome = responseOutcome(rec.tool_response);
    else {
      fields.outcome = rec.is_interrupt === true ? "interrupted" : "failed";
      attrs.error = str(rec.error)?.split("\n")[0] ?? null;
    }
    return { kind: "close", ids: [id], keys: [key], fields };
  }
  if (SESSION_EVENTS.has(event)) {
    return { kind: "session", type: event, sessionId, operator, cwd, attrs: { ...attrs, source: str(rec.source), reason: str(rec.reason) } };
  }
  return { kind: "unknown", type: event, sessionId };
}

function approval(call: HookCall): { approval: Approval; evidence: string; recorded?: boolean } {
  const f = call.facts;
  if (f.permission === "deny") return { approval: "denied", evidence: "the gating hook logged deny", recorded: true };
  if (f.permissionRequested) {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: "PermissionRequest logged; no PostToolUse shows the answer" }
      : { approval: "human", evidence: "PermissionRequest logged and the tool then ran" };
  }
  if (typeof f.mode === "string" && AUTO_MODES.has(f.mode)) return { approval: "policy", evidence: `permission_mode=${f.mode}: run without asking` };
  if (f.permission === "allow") return { approval: "policy", evidence: "the gating hook logged allow", recorded: true };
  return { approval: "unknown", evidence: "no PermissionRequest logged for the call; Codex hook payloads do not carry the approval policy that decided it" };
}

export const codexHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Codex hook payload",
  eventName: (rec) => str(rec.hook_event_name),
  step,
  approval,
};

export const createCodexHooksParser = createHookParser("codex-hooks", "1", codexHooksFormat);
