import type { Approval, Outcome } from "../../event.ts";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, str, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { callEvent, firstStr, isParsedItem, jsonField, objectRecords, sessionEvent, UnknownTypes, type AgentCall , withClassifier } from "./calls.ts";
import spec from "./claude-code-otel.json" with { type: "json" };
import { isOtlpDocument, malformedOtlpEntries, otlpRecords, type OtlpRecord } from "./otlp.ts";
import { jsonRecords } from "./records.ts";

/**
 * Claude Code OpenTelemetry logs exported as OTLP/JSON (Claude Code docs, "Monitoring":
 * code.claude.com/docs/en/monitoring-usage): the
 * collector's file exporter (one export request per line) or one pretty-printed export document.
 * `tool_decision` and `tool_result` of one call are folded by `tool_use_id`, the key the hooks and
 * the transcript share (`claude-code:tool:<id>`); the store joins them with the other files. The
 * decision source is a decision record (attrs.approvalRecorded), which outranks what hooks and
 * transcripts can only infer. Both event spellings are accepted: `claude_code.tool_decision` in the
 * body and the unprefixed `event.name` attribute.
 */
export const PRODUCT = "claude-code";
const PREFIX = "claude_code.";
/** Calls waiting for their other half; beyond this the oldest is written alone (the store joins it later). */
const MAX_PENDING = 10_000;
const SESSION_EVENTS = new Set(spec.sessionEvents);
const TELEMETRY_ONLY = new Set(spec.telemetryOnly.names);
const SERVICE_NAMES = new Set(spec.serviceNames);
const DECISION_SOURCES: Record<string, Approval | undefined> = Object.fromEntries(Object.entries(spec.decisionSources).filter(([k]) => k !== "$comment")) as Record<string, Approval>;
const SOURCE_MEANING: Record<string, string | undefined> = spec.evidence;
/** Identity and correlation attributes on every event; not repeated in session-event attrs. */
const STANDARD = new Set(["event.name", "event.timestamp", "session.id", "user.id", "user.email", "user.account_uuid", "user.account_id", "organization.id", "app.version", "terminal.type"]);

interface Half {
  at: string;
  time: string;
  attrs: Record<string, unknown>;
}

interface OtelCall {
  joinKey: string;
  key: string;
  record: OtlpRecord;
  decision?: Half;
  result?: Half;
  locators: string[];
  mode: string | null;
}

export function createClaudeCodeOtelParser(ctx: EnrichContext): Parser {
  return { name: "claude-code-otel", version: withClassifier("1"), parse: (input) => parseOtel(input, ctx) };
}

/** `tool_decision` from `claude_code.tool_decision` or `tool_decision`; null for another product's record. */
export function claudeEventName(rec: OtlpRecord): string | null {
  const names = [rec.name, typeof rec.body === "string" ? rec.body : null].filter((n): n is string => !!n);
  const prefixed = names.find((n) => n.startsWith(PREFIX));
  if (prefixed) return prefixed.slice(PREFIX.length);
  const service = str(rec.resource["service.name"]);
  return service && SERVICE_NAMES.has(service) ? names[0] ?? null : null;
}

const attr = (rec: OtlpRecord, key: string): unknown => rec.attrs[key] ?? rec.resource[key];

function operatorOf(rec: OtlpRecord): string | null {
  // user.email only with OAuth; with an API key or a cloud provider the customer adds identity via OTEL_RESOURCE_ATTRIBUTES.
  return str(attr(rec, "user.email")) ?? str(attr(rec, "user.account_uuid")) ?? str(attr(rec, "user.account_id"));
}

async function* parseOtel(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const unknown = new UnknownTypes();
  const skipped = new Map<string, number>();
  const skip = (why: string) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
  const modes = new Map<string, string>();
  const pending = new Map<string, OtelCall>();

  for await (const r of objectRecords(jsonRecords(input), "an OTLP/JSON export request")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    if (!isOtlpDocument(r.rec)) {
      yield reject(r.at, 'expected an OTLP/JSON export with "resourceLogs"', JSON.stringify(r.rec));
      continue;
    }
    for (const where of malformedOtlpEntries(r.rec)) yield reject(`${r.at} ${where}`, "not an OTLP object (skipped)");
    for (const rec of otlpRecords(r.rec)) {
      const at = `${r.at} ${rec.position}`;
      if (rec.signal === "span") {
        skip("trace spans");
        continue;
      }
      const name = claudeEventName(rec);
      if (!name) {
        skip("records of other services");
        continue;
      }
      if (TELEMETRY_ONLY.has(name)) {
        skip(`${name} (telemetry only)`);
        continue;
      }
      if (!rec.time) {
        yield reject(at, rec.timeIssue ?? `${name} without a time (timeUnixNano or event.timestamp)`, JSON.stringify(rec.attrs));
        continue;
      }
      const sessionId = str(attr(rec, "session.id"));
      if (name === "tool_decision" || name === "tool_result") {
        const tool = str(rec.attrs.tool_name);
        if (!tool) {
          yield reject(at, `${name} without "tool_name"`, JSON.stringify(rec.attrs));
          continue;
        }
        const id = str(rec.attrs.tool_use_id);
        // Versions before tool_use_id was added: pair decision and result by session and tool.
        const joinKey = id ? `id:${id}` : `st:${sessionId}:${tool}`;
        let call = pending.get(joinKey);
        if (!call || (name === "tool_decision" && call.decision) || (name === "tool_result" && call.result)) {
          if (call) yield* emit(pending, call, ctx);
          call = { joinKey, key: id ?? `noid:${sessionId ?? "-"}:${rec.attrs["event.sequence"] ?? at}`, record: rec, locators: [], mode: sessionId ? modes.get(sessionId) ?? null : null };
          pending.set(joinKey, call);
        }
        call.locators.push(at);
        const half = { at, time: rec.time, attrs: rec.attrs };
        if (name === "tool_decision") call.decision = half;
        else call.result = half;
        // A rejected call never gets a tool_result; a call with both halves is complete.
        if ((call.decision && call.result) || str(call.decision?.attrs.decision) === "reject") yield* emit(pending, call, ctx);
        if (pending.size > MAX_PENDING) yield* emit(pending, pending.values().next().value!, ctx);
        continue;
      }
      const known = SESSION_EVENTS.has(name);
      if (!known) unknown.add(`${PREFIX}${name}`);
      const extra: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rec.attrs)) if (!STANDARD.has(k) && !isRecord(v)) extra[k] = v;
      if (name === "permission_mode_changed") {
        const to = str(rec.attrs.to_mode);
        if (sessionId && to) modes.set(sessionId, to);
        Object.assign(extra, { permissionMode: to, fromMode: str(rec.attrs.from_mode), trigger: str(rec.attrs.trigger) });
      }
      yield {
        kind: "event",
        event: sessionEvent(
          { product: PRODUCT, productVersion: versionOf(rec), time: rec.time, sessionId, type: name, operator: operatorOf(rec), locator: at, known, attrs: extra },
          ctx,
        ),
      };
    }
  }
  for (const call of [...pending.values()]) yield* emit(pending, call, ctx);
  yield* unknown.note();
  if (skipped.size) {
    const list = [...skipped].sort((a, b) => a[0].localeCompare(b[0])).map(([k, n]) => `${k}: ${n}`);
    yield { kind: "note", text: `records read but not stored: ${list.join(", ")}` };
  }
}

function versionOf(rec: OtlpRecord): string | null {
  return str(rec.resource["service.version"]) ?? str(attr(rec, "app.version"));
}

function* emit(pending: Map<string, OtelCall>, call: OtelCall, ctx: EnrichContext): Iterable<ParsedItem> {
  pending.delete(call.joinKey);
  yield { kind: "event", event: callEvent(toCall(call), ctx) };
}

function approvalOf(call: OtelCall): { approval: Approval; evidence: string; recorded: boolean } {
  const d = call.decision?.attrs;
  const source = str(d?.source) ?? str(call.result?.attrs.decision_source);
  const what = d ? `tool_decision ${str(d.decision) ?? "?"}` : "tool_result";
  const where = (call.decision ?? call.result)!.at;
  const meaning = source ? SOURCE_MEANING[source] ?? "source not documented" : "no decision source recorded";
  const evidence = `OTel ${what}, source ${source ?? "none"} (${meaning}), ${where}`;
  if (str(d?.decision) === "reject") return { approval: "denied", evidence, recorded: true };
  const approval = source ? DECISION_SOURCES[source] : undefined;
  return approval ? { approval, evidence, recorded: true } : { approval: "unknown", evidence, recorded: false };
}

function outcomeOf(call: OtelCall): Outcome {
  if (str(call.decision?.attrs.decision) === "reject") return "denied";
  const r = call.result?.attrs;
  if (!r) return "unknown";
  const success = r.success === true || r.success === "true" ? true : r.success === false || r.success === "false" ? false : null;
  if (success === null) return "unknown";
  if (success) return "succeeded";
  return /interrupt|abort/i.test(str(r.error_type) ?? "") ? "interrupted" : "failed";
}

function toCall(call: OtelCall): AgentCall {
  const rec = call.record;
  const both = { ...call.decision?.attrs, ...call.result?.attrs };
  const params = jsonField(both.tool_parameters);
  const p = isRecord(params) ? params : {};
  const inputValue = jsonField(both.tool_input);
  const input = isRecord(inputValue) ? inputValue : null;
  let tool = str(both.tool_name)!;
  // User MCP tools are all reported as "mcp_tool"; the real name is in tool_parameters when details are on.
  if (tool === "mcp_tool" && str(p.mcp_server_name) && str(p.mcp_tool_name)) tool = `mcp__${p.mcp_server_name}__${p.mcp_tool_name}`;
  const shell = tool === "Bash" ? firstStr(p, "full_command", "bash_command") ?? (input ? str(input.command) : null) : null;
  const { approval, evidence, recorded } = approvalOf(call);
  const times = [call.decision?.time, call.result?.time].filter((t): t is string => !!t).sort();
  const r = call.result?.attrs ?? {};
  return {
    product: PRODUCT,
    productVersion: versionOf(rec),
    key: call.key,
    time: times[0]!,
    sessionId: str(attr(rec, "session.id")),
    operator: operatorOf(rec),
    tool,
    shell,
    args: shell ? null : input ?? (Object.keys(p).length ? p : null),
    target: input ? firstStr(input, "file_path", "notebook_path", "url", "path") : null,
    outcome: outcomeOf(call),
    approval,
    approvalEvidence: evidence,
    locator: call.locators.join("; "),
    attrs: {
      toolUseId: str(both.tool_use_id),
      ...(call.key.startsWith("noid:") ? { joinKey: "none: tool_use_id missing (Claude Code before it was added)" } : {}),
      approvalRecorded: recorded,
      decision: str(call.decision?.attrs.decision),
      decisionSource: str(call.decision?.attrs.source) ?? str(r.decision_source),
      permissionMode: call.mode,
      promptId: str(attr(rec, "prompt.id")),
      gitCommitId: str(p.git_commit_id),
      durationMs: r.duration_ms ?? null,
      errorType: str(r.error_type),
      error: str(r.error),
      toolSource: str(both.tool_source),
      dangerouslyDisableSandbox: p.dangerouslyDisableSandbox === true || p.dangerouslyDisableSandbox === "true" ? true : null,
      userId: str(attr(rec, "user.id")),
      organizationId: str(attr(rec, "organization.id")),
    },
  };
}
