import { loadConfig } from "../config.ts";
import type { Environment } from "../event.ts";
import { classify } from "../ingest/agent/calls.ts";
import { createEnrichContext, type EnrichContext } from "../ingest/enrich.ts";
import { loadRegisters } from "../registers/index.ts";
import type { AiTool } from "../registers/schema.ts";
import { judge, type Violation } from "../rules/lib/boundary.ts";

/**
 * `evidence hook --guard`: answers the agent's permission protocol before a tool runs, from the
 * tool's action boundary in the AI tool inventory (registers/ai-tools.yaml) and the classification and
 * boundary judgement the audit itself uses (ingest/agent/calls.ts, rules/lib/boundary.ts): what the audit
 * would call outside the boundary is stopped before it happens.
 *
 * - a prohibited class, a class the boundary does not permit, or an environment outside the tool's:
 *   deny;
 * - a confirm-first class only: ask (the agent's own prompt to the person);
 * - within the boundary, or no boundary declared: no answer, so the agent's own rules decide (a
 *   missing boundary is the audit's finding, not a reason for the guard to invent one).
 *
 * Answered events (the others are only logged):
 * - Claude Code PreToolUse: `hookSpecificOutput.permissionDecision` `deny|ask` with
 *   `permissionDecisionReason` (code.claude.com/docs/en/hooks);
 * - Cursor beforeShellExecution / beforeMCPExecution: `permission` `deny|ask` with `user_message`
 *   and `agent_message`; preToolUse: `permission` `allow|deny` only, so "ask" is left to the
 *   beforeShellExecution Cursor also fires for a shell command, and other tools that need a person
 *   are denied with that reason (cursor.com/docs/hooks).
 */
export type GuardAgent = "claude-code" | "cursor";
export const GUARDED: readonly string[] = ["claude-code", "cursor"];

export interface GuardDecision {
  /** null: no answer, the agent's own permission rules decide. */
  decision: "deny" | "ask" | null;
  reason: string;
  tool: string;
  classes: string[];
  basis: string;
  environment: Environment;
  /** The inventory row the boundary comes from (`registers/ai-tools.yaml row 1`). */
  boundary: string | null;
}

export interface GuardContext {
  enrich: Pick<EnrichContext, "environmentOfAgentAction" | "agentForProduct">;
  tools: readonly { value: AiTool; file: string; row: number }[];
}

const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The call a pre-tool payload is about, or null for events the guard does not answer. */
function callOf(agent: GuardAgent, p: Record<string, unknown>): { event: string; tool: string; command: string | null; cwd: string | null } | null {
  const event = str(p.hook_event_name) ?? "";
  if (agent === "claude-code") {
    if (event !== "PreToolUse" || !str(p.tool_name)) return null;
    const tool = str(p.tool_name)!;
    return { event, tool, command: tool === "Bash" ? str(obj(p.tool_input).command) : null, cwd: str(p.cwd) };
  }
  const roots = Array.isArray(p.workspace_roots) ? p.workspace_roots : [];
  const cwd = str(p.cwd) ?? str(roots[0]);
  if (event === "beforeShellExecution" && str(p.command)) return { event, tool: "Shell", command: str(p.command), cwd };
  if (event === "beforeMCPExecution" && str(p.tool_name)) return { event, tool: `MCP:${str(p.tool_name)}`, command: null, cwd };
  if (event === "preToolUse" && str(p.tool_name)) {
    const tool = str(p.tool_name)!;
    const input = obj(p.tool_input);
    return { event, tool, command: tool === "Shell" ? str(input.command) : null, cwd: str(input.cwd) ?? cwd };
  }
  return null;
}

function toolFor(agent: GuardAgent, ctx: GuardContext): GuardContext["tools"][number] | null {
  const names = new Set([agent, ctx.enrich.agentForProduct(agent)].filter((n): n is string => n !== null).map((n) => n.toLowerCase()));
  return ctx.tools.find((t) => names.has(t.value.product.toLowerCase()) || t.value.aliases.some((a) => names.has(a.toLowerCase()))) ?? null;
}

/** The guard's decision on one payload; null when the payload is not a pre-tool event it answers. */
export function decide(agent: GuardAgent, payload: Record<string, unknown>, ctx: GuardContext): (GuardDecision & { event: string }) | null {
  const call = callOf(agent, payload);
  if (!call) return null;
  // The function ingest classifies every agent call with: the guard and the audit cannot disagree.
  const { classes, basis } = classify(call.tool, call.command);
  const environment = ctx.enrich.environmentOfAgentAction(call.cwd, call.command);
  const row = toolFor(agent, ctx);
  const b = row?.value.permissionBoundary;
  const violations: Violation[] = judge({
    agent_product: agent, classes: classes.join(" "), environment, confirmed: false, denied: false,
    tool: row?.value.product ?? null, tool_register: null, tool_row: null, tool_file: null, tool_locator: null,
    tool_environments: row ? JSON.stringify(row.value.environments) : null,
    tool_permitted: b ? JSON.stringify(b.permitted) : null, tool_prohibited: b ? JSON.stringify(b.prohibited) : null, tool_confirm_first: b ? JSON.stringify(b.confirmFirst) : null,
  });
  const base = { event: call.event, tool: call.tool, classes, basis, environment, boundary: row ? `${row.file} row ${row.row}` : null };
  if (violations.some((v) => v.kind === "no-boundary")) return { ...base, decision: null, reason: `no decision: ${violations[0]!.text}` };
  const blocking = violations.filter((v) => v.kind !== "unconfirmed");
  if (blocking.length) return { ...base, decision: "deny", reason: `outside the action boundary of ${row!.value.product}: ${blocking.map((v) => v.text).join("; ")}` };
  if (violations.length) return { ...base, decision: "ask", reason: `a person must confirm: ${violations[0]!.text.replace(/ had no person's confirmation$/, "")}` };
  return { ...base, decision: null, reason: "within the action boundary" };
}

/** What the hook prints on stdout for a decision, in the agent's protocol; null prints nothing. */
export function answer(agent: GuardAgent, d: GuardDecision & { event: string }): { stdout: string | null; logged: "deny" | "ask" | null } {
  if (d.decision === null) return { stdout: null, logged: null };
  const reason = `evidence guard: ${d.reason}`;
  if (agent === "claude-code") {
    return { stdout: JSON.stringify({ hookSpecificOutput: { hookEventName: "PreToolUse", permissionDecision: d.decision, permissionDecisionReason: reason } }), logged: d.decision };
  }
  if (d.event === "preToolUse" && d.decision === "ask") {
    // preToolUse cannot ask; a shell command is asked about on its beforeShellExecution.
    if (d.tool === "Shell") return { stdout: null, logged: null };
    return { stdout: JSON.stringify({ permission: "deny", user_message: `${reason} (Cursor's preToolUse cannot ask, so it is denied)`, agent_message: reason }), logged: "deny" };
  }
  return { stdout: JSON.stringify({ permission: d.decision, user_message: reason, agent_message: reason }), logged: d.decision };
}

/** Reads the workspace config and its AI tool inventory once per hook call. */
export function loadGuard(configPath: string): GuardContext {
  const loaded = loadConfig(configPath);
  const registers = loadRegisters(loaded.config, loaded.root);
  return { enrich: createEnrichContext(loaded.config), tools: registers.aiTools ?? [] };
}

/**
 * One guarded hook call: the decision (logged in the hook line as `guard`) and the answer to print.
 * An unreadable config is the caller's error to handle (logged; the agent is blocked only with --fail-closed).
 */
export function guard(agent: string, configPath: string, payload: unknown): { record: Record<string, unknown> | null; stdout: string | null } {
  if (!GUARDED.includes(agent)) return { record: { decision: null, reason: `no decision: --guard answers the permission protocol of ${GUARDED.join(" and ")}, not ${agent}` }, stdout: null };
  const d = decide(agent as GuardAgent, obj(payload), loadGuard(configPath));
  if (!d) return { record: null, stdout: null };
  const a = answer(agent as GuardAgent, d);
  return { record: { decision: a.logged, reason: d.reason, tool: d.tool, classes: d.classes, basis: d.basis, environment: d.environment, boundary: d.boundary }, stdout: a.stdout };
}
