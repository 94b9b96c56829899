import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { str, type ParsedItem } from "../parser.ts";
import { callEvent, firstStr, jsonField, sessionEvent, type AgentCall } from "./calls.ts";
import { PRODUCT } from "./codex-rollout.ts";
import type { OtlpRecord } from "./otlp.ts";
import { createOtlpParser, type OtlpMapping } from "./otlp-parser.ts";
import { outcomeFromSuccess } from "./outcome.ts";

/**
 * Codex CLI OpenTelemetry log events (`[otel]` in config.toml), after openai/codex's
 * configuration docs (the [otel] section) and its otel crate: `codex.tool_decision` (`tool_name`, `call_id`, `decision`
 * = lower-cased ReviewDecision `approved|approved_for_session|approved_execpolicy_amendment|denied|abort`,
 * `source` `config|user|automated_reviewer`) and `codex.tool_result` (`call_id`, `arguments`,
 * `success`, `duration_ms`), joined by `call_id` into one action. Every event carries
 * `conversation.id` (the session), `app.version` and, when signed in, `user.email`/`user.account_id`.
 * The event name is in attribute `event.name` (the body holds a source location) [O].
 */
const TOOL_EVENTS = new Set(["codex.tool_decision", "codex.tool_result"]);
const SESSION_EVENTS = new Set(["codex.conversation_starts", "codex.user_prompt"]);
const QUIET_EVENTS = new Set(["codex.api_request", "codex.sse_event", "codex.websocket_request", "codex.websocket_event", "codex.sandbox_outcome"]);
/** Results waiting for a decision record that may come later in the file; beyond this many the oldest are emitted without one. */
const MAX_WAITING = 1000;

interface Call {
  callId: string;
  at: string[];
  time: string;
  sessionId: string | null;
  operator: string | null;
  version: string | null;
  tool: string;
  args: unknown;
  decision: string | null;
  source: string | null;
  outcome: Outcome;
  durationMs: number | null;
  hasResult: boolean;
}

function eventName(rec: OtlpRecord): string | null {
  const n = rec.name;
  return n && !n.startsWith("codex.") && typeof rec.attrs["event.name"] === "string" ? (rec.attrs["event.name"] as string) : n;
}

function isApproved(decision: string): boolean {
  return decision.startsWith("approved");
}

function approvalOf(call: Call, sessionPolicy: string | undefined): { approval: Approval; evidence: string } {
  const d = call.decision;
  if (d) {
    const rec = `codex.tool_decision decision=${d} source=${call.source ?? "not recorded"}`;
    if (d === "denied" || d === "abort") return { approval: "denied", evidence: rec };
    if (isApproved(d)) return { approval: call.source === "user" ? "human" : call.source ? "policy" : "unknown", evidence: rec };
    return { approval: "unknown", evidence: `${rec}: decision value not recognised` };
  }
  if (sessionPolicy === "never") return { approval: "policy", evidence: "approval_policy=never (codex.conversation_starts): no decision record, nobody was asked" };
  return { approval: "unknown", evidence: "no codex.tool_decision record for this call in the file" };
}

export const codexOtelMapping: OtlpMapping = {
  name: "codex",
  claims: (rec) => (eventName(rec) ?? "").startsWith("codex.") || /^codex/i.test(String(rec.resource["service.name"] ?? "")),
  start(ctx: EnrichContext) {
    const calls = new Map<string, Call>();
    const sessionPolicy = new Map<string, string>();

    const emit = (call: Call): ParsedItem => {
      calls.delete(call.callId);
      const { approval, evidence } = approvalOf(call, call.sessionId ? sessionPolicy.get(call.sessionId) : undefined);
      const args = jsonField(call.args);
      const argObj = args !== null && typeof args === "object" && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
      const shellCmd = Array.isArray(argObj.command) ? argObj.command.map(String) : str(argObj.command) ?? str(argObj.cmd);
      const outcome: Outcome = approval === "denied" ? (call.decision === "abort" ? "interrupted" : "denied") : call.outcome;
      const event: AgentCall = {
        product: PRODUCT,
        productVersion: call.version,
        key: call.callId,
        time: call.time,
        sessionId: call.sessionId,
        operator: call.operator,
        tool: call.tool,
        shell: shellCmd,
        args: shellCmd ? undefined : args,
        cwd: str(argObj.workdir) ?? str(argObj.cwd),
        outcome,
        approval,
        approvalEvidence: evidence,
        approvalRecorded: call.decision !== null,
        locator: call.at.join("; "),
        attrs: { callId: call.callId, decisionSource: call.source, durationMs: call.durationMs },
      };
      return { kind: "event", event: callEvent(event, ctx) };
    };

    return {
      *map(rec, at, unknown) {
        const name = eventName(rec) ?? "(unnamed)";
        const a = rec.attrs;
        const time = rec.time;
        const sessionId = firstStr(a, "conversation.id", "session.id");
        const operator = firstStr(a, "user.email", "user.account_id") ?? firstStr(rec.resource, "user.email");
        const version = firstStr(a, "app.version") ?? firstStr(rec.resource, "service.version");
        if (!time) {
          yield { kind: "reject", reject: { locator: at, reason: rec.timeIssue ?? `${name} without a timestamp (timeUnixNano or event.timestamp)` } };
          return;
        }
        if (TOOL_EVENTS.has(name)) {
          const callId = str(a.call_id);
          if (!callId) {
            yield { kind: "reject", reject: { locator: at, reason: `${name} without "call_id"` } };
            return;
          }
          let call = calls.get(callId);
          if (!call) {
            call = { callId, at: [], time, sessionId, operator, version, tool: str(a.tool_name) ?? "unknown", args: null, decision: null, source: null, outcome: "unknown", durationMs: null, hasResult: false };
            calls.set(callId, call);
          }
          call.at.push(at);
          if (time < call.time) call.time = time;
          call.operator ??= operator;
          if (name === "codex.tool_decision") {
            call.decision = str(a.decision)?.toLowerCase() ?? null;
            call.source = str(a.source);
            if (call.hasResult || call.decision === "denied" || call.decision === "abort") yield emit(call);
          } else {
            call.hasResult = true;
            call.args = a.arguments ?? call.args;
            call.outcome = outcomeFromSuccess(a.success) ?? "unknown";
            call.durationMs = typeof a.duration_ms === "number" ? a.duration_ms : Number(a.duration_ms) || null;
            if (call.decision) yield emit(call);
            else if (calls.size > MAX_WAITING) {
              const oldest = calls.values().next().value!;
              yield emit(oldest);
            }
          }
          return;
        }
        if (name === "codex.conversation_starts" && sessionId && str(a.approval_policy)) sessionPolicy.set(sessionId, str(a.approval_policy)!);
        if (QUIET_EVENTS.has(name)) return;
        const known = SESSION_EVENTS.has(name);
        if (!known) unknown.add(name);
        const attrs = name === "codex.conversation_starts" ? { approvalPolicy: str(a.approval_policy), sandboxPolicy: str(a.sandbox_policy), model: str(a.model) } : {};
        yield { kind: "event", event: sessionEvent({ product: PRODUCT, productVersion: version, time, sessionId, type: name, operator, locator: at, known, attrs }, ctx) };
      },
      *end() {
        for (const call of [...calls.values()]) yield emit(call);
      },
    };
  },
};

export const createCodexOtelParser = createOtlpParser("codex-otel", "1", [codexOtelMapping]);
