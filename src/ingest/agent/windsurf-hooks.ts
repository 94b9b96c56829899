import type { Approval } from "../../event.ts";
import { isRecord, str } from "../parser.ts";
import { argsText, jsonField } from "./calls.ts";
import { createHookParser, type CallFields, type HookFormat, type HookStep } from "./hook-log.ts";
import { userFromPath } from "./outcome.ts";

/**
 * Windsurf Cascade hook payloads (Windsurf docs, Cascade hooks: docs.windsurf.com/windsurf/cascade/hooks),
 * logged one per line: `{agent_action_name, trajectory_id, execution_id, timestamp, tool_info}` with
 * `pre|post_run_command` `{command_line, cwd}`, `pre|post_write_code` `{file_path, edits[]}`,
 * `pre|post_read_code` `{file_path}`, `pre|post_mcp_tool_use` `{mcp_server_name, mcp_tool_name,
 * mcp_tool_arguments, mcp_result}`, `pre_user_prompt`, `post_cascade_response`.
 *
 * `trajectory_id` is the conversation. Whether pre and post of one action share `execution_id` is
 * not documented [I], so the two are joined by trajectory + action + command/file/tool (first in,
 * first out) and `execution_id` is only kept as an attribute. A pre record with no post is kept
 * with an unknown outcome: a pre-hook that exits 2 blocks the action and no post follows.
 */
export const PRODUCT = "windsurf";
const SESSION_EVENTS = new Set(["pre_user_prompt", "post_cascade_response", "post_setup_worktree"]);

function step(rec: Record<string, unknown>, event: string): HookStep {
  const sessionId = str(rec.trajectory_id);
  const info = isRecord(rec.tool_info) ? rec.tool_info : {};
  const m = /^(pre|post)_(run_command|write_code|read_code|mcp_tool_use)$/.exec(event);
  if (!m) {
    if (SESSION_EVENTS.has(event)) return { kind: "session", type: event, sessionId, attrs: { executionId: str(rec.execution_id) } };
    return { kind: "unknown", type: event, sessionId };
  }
  const [, phase, action] = m as unknown as [string, "pre" | "post", string];
  const cwd = str(info.cwd);
  const base: CallFields = { sessionId, cwd, operator: userFromPath(cwd), attrs: { executionId: str(rec.execution_id) } };
  let fields: CallFields;
  let subject: string | null;
  if (action === "run_command") {
    const command = str(info.command_line) ?? str(info.command);
    if (!command) return { kind: "reject", reason: `${event} without tool_info.command_line` };
    fields = Object.assign(base, { tool: "run_command", shell: command });
    subject = command;
  } else if (action === "mcp_tool_use") {
    const tool = str(info.mcp_tool_name);
    if (!tool) return { kind: "reject", reason: `${event} without tool_info.mcp_tool_name` };
    const args = jsonField(info.mcp_tool_arguments);
    fields = Object.assign(base, { tool: `mcp__${str(info.mcp_server_name) ?? "unknown"}__${tool}`, args });
    subject = `${tool} ${argsText(args)}`;
  } else {
    const file = str(info.file_path);
    if (!file) return { kind: "reject", reason: `${event} without tool_info.file_path` };
    const edits = Array.isArray(info.edits) ? info.edits.length : undefined;
    fields = Object.assign(base, { tool: action === "write_code" ? "write_code" : "read_code", target: file, args: edits === undefined ? { file_path: file } : { file_path: file, edits } });
    subject = file;
  }
  const keys = [`${sessionId ?? "-"}|${action}|${subject}`];
  if (phase === "post") fields.outcome = "succeeded";
  return { kind: phase === "pre" ? "open" : "close", ids: [], keys, fields };
}

function approval(): { approval: Approval; evidence: string } {
  return { approval: "unknown", evidence: "Windsurf hook payloads record no approval decision (auto-execution is a user setting)" };
}

export const windsurfHooksFormat: HookFormat = {
  product: PRODUCT,
  what: "a Windsurf Cascade hook payload",
  eventName: (rec) => str(rec.agent_action_name),
  step,
  approval,
};

export const createWindsurfHooksParser = createHookParser("windsurf-hooks", "3", windsurfHooksFormat);
