import type { Approval, Outcome } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { argsText, firstStr, jsonField } from "./calls.ts";
import { createHookParser, TIME_FIELDS, type CallFields, type HookCall, type HookFormat, type HookStep } from "./hook-log.ts";
import { userFromPath } from "./outcome.ts";

/**
 * GitHub Copilot CLI hook payloads (github/docs `content/copilot/reference/copilot-cli-reference/cli-hooks-reference.md`),
 * logged one per line. Two shapes [V]:
 *  - camelCase `{sessionId?, timestamp (epoch ms), cwd, toolName, toolArgs (a JSON string), toolResult?}`
 *    with no event name in the payload (the hook config names it), so the event is read from a
 *    field the logging hook adds (`hookEventName`, `event`) or else inferred from the fields [I];
 *  - snake_case `{hook_event_name (PascalCase), session_id, timestamp (ISO), cwd, tool_name, tool_input}`.
 * `postToolUse` carries `toolResult.resultType` `success|failure|denied|error`. There are no call ids,
 * so pre and post are joined by session, tool and arguments.
 */
export const PRODUCT = "copilot-cli";
const SHELLS = new Set(["bash", "powershell", "shell"]);
const SESSION_EVENTS = new Set(["sessionStart", "sessionEnd", "userPromptSubmitted", "userPromptSubmit", "agentStop", "subagentStop", "errorOccurred", "stop", "notification"]);
const RESULT: Record<string, Outcome> = { success: "succeeded", failure: "failed", error: "failed", denied: "denied" };

/** `PreToolUse` / `pre_tool_use` / `preToolUse` to `preToolUse`. */
function normalize(name: string): string {
  const camel = name.replace(/[_-]([a-z])/g, (_m, c: string) => c.toUpperCase());
  return camel.charAt(0).toLowerCase() + camel.slice(1);
}

function eventName(rec: Record<string, unknown>): string | null {
  const named = firstStr(rec, "hook_event_name", "hookEventName", "event", "hook");
  if (named) return normalize(named);
  // [I] Unnamed camelCase payloads: the fields tell which hook wrote them.
  if (rec.toolResult !== undefined) return "postToolUse";
  if (rec.toolName !== undefined) return "preToolUse";
  if (rec.prompt !== undefined) return "userPromptSubmitted";
  if (rec.error !== undefined) return "errorOccurred";
  if (rec.source !== undefined || rec.initialPrompt !== undefined) return "sessionStart";
  if (rec.reason !== undefined) return "sessionEnd";
  return null;
}

function step(rec: Record<string, unknown>, event: string): HookStep {
  const sessionId = firstStr(rec, "sessionId", "session_id");
  const cwd = str(rec.cwd);
  const operator = userFromPath(cwd);
  if (event === "preToolUse" || event === "postToolUse" || event === "permissionRequest") {
    const tool = firstStr(rec, "toolName", "tool_name");
    if (!tool) return { kind: "reject", reason: `${event} without "toolName"/"tool_name"` };
    const args = jsonField(rec.toolArgs ?? rec.tool_input ?? rec.tool_args);
    const obj = isRecord(args) ? args : {};
    const shell = SHELLS.has(tool.toLowerCase()) ? str(obj.command) : null;
    const key = `${sessionId ?? "-"}|${tool}|${argsText(args)}`;
    const fields: CallFields = {
      sessionId, cwd, operator, tool, shell, args, target: firstStr(obj, "path", "file_path", "url"),
      attrs: operator ? { operatorSource: "home directory of cwd [inferred]" } : {},
    };
    if (event === "permissionRequest") {
      fields.facts = { permissionRequested: true, permission: firstStr(rec, "behavior", "decision") };
      return { kind: "open", ids: [], keys: [key], fields };
    }
    if (event === "preToolUse") {
      fields.facts = { permission: firstStr(rec, "permissionDecision", "decision") };
      return { kind: "open", ids: [], keys: [key], fields };
    }
    const result = isRecord(rec.toolResult) ? rec.toolResult : isRecord(rec.tool_result) ? rec.tool_result : isRecord(rec.tool_response) ? rec.tool_response : {};
    const type = firstStr(result, "resultType", "result_type");
    fields.outcome = (type && RESULT[type]) || "succeeded";
    fields.facts = { resultType: type };
    fields.attrs!.resultType = type;
    return { kind: "close", ids: [], keys: [key], fields };
  }
  if (SESSION_EVENTS.has(event)) {
    return { kind: "session", type: event, sessionId, operator, cwd, attrs: { source: str(rec.source), reason: str(rec.reason) } };
  }
  return { kind: "unknown", type: event, sessionId };
}

function approval(call: HookCall): { approval: Approval; evidence: string; recorded?: boolean } {
  const f = call.facts;
  if (f.resultType === "denied") return { approval: "denied", evidence: "postToolUse toolResult.resultType=denied", recorded: true };
  if (f.permission === "deny") return { approval: "denied", evidence: "the gating hook logged deny", recorded: true };
  if (f.permissionRequested) {
    return call.outcome === "unknown"
      ? { approval: "unknown", evidence: "permissionRequest logged; no postToolUse shows the answer" }
      : { approval: "human", evidence: "permissionRequest logged and the tool then ran" };
  }
  if (f.permission === "allow") return { approval: "policy", evidence: "the gating hook logged allow", recorded: true };
  return { approval: "unknown", evidence: "Copilot CLI hook payloads do not say whether the user or an --allow-tool rule approved the call" };
}

export const copilotCliHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Copilot CLI hook payload",
  eventName,
  step,
  approval,
  timeFields: TIME_FIELDS,
};

export const createCopilotCliHooksParser = createHookParser("copilot-cli-hooks", "3", copilotCliHooksFormat);
