import type { EnrichContext } from "../enrich.ts";
import { reject, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { callEvent, isParsedItem, objectRecords, sessionEvent, UnknownTypes, withClassifier } from "./calls.ts";
import { GenericAgentRecord } from "./generic-schema.ts";
import { jsonRecords } from "./records.ts";

/**
 * Our own generic agent log (generic-schema.ts, README "Generic agent log"): each line is one
 * validated record, already in the shape of an action, so nothing is joined or inferred: the writer
 * states outcome and approval, and only the action class and environment are computed here.
 */
const CONTEXT_TYPES = new Set(["session_start", "session_end", "prompt", "mode_change"]);

export function createGenericAgentLogParser(ctx: EnrichContext): Parser {
  return { name: "generic-agent-log", version: withClassifier("1"), parse: (input) => parseGeneric(input, ctx) };
}

async function* parseGeneric(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  const unknown = new UnknownTypes();
  for await (const r of objectRecords(jsonRecords(input), "a generic agent log record")) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    const parsed = GenericAgentRecord.safeParse(r.rec);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      yield reject(r.at, `${issue.path.join(".") || "(record)"}: ${issue.message}`, JSON.stringify(r.rec));
      continue;
    }
    const g = parsed.data;
    const time = toIsoTime(g.time);
    if (!time) {
      yield reject(r.at, timeRejectReason({ time: g.time }, ["time"], `time: not a usable time (${String(g.time)})`), JSON.stringify(r.rec));
      continue;
    }
    const attrs = { ...g.attrs, ...(g.branch ? { branch: g.branch } : {}), ...(g.mode ? { mode: g.mode } : {}) };
    if (g.type !== "tool_call") {
      const known = CONTEXT_TYPES.has(g.type);
      if (!known) unknown.add(g.type);
      yield {
        kind: "event",
        event: sessionEvent({ product: g.product, productVersion: g.productVersion, time, sessionId: g.sessionId ?? null, type: g.type, operator: g.operator, cwd: g.cwd, repository: g.repository, locator: r.at, known, attrs }, ctx),
      };
      continue;
    }
    if (!g.tool) {
      yield reject(r.at, "tool: required for a tool_call record", JSON.stringify(r.rec));
      continue;
    }
    const approval = g.approval?.kind ?? "unknown";
    const evidence = [g.approval?.evidence, g.approval?.by ? `by ${g.approval.by}` : null, g.mode ? `mode ${g.mode}` : null].filter(Boolean).join("; ");
    yield {
      kind: "event",
      event: callEvent(
        {
          product: g.product, productVersion: g.productVersion, key: g.id ?? `${g.sessionId ?? "-"}:${time}:${g.tool}:${r.at}`, time, sessionId: g.sessionId ?? null,
          operator: g.operator, tool: g.tool, shell: g.command ?? null, args: g.args, target: g.target, cwd: g.cwd, repository: g.repository,
          outcome: g.outcome, approval, approvalEvidence: evidence || null, approvalRecorded: g.approval !== undefined && approval !== "unknown", locator: r.at, attrs: { ...attrs, ...(g.approval?.by ? { approvedBy: g.approval.by } : {}) },
        },
        ctx,
      ),
    };
  }
  yield* unknown.note();
}
