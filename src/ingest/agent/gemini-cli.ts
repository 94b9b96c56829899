import { createHash } from "node:crypto";
import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { epochMsToIso, isRecord, reject, str, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { argsText, callEvent, firstStr, isParsedItem, jsonField, objectRecords, sessionEvent, UnknownTypes, withClassifier } from "./calls.ts";
import { isOtlpDocument, keyValues, type OtlpRecord } from "./otlp.ts";
import { mapOtlpDocument, type OtlpMapping, type OtlpMappingRun } from "./otlp-parser.ts";
import { outcomeFromSuccess } from "./outcome.ts";
import { jsonRecords } from "./records.ts";

/**
 * Gemini CLI telemetry (google-gemini/gemini-cli `docs/cli/telemetry.md`):
 * `gemini_cli.tool_call` carries `function_name`, `function_args`, `duration_ms`, `success`,
 * `decision` `accept|reject|auto_accept|modify`, `prompt_id`, `tool_type`; every event has `session.id`,
 * `installation.id`, `user.email`? and `active_approval_mode`? (`default|auto_edit|yolo|plan`).
 * `gemini_cli.config` and `gemini_cli.approval_mode_switch` give the mode in force.
 *
 * Two layouts: OTLP/JSON (a collector's export), and the local `telemetry.outfile`, which writes one
 * JSON object per event, indented [O]. The outfile's exact object shape is not documented [I]: the
 * event's attributes are read from `attributes` (an object or OTLP key/values) or from the record
 * itself, its name from `event.name`/`event_name`/`name`, its time from `event.timestamp`,
 * `timestamp` (ISO, epoch, or an `[s, ns]` HrTime) or `hrTime`.
 *
 * A tool call is one record, so nothing is joined; its key hashes session, time, function and
 * arguments, so the same call read from both layouts is stored once.
 */
export const PRODUCT = "gemini-cli";
const QUIET = new Set([
  "gemini_cli.api_request", "gemini_cli.api_response", "gemini_cli.api_error", "gemini_cli.file_operation", "gemini_cli.flash_fallback",
  "gemini_cli.next_speaker_check", "gemini_cli.slash_command", "gemini_cli.chat_compression", "gemini_cli.malformed_json_response",
  "gemini_cli.loop_detected", "gemini_cli.ide_connection", "gemini_cli.conversation_finished", "gemini_cli.kitty_sequence_overflow",
  "gemini_cli.model_routing", "gemini_cli.content_retry", "gemini_cli.content_retry_failure", "gemini_cli.tool_output_truncated",
  "gemini_cli.invalid_chunk", "gemini_cli.extension_install", "gemini_cli.extension_enable", "gemini_cli.extension_disable", "gemini_cli.extension_uninstall",
]);
const SESSION = new Set(["gemini_cli.config", "gemini_cli.user_prompt", "gemini_cli.approval_mode_switch", "gemini_cli.approval_mode_duration"]);
const SHELL_TOOLS = new Set(["run_shell_command", "shell"]);
/** Modes in which Gemini CLI runs tools without asking [V]. */
const AUTO_MODES = new Set(["yolo", "auto_edit"]);

interface GeminiEvent {
  name: string;
  time: string | null;
  /** Why a time that is present is unusable (out of range, not a time); the reject reason. */
  timeIssue?: string | undefined;
  attrs: Record<string, unknown>;
  version: string | null;
}

/** OpenTelemetry JS HrTime `[seconds, nanoseconds]`, in milliseconds: never unit-guessed, so year 9999 is not read as 1978 microseconds. */
function hrTimeMs(v: unknown): number | undefined {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number" ? v[0] * 1000 + v[1] / 1e6 : undefined;
}
function hrTime(v: unknown): string | undefined {
  const ms = hrTimeMs(v);
  return ms === undefined ? undefined : epochMsToIso(ms);
}
/** An HrTime shown as ISO in a reject reason, when it is a real (if out-of-range) time. */
function hrTimeShown(v: unknown): string | undefined {
  const ms = hrTimeMs(v);
  return ms !== undefined && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : undefined;
}

/** Reads a `telemetry.outfile` record [I]; null when it is not a Gemini CLI event. */
export function outfileEvent(rec: Record<string, unknown>): GeminiEvent | null {
  const attrs = Array.isArray(rec.attributes) ? keyValues(rec.attributes) : isRecord(rec.attributes) ? rec.attributes : rec;
  const name = firstStr(attrs, "event.name", "event_name") ?? firstStr(rec, "event_name", "eventName", "name") ?? (typeof rec.body === "string" && rec.body.startsWith("gemini_cli.") ? rec.body : null);
  if (!name || !name.startsWith("gemini_cli.")) return null;
  const resource = isRecord(rec.resource) ? (isRecord(rec.resource.attributes) ? rec.resource.attributes : rec.resource) : {};
  const time = toIsoTime(attrs["event.timestamp"]) ?? toIsoTime(rec.timestamp) ?? hrTime(rec.timestamp) ?? hrTime(rec.hrTime) ?? toIsoTime(rec.time) ?? null;
  const timeIssue = time ? undefined : timeRejectReason(
        { "event.timestamp": attrs["event.timestamp"], timestamp: Array.isArray(rec.timestamp) ? hrTimeShown(rec.timestamp) : rec.timestamp, hrTime: hrTimeShown(rec.hrTime), time: rec.time },
        ["event.timestamp", "timestamp", "hrTime", "time"],
        "",
      ) || undefined;
  return { name, time, timeIssue, attrs, version: firstStr(resource, "service.version") };
}

export function isGeminiOutfileRecord(rec: unknown): boolean {
  return isRecord(rec) && !isOtlpDocument(rec) && outfileEvent(rec) !== null;
}

function approvalOf(decision: string | null, mode: string | null): { approval: Approval; evidence: string } {
  const inMode = mode ? ` (approval mode ${mode})` : "";
  switch (decision) {
    case "accept":
    case "modify":
      return { approval: "human", evidence: `gemini_cli.tool_call decision=${decision}: the user confirmed${inMode}` };
    case "reject":
      return { approval: "denied", evidence: `gemini_cli.tool_call decision=reject${inMode}` };
    case "auto_accept":
      return { approval: "policy", evidence: `gemini_cli.tool_call decision=auto_accept${inMode}` };
  }
  if (mode && AUTO_MODES.has(mode)) return { approval: "policy", evidence: `no decision recorded; approval mode ${mode} runs tools without asking` };
  return { approval: "unknown", evidence: `no decision recorded${inMode}` };
}

/** Per file: the approval mode in force per session, and the mapping from events to items. */
function geminiRun(ctx: EnrichContext): { map(e: GeminiEvent, at: string, unknown: UnknownTypes): Iterable<ParsedItem> } {
  const modes = new Map<string, string>();
  return {
    *map(e, at, unknown) {
      const a = e.attrs;
      if (!e.time) {
        yield reject(at, e.timeIssue ?? `${e.name} without a time (event.timestamp or timestamp)`);
        return;
      }
      const sessionId = firstStr(a, "session.id", "session_id");
      const operator = firstStr(a, "user.email");
      const modeNow = firstStr(a, "active_approval_mode", "approval_mode");
      if (sessionId && modeNow) modes.set(sessionId, modeNow);
      if (e.name === "gemini_cli.approval_mode_switch" && sessionId && str(a.to_mode)) modes.set(sessionId, str(a.to_mode)!);
      if (e.name === "gemini_cli.tool_call") {
        const fn = firstStr(a, "function_name", "tool_name");
        if (!fn) {
          yield reject(at, 'gemini_cli.tool_call without "function_name"');
          return;
        }
        const args = jsonField(a.function_args);
        const obj = isRecord(args) ? args : {};
        const decision = str(a.decision);
        const mode = modeNow ?? (sessionId ? modes.get(sessionId) ?? null : null);
        const { approval, evidence } = approvalOf(decision, mode);
        const outcome: Outcome = decision === "reject" ? "denied" : str(a.error_type) === "cancelled" ? "interrupted" : outcomeFromSuccess(a.success) ?? "unknown";
        const digest = createHash("sha256").update(argsText(args) ?? "").digest("hex").slice(0, 12);
        yield {
          kind: "event",
          event: callEvent(
            {
              product: PRODUCT, productVersion: e.version, key: `${sessionId ?? "-"}:${e.time}:${fn}:${digest}`, time: e.time, sessionId, operator, tool: fn,
              shell: SHELL_TOOLS.has(fn) ? str(obj.command) : null, args, target: firstStr(obj, "file_path", "absolute_path", "path", "url"),
              cwd: str(obj.directory) ?? str(obj.dir_path), outcome, approval, approvalEvidence: evidence, approvalRecorded: decision !== null, locator: at,
              attrs: { decision, approvalMode: mode, promptId: str(a.prompt_id), toolType: str(a.tool_type), durationMs: a.duration_ms, error: str(a.error) },
            },
            ctx,
          ),
        };
        return;
      }
      if (QUIET.has(e.name)) return;
      const known = SESSION.has(e.name);
      if (!known) unknown.add(e.name);
      const attrs = e.name === "gemini_cli.approval_mode_switch" ? { fromMode: str(a.from_mode), toMode: str(a.to_mode) } : e.name === "gemini_cli.config" ? { approvalMode: str(a.approval_mode), model: str(a.model) } : {};
      yield { kind: "event", event: sessionEvent({ product: PRODUCT, productVersion: e.version, time: e.time, sessionId, type: e.name, operator, locator: at, known, attrs }, ctx) };
    },
  };
}

export const geminiOtlpMapping: OtlpMapping = {
  name: "gemini-cli",
  claims: (rec: OtlpRecord) => (rec.name ?? "").startsWith("gemini_cli.") || String(rec.resource["service.name"] ?? "") === "gemini-cli",
  start(ctx): OtlpMappingRun {
    const run = geminiRun(ctx);
    return {
      map: (rec, at, unknown) => run.map({ name: rec.name ?? "(unnamed)", time: rec.time, timeIssue: rec.timeIssue, attrs: rec.attrs, version: firstStr(rec.resource, "service.version") }, at, unknown),
      end: () => [],
    };
  },
};

export function createGeminiCliParser(ctx: EnrichContext): Parser {
  return { name: "gemini-cli-telemetry", version: withClassifier("1"), parse: (input) => parseGemini(input, ctx) };
}

async function* parseGemini(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const unknown = new UnknownTypes();
  const run = geminiRun(ctx);
  const otlpRuns = [{ mapping: geminiOtlpMapping, run: geminiOtlpMapping.start(ctx, input) }];
  for await (const r of objectRecords(jsonRecords(input), "a Gemini CLI telemetry event")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    if (isOtlpDocument(r.rec)) {
      yield* mapOtlpDocument(r.rec, r.line, otlpRuns, unknown);
      continue;
    }
    const e = outfileEvent(r.rec);
    if (!e) {
      yield reject(r.at, "not a Gemini CLI telemetry event: no gemini_cli.* event name", JSON.stringify(r.rec));
      continue;
    }
    yield* run.map(e, r.at, unknown);
  }
  yield* unknown.note();
}
