import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, str, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { callEvent, firstStr, isParsedItem, objectRecords, sessionEvent, UnknownTypes, withClassifier } from "./calls.ts";
import spec from "./claude-code-transcript.json" with { type: "json" };
import { jsonRecords } from "./records.ts";
import { clipAtTokenBoundary } from "../../redact/clip.ts";
import { createReadStream, existsSync } from "node:fs";
import path from "node:path";
import { boundedLines } from "../lines.ts";

/**
 * Claude Code session transcripts (`~/.claude/projects/<cwd>/<session>.jsonl`; the Claude Code docs'
 * sessions page calls it an internal format that changes between versions, kept 30 days by default). A tool call is an assistant `tool_use` block; its result a later user
 * `tool_result` block with the same id. Read line by line, holding only the calls in flight and a
 * bounded window of line uuids for deduplication, so a transcript of any size streams.
 *
 * The transcript records refusals (rejection text, deny-rule text) but not whether a prompt was
 * answered, so a call that ran gets its approval from the permission mode at best: an inference,
 * which an OTel decision record for the same `tool_use_id` outranks when the store joins them.
 */
export const PRODUCT = "claude-code";
const LINE_TYPES = new Set(spec.lineTypes);
const AUTO_MODES = new Set(spec.autoModes.all);
const EDIT_MODES = new Set(spec.autoModes.editsOnly);
const EDIT_TOOLS = new Set(spec.editTools);
const NO_PROMPT_TOOLS = new Set(spec.noPromptTools.tools);
const DENIED_BY_RULE = new RegExp(spec.deniedByRule);
const SUBAGENT_FILE = new RegExp(spec.subagents.pathPattern);
/** Duplicate lines (resumed or streamed responses) sit close together; older uuids are forgotten. */
const UUID_WINDOW = 50_000;

interface SessionState {
  mode: string | null;
  /** Set when `mode` is the parent session's, read from its transcript (a subagent's own lines carry none). */
  modeFrom?: string;
  cwd: string | null;
  branch: string | null;
  version: string | null;
}

interface Result {
  line: number;
  outcome: Outcome;
  denied?: string;
  error?: string;
  /** Why a call that never ran is not a failure. */
  notRun?: string;
}

interface Call {
  id: string;
  tool: string;
  input: Record<string, unknown>;
  time: string;
  line: number;
  sessionId: string | null;
  session: SessionState;
  sidechain: boolean;
  result?: Result;
}

export function createClaudeCodeTranscriptParser(ctx: EnrichContext): Parser {
  // 2: subagent transcripts inherit the parent session's permission mode; sibling-cancelled calls are interrupted.
  return { name: "claude-code-transcript", version: withClassifier("2"), parse: (input) => parseTranscript(input, ctx) };
}

function blocks(rec: Record<string, unknown>): Record<string, unknown>[] {
  const content = isRecord(rec.message) ? rec.message.content : undefined;
  return Array.isArray(content) ? content.filter(isRecord) : [];
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((c) => (isRecord(c) && typeof c.text === "string" ? c.text : "")).join("\n");
}

/** What a tool_result says happened. Pure, exported for the tests. */
export function resultOf(block: Record<string, unknown>, toolUseResult: unknown, line: number): Result {
  const text = contentText(block.content).trim();
  const isError = block.is_error === true;
  if (isError && spec.rejected.prefixes.some((p) => text.startsWith(p))) return { line, outcome: "denied", denied: "the person refused or dismissed the permission prompt" };
  if (isError && DENIED_BY_RULE.test(text)) return { line, outcome: "denied", denied: `a permission rule: "${clipAtTokenBoundary(text.split("\n")[0]!, 160)}"` };
  if (isError && spec.notRun.contains.some((m) => text.includes(m))) {
    return { line, outcome: "interrupted", notRun: "cancelled before it ran: another call of the same batch failed" };
  }
  if ((isRecord(toolUseResult) && toolUseResult.interrupted === true) || spec.interrupted.some((m) => text.startsWith(m))) return { line, outcome: "interrupted" };
  if (isError) return { line, outcome: "failed", error: clipAtTokenBoundary(text.split("\n")[0]!, 200) };
  return { line, outcome: "succeeded" };
}

function approvalOf(call: Call): { approval: Approval; evidence: string; recorded: boolean } {
  const r = call.result;
  if (r?.denied) return { approval: "denied", evidence: `transcript line ${r.line}: refused by ${r.denied}`, recorded: true };
  const mode = call.session.mode;
  const from = call.session.modeFrom ? ` (inherited from the parent session, ${call.session.modeFrom})` : " (transcript)";
  if (mode && AUTO_MODES.has(mode)) return { approval: "policy", evidence: `permissionMode ${mode} in force${from}: runs without asking a person`, recorded: false };
  if (mode && EDIT_MODES.has(mode) && EDIT_TOOLS.has(call.tool)) return { approval: "policy", evidence: `permissionMode ${mode} in force: file edits run without asking`, recorded: false };
  if (NO_PROMPT_TOOLS.has(call.tool)) return { approval: "policy", evidence: `${call.tool} is read-only and runs without a permission prompt`, recorded: false };
  return { approval: "unknown", evidence: `the transcript does not record whether a permission prompt was answered (mode ${mode ?? "not recorded"})`, recorded: false };
}

function toEvent(call: Call, ctx: EnrichContext): ParsedItem {
  const { approval, evidence, recorded } = approvalOf(call);
  const lines = call.result ? [call.line, call.result.line] : [call.line];
  return {
    kind: "event",
    event: callEvent(
      {
        product: PRODUCT,
        productVersion: call.session.version,
        key: call.id,
        time: call.time,
        sessionId: call.sessionId,
        tool: call.tool,
        shell: call.tool === "Bash" ? str(call.input.command) : null,
        args: call.tool === "Bash" ? null : call.input,
        target: firstStr(call.input, "file_path", "notebook_path", "url", "path"),
        cwd: call.session.cwd,
        outcome: call.result?.outcome ?? "unknown",
        approval,
        approvalEvidence: evidence,
        locator: `line${lines.length > 1 ? "s" : ""} ${lines.join(", ")}`,
        attrs: {
          toolUseId: call.id,
          approvalRecorded: recorded,
          permissionMode: call.session.mode,
          gitBranch: call.session.branch,
          sidechain: call.sidechain || null,
          permissionModeFrom: call.session.modeFrom ?? null,
          notRun: call.result?.notRun ?? null,
          error: call.result?.error ?? null,
        },
      },
      ctx,
    ),
  };
}

/** A permission mode of the parent session and when it took effect. */
interface ModeChange {
  time: string;
  mode: string;
}

/**
 * The permission-mode changes of a subagent transcript's parent session (`<S>/subagents/x.jsonl` →
 * `<S>.jsonl`), in file order. Only lines naming permissionMode are parsed. Empty when the file is not
 * a subagent transcript or its parent is not beside it; then the subagent's calls stay `unknown`.
 */
async function parentModes(file: string): Promise<{ changes: ModeChange[]; parent: string } | null> {
  if (!SUBAGENT_FILE.test(file)) return null;
  const parent = `${path.dirname(path.dirname(file))}.jsonl`;
  if (!existsSync(parent)) return null;
  const changes: ModeChange[] = [];
  for await (const batch of boundedLines(createReadStream(parent))) {
    for (const text of batch) {
      if (typeof text !== "string" || !text.includes('"permissionMode"')) continue;
      try {
        const rec = JSON.parse(text) as unknown;
        const mode = isRecord(rec) ? str(rec.permissionMode) : null;
        const time = isRecord(rec) ? toIsoTime(rec.timestamp) : undefined;
        if (mode && time && changes[changes.length - 1]?.mode !== mode) changes.push({ time, mode });
      } catch {
        // A damaged parent line is the parent's own reject when it is ingested.
      }
    }
  }
  changes.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { changes, parent: path.basename(parent) };
}

/**
 * The parent's mode in force at `time`: the last change at or before it, else the first one logged.
 * `changes` is sorted by time (parentModes does it), so a binary search keeps many calls against a
 * long history linear-logarithmic.
 */
function modeAt(changes: readonly ModeChange[], time: string): string | null {
  let lo = 0;
  let hi = changes.length; // first index whose time is after `time`
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (changes[mid]!.time <= time) lo = mid + 1;
    else hi = mid;
  }
  return (changes[lo - 1] ?? changes[0])?.mode ?? null;
}

async function* parseTranscript(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const inherited = await parentModes(input.file);
  const sessions = new Map<string, SessionState>();
  const open = new Map<string, Call>();
  const early = new Map<string, Result>();
  const uuids = new Set<string>();
  const unknown = new UnknownTypes();
  let duplicateLines = 0;
  let contextLines = 0;
  let lastTime: string | undefined;

  for await (const r of objectRecords(jsonRecords(input), "a transcript line")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    const { rec, at, line } = r;
    const type = str(rec.type);
    if (!type) {
      yield reject(at, 'missing "type": not a Claude Code transcript line', JSON.stringify(rec));
      continue;
    }
    const uuid = str(rec.uuid);
    if (uuid) {
      if (uuids.has(uuid)) {
        duplicateLines++;
        continue;
      }
      uuids.add(uuid);
      if (uuids.size > UUID_WINDOW) uuids.delete(uuids.values().next().value!);
    }
    const time = toIsoTime(rec.timestamp);
    if (time) lastTime = time;
    const sessionId = str(rec.sessionId);
    const session = sessionId ? sessions.get(sessionId) ?? { mode: null, cwd: null, branch: null, version: null } : { mode: null, cwd: null, branch: null, version: null };
    if (sessionId) sessions.set(sessionId, session);
    session.cwd = str(rec.cwd) ?? session.cwd;
    session.branch = str(rec.gitBranch) ?? session.branch;
    session.version = str(rec.version) ?? session.version;
    const mode = str(rec.permissionMode);
    if (mode && mode !== session.mode) {
      const attrs = { permissionMode: mode, fromMode: session.mode, gitBranch: session.branch };
      session.mode = mode;
      if (time) {
        yield { kind: "event", event: sessionEvent({ product: PRODUCT, productVersion: session.version, time, sessionId, type: "permission-mode", cwd: session.cwd, locator: at, known: true, attrs }, ctx) };
      }
    }
    if (!LINE_TYPES.has(type)) {
      unknown.add(type);
      const t = time ?? lastTime;
      if (t) yield { kind: "event", event: sessionEvent({ product: PRODUCT, productVersion: session.version, time: t, sessionId, type, cwd: session.cwd, locator: at, known: false }, ctx) };
      continue;
    }
    let tools = 0;
    for (const block of blocks(rec)) {
      if (type === "assistant" && block.type === "tool_use") {
        tools++;
        const id = str(block.id);
        const tool = str(block.name);
        if (!id || !tool) {
          yield reject(at, "tool_use block without id or name", JSON.stringify(block));
          continue;
        }
        if (!time) {
          yield reject(at, timeRejectReason(rec, ["timestamp"], "tool_use line without a timestamp"), JSON.stringify(block));
          continue;
        }
        const callSession = { ...session };
        if (callSession.mode === null && inherited !== null && inherited.changes.length > 0) {
          callSession.mode = modeAt(inherited.changes, time);
          callSession.modeFrom = inherited.parent;
        }
        const call: Call = { id, tool, input: isRecord(block.input) ? block.input : {}, time, line, sessionId, session: callSession, sidechain: rec.isSidechain === true };
        const result = early.get(id);
        if (result) {
          early.delete(id);
          yield toEvent({ ...call, result }, ctx);
        } else open.set(id, call);
      } else if (type === "user" && block.type === "tool_result") {
        tools++;
        const id = str(block.tool_use_id);
        if (!id) {
          yield reject(at, "tool_result block without tool_use_id", JSON.stringify(block));
          continue;
        }
        const result = resultOf(block, rec.toolUseResult, line);
        const call = open.get(id);
        if (call) {
          open.delete(id);
          yield toEvent({ ...call, result }, ctx);
        } else early.set(id, result);
      }
    }
    if (tools === 0) contextLines++;
  }
  // Calls whose result is not in this file (session killed, file cut) are still actions.
  for (const call of open.values()) yield toEvent(call, ctx);
  if (early.size) yield { kind: "note", text: `${early.size} tool_result${early.size === 1 ? "" : "s"} without their tool_use in this file (kept out: the call is in another transcript)` };
  if (duplicateLines) yield { kind: "note", text: `${duplicateLines} duplicate line${duplicateLines === 1 ? "" : "s"} (same uuid) skipped` };
  if (contextLines) yield { kind: "note", text: `${contextLines} line${contextLines === 1 ? "" : "s"} without tool calls (prompts, replies, summaries) read as context` };
  yield* unknown.note();
}
