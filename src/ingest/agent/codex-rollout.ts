import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, str, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { callEvent, firstStr, isParsedItem, jsonField, objectRecords, sessionEvent, UnknownTypes, type AgentCall, withClassifier } from "./calls.ts";
import { outcomeFromExitCode, outcomeFromSuccess, outcomeFromText, userFromPath } from "./outcome.ts";
import { jsonRecords } from "./records.ts";

/**
 * OpenAI Codex CLI rollout files (`~/.codex/sessions/YYYY/MM/DD/rollout-<ts>-<uuid>.jsonl`), read
 * field by field after openai/codex `codex-rs/protocol/src/protocol.rs` (RolloutLine, RolloutItem):
 * each line is `{timestamp, type, payload}`, type `session_meta|turn_context|response_item|event_msg|compacted`.
 *
 * A tool call is a `response_item` `function_call` (arguments: a JSON string), `local_shell_call` or
 * `custom_tool_call` (apply_patch), joined to its `function_call_output`/`custom_tool_call_output`
 * by `call_id`. Approval requests are NOT persisted in rollouts [V], so approval comes from the
 * `turn_context` in force: `approval_policy: never` is a policy approval (nobody was asked).
 *
 * A rollout is one session, so the file's calls are held until its end and then emitted in line
 * order: a `turn_context` or `session_meta` that arrives out of order still applies by timestamp.
 */
export const PRODUCT = "codex";
const KNOWN_ITEMS = new Set(["message", "reasoning", "function_call", "function_call_output", "local_shell_call", "custom_tool_call", "custom_tool_call_output", "web_search_call", "ghost_snapshot", "compaction"]);
/** event_msg types that carry no action: persisted by default (policy.rs) and known, so not counted as unknown. */
const QUIET_EVENTS = new Set(["agent_message", "agent_reasoning", "token_count", "task_started", "task_complete", "turn_started", "turn_complete", "agent_reasoning_raw_content", "context_compacted", "entered_review_mode", "exited_review_mode", "item_completed", "undo_completed"]);
/** Function names whose arguments are a shell command: argv `command` (shell, container.exec) or string `command`/`cmd` [O]. */
const SHELL_NAMES = new Set(["shell", "container.exec", "shell_command", "exec_command", "local_shell", "local_shell_call"]);
/**
 * Unified exec: an `exec_command` whose process outlives the call answers "Process running with session
 * ID N"; the model then polls or feeds it with `write_stdin {session_id: N, chars}` until an output says
 * "Process exited with code X" (openai/codex unified_exec; real rollouts). The polls are that one process.
 */
const POLL_TOOL = "write_stdin";
const RUNNING = /Process running with session ID (\d+)/;

interface Meta {
  type: string;
  time: string;
  at: string;
  known: boolean;
  attrs: Record<string, unknown>;
}

interface TurnContext {
  time: string;
  line: number;
  approvalPolicy: string | null;
  sandbox: string | null;
  networkAccess: boolean | null;
  cwd: string | null;
  model: string | null;
}

interface Session {
  id: string | null;
  cwd: string | null;
  cliVersion: string | null;
  originator: string | null;
  source: string | null;
  repository: string | null;
  branch: string | null;
  commit: string | null;
}

interface Call {
  callId: string | null;
  line: number;
  lines: number[];
  time: string;
  tool: string;
  shell: string | string[] | null;
  args: unknown;
  workdir: string | null;
  escalated: boolean;
  target: string | null;
  extraClasses: string[];
  outcome: Outcome;
  outputNote: string | null;
  /** Set when this is an output line whose call line has not been seen (yet). */
  orphanOutput?: boolean;
  /** write_stdin calls folded into this exec: empty polls, and writes with the characters sent. */
  polls?: number;
  stdinWrites?: string[];
  /** The process was still running at its last output in the file. */
  running?: boolean;
}

export function createCodexRolloutParser(ctx: EnrichContext): Parser {
  // 2: write_stdin polls folded into their exec; policy rejections are denials; escalated calls that ran are human-approved without a turn_context.
  return { name: "codex-rollout", version: withClassifier("2"), parse: (input) => parseRollout(input, ctx) };
}

/** Older rollouts (before the `{timestamp,type,payload}` envelope) wrote the item itself on the line [O]. */
function envelope(rec: Record<string, unknown>, lastTime: string | null): { type: string; payload: Record<string, unknown>; time: string | null } | null {
  if (isRecord(rec.payload) && typeof rec.type === "string") {
    return { type: rec.type, payload: rec.payload, time: toIsoTime(rec.timestamp) ?? lastTime };
  }
  if (typeof rec.type === "string" && KNOWN_ITEMS.has(rec.type)) return { type: "response_item", payload: rec, time: toIsoTime(rec.timestamp) ?? lastTime };
  // The old first line: session metadata with no type.
  if (typeof rec.id === "string" && ("instructions" in rec || "git" in rec || "cwd" in rec) && rec.type === undefined) {
    return { type: "session_meta", payload: rec, time: toIsoTime(rec.timestamp) ?? lastTime };
  }
  if (rec.record_type === "state") return { type: "state", payload: rec, time: lastTime };
  return null;
}

function policyOf(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (isRecord(v)) return JSON.stringify(v);
  return null;
}

function sandboxOf(v: unknown): { sandbox: string | null; networkAccess: boolean | null } {
  if (typeof v === "string") return { sandbox: v, networkAccess: null };
  if (!isRecord(v)) return { sandbox: null, networkAccess: null };
  // Newer: {type: "danger-full-access"}; older [O]: {mode: "workspace-write", network_access}.
  return { sandbox: str(v.type) ?? str(v.mode), networkAccess: typeof v.network_access === "boolean" ? v.network_access : null };
}

/** The files an apply_patch touches (`*** Update File: path`), and whether it deletes any. */
function patchFiles(patch: string): { files: string[]; deletes: boolean } {
  const files: string[] = [];
  let deletes = false;
  for (const m of patch.matchAll(/^\*\*\* (Add|Update|Delete) File: (.+)$/gm)) {
    files.push(m[2]!.trim());
    if (m[1] === "Delete") deletes = true;
  }
  return { files, deletes };
}

function newCall(callId: string | null, line: number, time: string): Call {
  return { callId, line, lines: [line], time, tool: "unknown", shell: null, args: null, workdir: null, escalated: false, target: null, extraClasses: [], outcome: "unknown", outputNote: null };
}

/** Fills a call from its `function_call` / `local_shell_call` / `custom_tool_call` item. */
function describeCall(call: Call, item: Record<string, unknown>): void {
  const type = str(item.type);
  if (type === "local_shell_call") {
    const action = isRecord(item.action) ? item.action : {};
    call.tool = "local_shell_call";
    call.shell = Array.isArray(action.command) ? action.command.map(String) : str(action.command);
    call.workdir = str(action.working_directory) ?? str(action.workdir);
    call.args = action;
    if (item.status === "incomplete") call.outcome = "interrupted";
    return;
  }
  if (type === "custom_tool_call") {
    call.tool = str(item.name) ?? "custom_tool";
    const input = typeof item.input === "string" ? item.input : JSON.stringify(item.input ?? null);
    call.args = input;
    if (call.tool === "apply_patch") describePatch(call, input);
    return;
  }
  call.tool = str(item.name) ?? "unknown";
  const args = jsonField(item.arguments);
  call.args = args;
  if (!isRecord(args)) return;
  // The three shell shapes [O]: `shell` {command: argv}, `shell_command` {command: string}, `exec_command` {cmd, workdir}.
  const cmd = Array.isArray(args.command) ? args.command.map(String) : str(args.command) ?? str(args.cmd);
  if (cmd && (SHELL_NAMES.has(call.tool) || Array.isArray(args.command) || typeof args.cmd === "string")) {
    call.shell = cmd;
    call.workdir = str(args.workdir) ?? str(args.cwd);
  }
  call.escalated = args.with_escalated_permissions === true || args.sandbox_permissions === "require_escalated";
  if (call.tool === "apply_patch") describePatch(call, str(args.input) ?? str(args.patch) ?? "");
}

function describePatch(call: Call, patch: string): void {
  const { files, deletes } = patchFiles(patch);
  call.target = files[0] ?? null;
  if (deletes) call.extraClasses.push("destructive");
  if (files.length > 1) call.outputNote = `${files.length} files`;
}

/** Reads a `function_call_output.output`: a JSON string `{output, metadata:{exit_code}}` (older) or plain text. */
function outcomeOfOutput(output: unknown): Outcome | undefined {
  const parsed = jsonField(output);
  if (isRecord(parsed)) {
    const meta = isRecord(parsed.metadata) ? parsed.metadata : {};
    const byCode = outcomeFromExitCode(meta.exit_code ?? parsed.exit_code);
    if (byCode) return outcomeFromText(String(parsed.output ?? "")) === "denied" ? "denied" : byCode;
    const bySuccess = outcomeFromSuccess(parsed.success);
    if (bySuccess) return bySuccess;
    return outcomeFromText(String(parsed.output ?? parsed.content ?? ""));
  }
  if (isRecord(output)) return outcomeFromSuccess(output.success) ?? outcomeFromText(String(output.content ?? ""));
  if (typeof output !== "string") return undefined;
  const byText = outcomeFromText(output);
  if (byText) return byText;
  if (/^Success\./.test(output)) return "succeeded"; // apply_patch
  if (/verification failed|^error:/i.test(output)) return "failed";
  return undefined;
}

function approvalOf(call: Call, turn: TurnContext | undefined): { approval: Approval; evidence: string } {
  if (call.outcome === "denied") return { approval: "denied", evidence: `the call's output reports a refusal (line ${call.lines.at(-1)})` };
  const ran = call.outcome === "succeeded" || call.outcome === "failed";
  if ((!turn || !turn.approvalPolicy) && call.escalated && ran) {
    // Escalation outside the sandbox is put to the user under every policy that asks at all, and under
    // `never` it is refused; so a call that requested it and ran was approved by a person.
    return { approval: "human", evidence: "the call requested escalated permissions (sandbox_permissions: require_escalated) and ran, which needs the user's approval; no turn_context in the file" };
  }
  if (!turn || !turn.approvalPolicy) {
    return { approval: "unknown", evidence: "no turn_context with approval_policy before this call; rollouts do not persist approval decisions" };
  }
  const mode = `approval_policy=${turn.approvalPolicy}${turn.sandbox ? `, sandbox_policy=${turn.sandbox}` : ""} (turn_context line ${turn.line})`;
  if (turn.approvalPolicy === "never") {
    return { approval: "policy", evidence: `${mode}: Codex never asks${turn.sandbox === "danger-full-access" ? " and runs without a sandbox (bypass-equivalent)" : ""}` };
  }
  if (turn.approvalPolicy === "untrusted") {
    return { approval: "unknown", evidence: `${mode}: commands outside the trusted list are put to the user, but rollouts do not record the answer` };
  }
  // [I] on-request/on-failure: a call that asked to leave the sandbox needed the user's yes to run.
  if (call.escalated && (call.outcome === "succeeded" || call.outcome === "failed")) {
    return { approval: "human", evidence: `${mode}: the call requested escalated permissions and ran, which needs the user's approval` };
  }
  return { approval: "policy", evidence: `${mode}: ran inside the sandbox without asking` };
}

async function* parseRollout(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const session: Session = { id: null, cwd: null, cliVersion: null, originator: null, source: null, repository: null, branch: null, commit: null };
  const turns: TurnContext[] = [];
  const calls = new Map<string, Call>();
  const ordered: Call[] = [];
  const unknown = new UnknownTypes();
  const metas: Meta[] = [];
  /** Unified-exec processes by the session id their exec's output announced. */
  const processes = new Map<string, Call>();
  let lastTime: string | null = null;

  const callFor = (callId: string | null, line: number, time: string): Call => {
    const existing = callId ? calls.get(callId) : undefined;
    if (existing) {
      existing.lines.push(line);
      return existing;
    }
    const call = newCall(callId, line, time);
    if (callId) calls.set(callId, call);
    ordered.push(call);
    return call;
  };

  for await (const r of objectRecords(jsonRecords(input), "a Codex rollout line")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    const { rec, at, line } = r;
    const env = envelope(rec, lastTime);
    if (!env) {
      yield reject(at, 'not a Codex rollout line: expected {"timestamp","type","payload"}', JSON.stringify(rec));
      continue;
    }
    if (!env.time) {
      yield reject(at, timeRejectReason(rec, ["timestamp"], "no timestamp on this line and none earlier in the file"), JSON.stringify(rec));
      continue;
    }
    lastTime = env.time;
    const p = env.payload;
    switch (env.type) {
      case "session_meta": {
        const meta = isRecord(p.meta) ? p.meta : p; // newer: {meta:{…}, git}
        const git = isRecord(p.git) ? p.git : isRecord(meta.git) ? meta.git : {};
        session.id = firstStr(meta, "id", "session_id") ?? session.id;
        session.cwd = str(meta.cwd) ?? session.cwd;
        session.cliVersion = str(meta.cli_version) ?? session.cliVersion;
        session.originator = str(meta.originator) ?? session.originator;
        session.source = typeof meta.source === "string" ? meta.source : isRecord(meta.source) ? JSON.stringify(meta.source) : session.source;
        session.repository = str(git.repository_url) ?? session.repository;
        session.branch = str(git.branch) ?? session.branch;
        session.commit = str(git.commit_hash) ?? session.commit;
        metas.push({ type: "session_meta", time: env.time, at, known: true, attrs: {} });
        break;
      }
      case "turn_context": {
        const { sandbox, networkAccess } = sandboxOf(p.sandbox_policy);
        turns.push({ time: env.time, line, approvalPolicy: policyOf(p.approval_policy), sandbox, networkAccess, cwd: str(p.cwd), model: str(p.model) });
        break;
      }
      case "response_item": {
        const type = str(p.type) ?? "unknown";
        if (type === "function_call" && p.name === POLL_TOOL) {
          const args = jsonField(p.arguments);
          const exec = isRecord(args) ? processes.get(String(args.session_id)) : undefined;
          const callId = str(p.call_id);
          if (exec && callId) {
            // Later lines of this call id (its output) land on the exec it polls.
            calls.set(callId, exec);
            exec.lines.push(line);
            const chars = isRecord(args) && typeof args.chars === "string" ? args.chars : "";
            if (chars === "") exec.polls = (exec.polls ?? 0) + 1;
            else (exec.stdinWrites ??= []).push(chars);
            break;
          }
        }
        if (type === "function_call" || type === "local_shell_call" || type === "custom_tool_call") {
          const callId = str(p.call_id) ?? str(p.id);
          const call = callFor(callId, line, env.time);
          // The call line defines the call even when its output came first (out-of-order lines).
          call.line = Math.min(call.line, line);
          call.time = call.orphanOutput && env.time > call.time ? call.time : env.time;
          call.orphanOutput = false;
          const outcomeBefore = call.outcome;
          describeCall(call, p);
          if (outcomeBefore !== "unknown") call.outcome = outcomeBefore;
        } else if (type === "function_call_output" || type === "custom_tool_call_output" || type === "local_shell_call_output") {
          const callId = str(p.call_id);
          const known = callId ? calls.has(callId) : false;
          const call = callFor(callId, line, env.time);
          if (!known) call.orphanOutput = true;
          const outcome = outcomeOfOutput(p.output);
          const running = typeof p.output === "string" ? RUNNING.exec(p.output.slice(0, 400)) : null;
          call.running = running !== null && outcome === undefined;
          if (running) processes.set(running[1]!, call);
          // A process still running has no outcome yet: its polls' outputs will say how it ended.
          call.outcome = outcome ?? (call.outcome === "unknown" && !call.running ? "succeeded" : call.outcome);
        } else if (type === "web_search_call") {
          const call = callFor(str(p.id), line, env.time);
          call.tool = "web_search";
          const action = isRecord(p.action) ? p.action : {};
          call.args = action;
          call.target = str(action.query) ?? str(action.url);
          call.outcome = p.status === "completed" ? "succeeded" : p.status === "failed" ? "failed" : "unknown";
        } else if (!KNOWN_ITEMS.has(type)) {
          unknown.add(`response_item.${type}`);
          metas.push({ type: `response_item.${type}`, time: env.time, at, known: false, attrs: {} });
        }
        break;
      }
      case "event_msg": {
        const type = str(p.type) ?? "unknown";
        if (type === "turn_aborted") {
          // Calls still without output when the turn was aborted were interrupted.
          for (const c of ordered) if (c.outcome === "unknown" && c.time <= env.time) c.outcome = "interrupted";
          metas.push({ type: "turn_aborted", time: env.time, at, known: true, attrs: { reason: str(p.reason) } });
        } else if (type === "exec_command_end") {
          // Extended history only [O]: the exit code is the best outcome there is.
          const call = callFor(str(p.call_id), line, env.time);
          call.outcome = outcomeFromExitCode(p.exit_code) ?? call.outcome;
        } else if (type === "patch_apply_end" || type === "mcp_tool_call_end") {
          const call = callFor(str(p.call_id), line, env.time);
          const result = isRecord(p.result) ? p.result : {};
          call.outcome = outcomeFromSuccess(p.success) ?? ("Err" in result ? "failed" : "Ok" in result ? "succeeded" : call.outcome);
        } else if (type === "user_message") {
          metas.push({ type: "user_message", time: env.time, at, known: true, attrs: {} });
        } else if (!QUIET_EVENTS.has(type)) {
          unknown.add(`event_msg.${type}`);
          metas.push({ type: `event_msg.${type}`, time: env.time, at, known: false, attrs: {} });
        }
        break;
      }
      case "compacted":
      case "state":
        break;
      default:
        unknown.add(env.type);
        metas.push({ type: env.type, time: env.time, at, known: false, attrs: {} });
    }
  }

  const operator = userFromPath(session.cwd ?? turns[0]?.cwd);
  const sorted = [...turns].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.line - b.line));
  const turnAt = (time: string): TurnContext | undefined => {
    let found: TurnContext | undefined;
    for (const t of sorted) if (t.time <= time) found = t;
    return found ?? sorted[0];
  };
  const common = {
    product: PRODUCT,
    productVersion: session.cliVersion,
    sessionId: session.id,
    operator,
    repository: session.repository,
  };
  for (const m of metas) {
    const attrs = m.type === "session_meta" ? { originator: session.originator, source: session.source, branch: session.branch, commit: session.commit } : m.attrs;
    yield { kind: "event", event: sessionEvent({ ...common, time: m.time, type: m.type, cwd: session.cwd, locator: m.at, known: m.known, attrs }, ctx) };
  }
  for (const call of ordered.sort((a, b) => a.line - b.line)) {
    const turn = turnAt(call.time);
    const { approval, evidence } = approvalOf(call, turn);
    const event: AgentCall = {
      ...common,
      key: call.callId ?? `${session.id ?? input.relPath}:line${call.line}`,
      time: call.time,
      tool: call.tool,
      shell: call.shell,
      args: call.shell ? undefined : call.args,
      target: call.target,
      extraClasses: call.extraClasses,
      cwd: call.workdir ?? turn?.cwd ?? session.cwd,
      outcome: call.outcome,
      approval,
      approvalEvidence: evidence,
      locator: `line${call.lines.length > 1 ? "s" : ""} ${[...new Set(call.lines)].sort((a, b) => a - b).join(", ")}`,
      attrs: {
        callId: call.callId,
        approvalPolicy: turn?.approvalPolicy ?? null,
        sandboxPolicy: turn?.sandbox ?? null,
        model: turn?.model ?? null,
        operatorSource: operator ? "home directory of the working directory [inferred]" : null,
        branch: session.branch,
        ...(call.escalated ? { escalated: true } : {}),
        ...(call.orphanOutput ? { callRecordMissing: true } : {}),
        ...(call.outputNote ? { note: call.outputNote } : {}),
        ...(call.polls ? { polls: call.polls } : {}),
        ...(call.stdinWrites ? { stdinWrites: call.stdinWrites.map((c) => JSON.stringify(c).slice(0, 80)) } : {}),
        ...(call.running ? { stillRunning: true } : {}),
      },
    };
    yield { kind: "event", event: callEvent(event, ctx) };
  }
  yield* unknown.note();
}
