import type { Approval } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { argsText, firstStr, jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookCall, type HookFormat, type HookStep } from "./hook-log.ts";

/**
 * Gemini CLI hook payloads (google-gemini/gemini-cli `docs/hooks/reference.md`, geminicli.com/docs/hooks/reference),
 * logged one per line by a logging hook such as `evidence hook --agent gemini`. This is not Gemini
 * CLI's telemetry (gemini-cli.ts): hooks see each call before and after it runs.
 *
 * Every payload has `session_id`, `transcript_path`, `cwd`, `hook_event_name` and its own
 * `timestamp` (ISO 8601), which is the record's time (`evidence hook` keeps it and puts its own
 * under `logged_at`).
 * - BeforeTool: `tool_name`, `tool_input` (object), `mcp_context`?; AfterTool adds `tool_response`
 *   `{llmContent, returnDisplay, error?}`. There is no call id: the two are joined by session,
 *   tool and input. A BeforeTool with no AfterTool is kept with an unknown outcome (a hook that
 *   exits 2 blocks the tool, and then no AfterTool follows).
 * - BeforeAgent (`prompt`), AfterAgent, SessionStart (`source`; `trigger` in some copies of the
 *   docs [I]), SessionEnd (`reason`), Notification (`notification_type` `ToolPermission`,
 *   `message`, `details`), PreCompress, BeforeModel / AfterModel / BeforeToolSelection: session records.
 *
 * Tool names: `run_shell_command` (`tool_input.command`, `dir_path`?), `write_file`, `replace`,
 * `read_file`, … and MCP tools `mcp__<server>__<tool>`.
 */
export const PRODUCT = "gemini-cli";
const SESSION_EVENTS = new Set(["SessionStart", "SessionEnd", "BeforeAgent", "AfterAgent", "Notification", "PreCompress", "BeforeModel", "AfterModel", "BeforeToolSelection"]);
const SHELL_TOOLS = new Set(["run_shell_command", "shell"]);

function step(rec: Record<string, unknown>, event: string): HookStep {
  const sessionId = str(rec.session_id);
  const cwd = str(rec.cwd);
  // `user` is the OS user `evidence hook` records beside the payload; Gemini CLI's payload names nobody.
  const operator = str(rec.user);
  const attrs: Record<string, unknown> = { host: str(rec.host), operatorSource: operator ? "OS user recorded by the logging hook" : null };
  if (event === "BeforeTool" || event === "AfterTool") {
    const tool = str(rec.tool_name);
    if (!tool) return { kind: "reject", reason: `${event} without "tool_name"` };
    const input = jsonField(rec.tool_input);
    const obj = isRecord(input) ? input : {};
    const shell = SHELL_TOOLS.has(tool) ? str(obj.command) : null;
    const mcp = isRecord(rec.mcp_context) ? rec.mcp_context : null;
    if (mcp) attrs.mcpServer = firstStr(mcp, "server_name", "serverName", "server");
    const fields: CallFields = {
      sessionId, cwd: (shell && firstStr(obj, "dir_path", "directory")) || cwd, operator, tool, shell, args: input,
      target: firstStr(obj, "file_path", "absolute_path", "path", "url"), attrs,
      facts: { decision: str(rec.decision) },
    };
    const keys = [`${sessionId ?? "-"}|${tool}|${argsText(input)}`];
    if (event === "BeforeTool") return { kind: "open", ids: [], keys, fields };
    const response = isRecord(rec.tool_response) ? rec.tool_response : {};
    const error = response.error;
    const message = typeof error === "string" ? error : isRecord(error) ? str(error.message) : null;
    fields.outcome = error !== undefined && error !== null ? "failed" : "succeeded";
    if (message) attrs.error = message.split("\n")[0];
    return { kind: "close", ids: [], keys, fields };
  }
  if (SESSION_EVENTS.has(event)) {
    const session: Record<string, unknown> = { ...attrs, source: firstStr(rec, "source", "trigger"), reason: str(rec.reason) };
    if (event === "Notification") {
      session.notificationType = str(rec.notification_type);
      session.message = str(rec.message);
    }
    return { kind: "session", type: event, sessionId, operator, cwd, attrs: session };
  }
  return { kind: "unknown", type: event, sessionId };
}

function approval(call: HookCall): { approval: Approval; evidence: string; recorded?: boolean } {
  // [I] A gating hook that logs its own answer beside the payload (`decision`, as Gemini CLI's hook output names it).
  const d = call.facts.decision;
  if (d === "deny" || d === "block") return { approval: "denied", evidence: `the gating hook logged decision=${d}`, recorded: true };
  return { approval: "unknown", evidence: "Gemini CLI hook payloads carry no approval decision (its telemetry's tool_call.decision does)" };
}

export const geminiHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Gemini CLI hook payload",
  eventName: (rec) => str(rec.hook_event_name),
  step,
  approval,
};

export const createGeminiHooksParser = createHookParser("gemini-hooks", "1", geminiHooksFormat);
