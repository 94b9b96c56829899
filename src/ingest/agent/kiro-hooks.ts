import type { Approval } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { argsText, firstStr, jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookFormat, type HookStep } from "./hook-log.ts";
import { userFromPath } from "./outcome.ts";

/**
 * Kiro CLI (formerly Amazon Q Developer CLI) hook payloads (Kiro docs, CLI hooks: kiro.dev/docs/cli/hooks),
 * logged one per line: `{hook_event_name, cwd, tool_name?, tool_input?, tool_response?}` with events
 * `agentSpawn|userPromptSubmit|preToolUse|postToolUse|stop`. No session, call id or time is in the
 * payload: the logging hook must add a timestamp, and pre/post are joined by cwd, tool and input.
 *
 * `use_aws` calls are rendered as the equivalent `aws <service> <operation> …` command so that the
 * shell classifier's cloud patterns apply to them as to `execute_bash` [I: operation names are the
 * CLI's kebab-case form in observed payloads].
 */
export const PRODUCT = "kiro";
const SESSION_EVENTS = new Set(["agentSpawn", "userPromptSubmit", "stop"]);
/**
 * Kiro CLI v3 hooks (kiro.dev/docs/cli/v3/hooks) rename the triggers: agentSpawn became SessionStart,
 * the others changed case only. [I] Whether a v3 payload's `hook_event_name` uses the new names is
 * not documented: both spellings are read as the same event.
 */
const V3_EVENTS: Readonly<Record<string, string>> = { SessionStart: "agentSpawn", UserPromptSubmit: "userPromptSubmit", PreToolUse: "preToolUse", PostToolUse: "postToolUse", Stop: "stop" };

/** `use_aws` input to the aws CLI command it stands for. */
export function awsCommand(input: Record<string, unknown>): string | null {
  const service = str(input.service_name);
  const operation = str(input.operation_name);
  if (!service || !operation) return null;
  const parts = ["aws", service, operation];
  const params = isRecord(input.parameters) ? input.parameters : {};
  for (const [k, v] of Object.entries(params)) {
    const flag = `--${k.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/_/g, "-").toLowerCase()}`;
    if (v === true) parts.push(flag);
    else if (v !== false && v !== null && v !== undefined) parts.push(flag, typeof v === "string" ? v : JSON.stringify(v));
  }
  if (str(input.region)) parts.push("--region", str(input.region)!);
  if (str(input.profile_name)) parts.push("--profile", str(input.profile_name)!);
  return parts.map((p) => (/[\s"'$`\\]/.test(p) ? `'${p.replace(/'/g, `'\\''`)}'` : p)).join(" ");
}

function step(rec: Record<string, unknown>, event: string): HookStep {
  const cwd = str(rec.cwd);
  const sessionId = firstStr(rec, "session_id", "sessionId", "conversation_id");
  const operator = firstStr(rec, "user", "user_email") ?? userFromPath(cwd);
  if (event === "preToolUse" || event === "postToolUse") {
    const tool = str(rec.tool_name);
    if (!tool) return { kind: "reject", reason: `${event} without "tool_name"` };
    const input = jsonField(rec.tool_input);
    const obj = isRecord(input) ? input : {};
    const shell = tool === "execute_bash" || tool === "execute_cmd" || tool === "shell" ? str(obj.command) : tool === "use_aws" ? awsCommand(obj) : null;
    const ops = Array.isArray(obj.operations) ? obj.operations.filter(isRecord) : [];
    const fields: CallFields = {
      sessionId, cwd, operator, tool, shell, args: input,
      target: firstStr(obj, "path", "file_path") ?? (ops[0] ? str(ops[0].path) : null),
      attrs: { operatorSource: operator && !firstStr(rec, "user", "user_email") ? "home directory of cwd [inferred]" : null, awsProfile: str(obj.profile_name), awsRegion: str(obj.region) },
    };
    const keys = [`${sessionId ?? "-"}|${cwd ?? "-"}|${tool}|${argsText(input)}`];
    if (event === "preToolUse") return { kind: "open", ids: [], keys, fields };
    const response = isRecord(rec.tool_response) ? rec.tool_response : {};
    // [I] tool_response shapes seen: {success: bool, result: [...]} and {exit_status: "0"}.
    const failed = response.success === false || (response.exit_status !== undefined && String(response.exit_status) !== "0") || typeof response.error === "string";
    fields.outcome = failed ? "failed" : "succeeded";
    return { kind: "close", ids: [], keys, fields };
  }
  if (SESSION_EVENTS.has(event)) return { kind: "session", type: event, sessionId, operator, cwd };
  return { kind: "unknown", type: event, sessionId };
}

function approval(): { approval: Approval; evidence: string } {
  return { approval: "unknown", evidence: "Kiro hook payloads record no approval; trust (allowedTools, --trust-all-tools) is set in the agent config" };
}

export const kiroHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Kiro CLI hook payload",
  eventName: (rec) => {
    const name = str(rec.hook_event_name);
    return name === null ? null : (V3_EVENTS[name] ?? name);
  },
  step,
  approval,
};

// 4: the shared driver's rules for ids and two readings (3), plus Kiro CLI v3 event names.
export const createKiroHooksParser = createHookParser("kiro-hooks", "4", kiroHooksFormat);
